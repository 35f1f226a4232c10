import Foundation
import LXDAPI
import LXDCore

/// LXD's instance migration API: `POST /1.0/instances/NAME` with `migration: true` makes this
/// server a source (pull: the sink connects to our operation's websockets; push: we connect
/// to `target`), and `POST /1.0/instances` with `source.type: migration` makes it a sink.
extension InstancesAPI {
    /// A `snapshot` is sent as an instance of its own (`POST /1.0/instances/NAME/snapshots/SNAP`
    /// with `migration: true`: LXD's copy of a snapshot to another server).
    func migrationSourcePost(_ name: String, _ post: InstancePost, _ request: APIRequest, snapshot: String? = nil) async throws
        -> APIResponse
    {
        let state = self.state
        let instances = state.instances
        let status = await instances.status(name)
        let isRunning = snapshot == nil && (status == .running || status == .frozen)
        if post.live && isRunning { try await MigrationSource.checkLiveMigration(side: "source") }
        let source = MigrationSource(
            state: state, name: name, instanceOnly: post.instanceOnly || post.containerOnly || snapshot != nil, snapshot: snapshot)
        let requestor = request.requestor
        // Stateless: a running instance stops for the transfer and starts again after it.
        let transfer: @Sendable (MigrationChannel, MigrationChannel, BackgroundOperation) async throws -> Void = { control, fs, operation in
            if isRunning { try await instances.stop(name, force: false, timeout: 30, requestor: requestor) }
            do {
                try await source.run(control: control, fs: fs, operation: operation)
            } catch {
                if isRunning { try? await instances.start(name, requestor: requestor) }
                throw error
            }
            if isRunning { try await instances.start(name, requestor: requestor) }
        }
        if let target = post.target {
            let operation = state.operations.run(description: "Migrating instance", resources: Self.resources(name)) { operation in
                let (control, fs) = try await Blocking.run("lxd-migration-dial") {
                    try MigrationWebSockets.dial(
                        operation: target.operation, certificate: target.certificate, secrets: target.websockets,
                        identity: state.serverCertificate)
                }
                defer {
                    control.close()
                    fs.close()
                }
                try await transfer(control, fs, operation)
                return nil
            }
            return .async(operation)
        }
        let sockets = MigrationWebSockets()
        let operation = state.operations.run(
            .websocket, description: "Migrating instance", resources: Self.resources(name), metadata: sockets.metadata,
            webSocketHandler: sockets
        ) { operation in
            defer { sockets.finish() }
            let (control, fs) = try await sockets.waitForConnections()
            try await transfer(control, fs, operation)
            return nil
        }
        return .async(operation)
    }

    /// `POST /1.0/instances` with `source.type: migration`.
    func createFromMigration(_ post: InstancesPost) async throws -> APIResponse {
        try InstanceName.validate(post.name)
        let state = self.state
        let exists = try await state.database.instance(named: post.name) != nil
        let sink = MigrationSink(state: state, post: post, refreshing: exists && post.source.refresh)
        if exists && !post.source.refresh {
            // As LXD 5.0.2, in either mode: the record is made before the operation starts.
            throw LXDError.internalError(
                "Failed creating instance record: Add instance info to the database: This \"instances\" entry already exists")
        }
        if post.source.mode == "push" {
            let sockets = MigrationWebSockets()
            let operation = state.operations.run(
                .websocket, description: "Creating instance", resources: Self.resources(post.name), metadata: sockets.metadata,
                webSocketHandler: sockets
            ) { operation in
                defer { sockets.finish() }
                let (control, fs) = try await sockets.waitForConnections()
                try await sink.run(control: control, fs: fs, operation: operation)
                return nil
            }
            return .async(operation)
        }
        guard !post.source.operation.isEmpty, let secrets = post.source.websockets else {
            throw LXDError.badRequest("Missing migration source operation or websockets")
        }
        let operation = state.operations.run(description: "Creating instance", resources: Self.resources(post.name)) { operation in
            let (control, fs) = try await Blocking.run("lxd-migration-dial") {
                try MigrationWebSockets.dial(
                    operation: post.source.operation, certificate: post.source.certificate, secrets: secrets,
                    identity: state.serverCertificate)
            }
            defer {
                control.close()
                fs.close()
            }
            try await sink.run(control: control, fs: fs, operation: operation)
            return nil
        }
        return .async(operation)
    }
}
