import Foundation
import LXDAPI
import LXDCore
import LXDHTTP

/// `/1.0/instances` (and the legacy `/1.0/containers`): create, list, show, edit, rename, delete.
struct InstancesAPI: Sendable {
    let state: DaemonState

    private var instances: InstanceManager { state.instances }

    static func resources(_ name: String) -> [String: [String]] {
        ["instances": ["/1.0/instances/\(name)"], "containers": ["/1.0/containers/\(name)"]]
    }

    /// `?recursion=0` URLs, `1` instances, `2` instances with state and snapshots.
    func instancesGet(_ request: APIRequest) async throws -> APIResponse {
        let records = try await state.database.instances()
        let prefix = request.path.hasPrefix("/1.0/containers") ? "/1.0/containers/" : "/1.0/instances/"
        // `filter=` (LXD's api_filtering) is matched against what recursion 1 (or 2) returns.
        let filter = try APIFilter.of(request)
        switch request.recursion {
        case 0 where filter == nil:
            return .sync(records.map { prefix + $0.name })
        case 0, 1:
            var result: [Instance] = []
            for record in records { result.append(try await instances.api(record)) }
            result = try APIFilter.keep(result, filter)
            return request.recursion == 0 ? .sync(result.map { prefix + $0.name }) : .sync(result)
        default:
            let full = try await withThrowingTaskGroup(of: (Int, InstanceFull).self) { group in
                for (index, record) in records.enumerated() {
                    group.addTask { (index, try await instances.full(record)) }
                }
                var result = [InstanceFull?](repeating: nil, count: records.count)
                for try await (index, instance) in group { result[index] = instance }
                return result.compactMap { $0 }
            }
            return .sync(try APIFilter.keep(full, filter))
        }
    }

    func instancesPost(_ request: APIRequest) async throws -> APIResponse {
        let post = try request.decode(InstancesPost.self)
        if post.source.type == "image", !post.source.server.isEmpty { return try await createFromRemoteImage(post) }
        if post.source.type == "migration" { return try await createFromMigration(post) }
        let work = try await instances.prepareCreate(post)
        var resources = Self.resources(post.name)
        if post.source.type == "copy", let source = post.source.source.split(separator: "/").first {
            // LXD lists the source instance too.
            resources.merge(Self.resources(String(source))) { $0 + $1 }
        }
        let operation = state.operations.run(description: "Creating instance", resources: resources) { operation in
            try await work(operation)
            return nil
        }
        return .async(operation)
    }

    func instanceGet(_ request: APIRequest) async throws -> APIResponse {
        let record = try await instances.record(request.parameter("name"))
        let etag = ETag.of(try await instances.api(record).writable)
        if request.recursion > 0 {
            return .sync(try await instances.full(record), etag: etag)
        }
        return .sync(try await instances.api(record), etag: etag)
    }

    func instancePut(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        let current = try await instances.api(try await instances.record(name))
        try request.checkETag(ETag.of(current.writable))
        let put = try request.decode(InstancePut.self)
        if let restore = put.restore, !restore.isEmpty { return restoreResponse(name, restore, request) }
        // LXD 5.0.2 answers a missing profile before any operation starts.
        for profile in put.profiles ?? [] where try await state.database.profile(named: profile) == nil {
            throw LXDError.notFound("Profile not found")
        }
        return try await update(name, put, request)
    }

    func instancePatch(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        let current = try await instances.api(try await instances.record(name)).writable
        try request.checkETag(ETag.of(current))
        let merged = try JSONValue.from(current).merging(try request.decode(JSONValue.self)).decode(InstancePut.self)
        // LXD 5.0.2 applies a PATCH synchronously (errors as a 500, success as an empty sync response).
        try await instances.update(name, merged, requestor: request.requestor)
        return .emptyObject
    }

    private func update(_ name: String, _ put: InstancePut, _ request: APIRequest) async throws -> APIResponse {
        let instances = self.instances
        let requestor = request.requestor
        let operation = state.operations.run(description: "Updating instance", resources: Self.resources(name)) { _ in
            try await instances.update(name, put, requestor: requestor)
            return nil
        }
        return .async(operation)
    }

    /// Local rename (`lxc move a b` / `lxc rename`); migration comes with remotes.
    func instancePost(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        let post = try request.decode(InstancePost.self)
        if !post.pool.isEmpty { return try await instancePoolMove(name, post, request) }
        if post.migration { return try await migrationSourcePost(name, post, request) }
        // LXD's order: "/" first, then a taken name (an empty one is the current name), both
        // before the operation that finds the instance running.
        if post.name.contains("/") { throw LXDError.badRequest("The character \"/\" is reserved for snapshots") }
        let newName = post.name.isEmpty ? name : post.name
        if (try? await instances.record(newName)) != nil { throw LXDError.conflict("Name \"\(newName)\" already in use") }
        try InstanceName.validate(newName)
        let instances = self.instances
        let requestor = request.requestor
        let operation = state.operations.run(description: "Renaming instance", resources: Self.resources(name)) { _ in
            try await instances.rename(name, to: newName, requestor: requestor)
            return nil
        }
        return .async(operation)
    }

    func instanceDelete(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        if await instances.status(name) != .stopped {
            throw LXDError.badRequest("Instance is running")
        }
        let instances = self.instances
        let requestor = request.requestor
        let operation = state.operations.run(description: "Deleting instance", resources: Self.resources(name)) { _ in
            try await instances.delete(name, requestor: requestor)
            return nil
        }
        return .async(operation)
    }

    func instanceStateGet(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        return .sync(await instances.state(name))
    }

    func instanceStatePut(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        let put = try request.decode(InstanceStatePut.self)
        if put.stateful { throw LXDError.notImplemented("Stateful start and stop need CRIU, which is not supported yet") }
        let instances = self.instances
        let requestor = request.requestor
        let description: String
        let work: @Sendable () async throws -> Void
        switch put.action {
        case "start":
            description = "Starting instance"
            work = { try await instances.start(name, requestor: requestor) }
        case "stop":
            description = "Stopping instance"
            let force = put.force || put.timeout == 0
            work = { try await instances.stop(name, force: force, timeout: put.timeout, requestor: requestor) }
        case "restart":
            description = "Restarting instance"
            let force = put.force || put.timeout == 0
            work = { try await instances.restart(name, force: force, timeout: put.timeout, requestor: requestor) }
        case "freeze":
            description = "Freezing instance"
            work = { try await instances.freeze(name, requestor: requestor) }
        case "unfreeze":
            description = "Unfreezing instance"
            work = { try await instances.unfreeze(name, requestor: requestor) }
        default:
            throw LXDError.badRequest("Unknown action \(put.action)")
        }
        let operation = state.operations.run(description: description, resources: Self.resources(name)) { _ in
            try await work()
            return nil
        }
        return .async(operation)
    }

    func instanceExecPost(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        var timer = StepTimer(state.logger, "Exec timings", ["instance": name])
        let post = try request.decode(InstanceExecPost.self)
        CgroupWarmup.shared.warm()
        let environment = try await instances.prepareExec(name, post)
        timer.mark("check")
        let session = post.waitForWebsocket ? ExecSession(interactive: post.interactive) : nil
        var metadata: [String: JSONValue] = [
            "command": .array(post.command.map { .string($0) }),
            "environment": .object(environment.mapValues { .string($0) }),
            "interactive": .bool(post.interactive),
        ]
        if let session { metadata["fds"] = session.fdsMetadata }
        let instances = self.instances
        let operation = state.operations.run(
            session == nil ? .task : .websocket, description: "Executing command", resources: Self.resources(name),
            metadata: .object(metadata), webSocketHandler: session
        ) { [metadata, timer] operation in
            try await instances.exec(
                name, post, environment: environment, session: session, metadata: metadata, operationID: operation.id, timer: timer)
        }
        return .async(operation)
    }

    /// `GET /1.0/instances/NAME/logs`: the instance's log files (lxc.log, console.log, exec output).
    func instanceLogsGet(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        let folder = state.paths.instanceLogs(name)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasSuffix(".conf") }.sorted()
        return .sync(files.map { "/1.0/instances/\(name)/logs/\($0)" })
    }

    func instanceLogGet(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        let file = request.parameter("file")
        guard !file.contains("/"), !file.hasPrefix("."), !file.hasSuffix(".conf") else {
            throw LXDError.badRequest("Invalid log file name")
        }
        let path = state.paths.instanceLogs(name) + "/" + file
        guard FileManager.default.fileExists(atPath: path) else { throw LXDError.notFound() }
        return .file(path: path, headers: HTTPHeaders([("Content-Type", "application/octet-stream")]))
    }
}
