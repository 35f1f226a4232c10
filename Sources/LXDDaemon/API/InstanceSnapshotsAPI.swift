import Foundation
import LXDAPI
import LXDCore
import LXDHTTP

/// `/1.0/instances/NAME/snapshots[/SNAP]` and the `restore` field of `PUT /1.0/instances/NAME`.
extension InstancesAPI {
    private var instances: InstanceManager { state.instances }

    func instanceSnapshotsGet(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        let snapshots = try await state.database.snapshots(of: name)
        if request.recursion > 0 {
            var result: [InstanceSnapshot] = []
            for snapshot in snapshots { result.append(try await instances.snapshotAPI(snapshot)) }
            return .sync(result)
        }
        return .sync(snapshots.map { "/1.0/instances/\(name)/snapshots/\($0.name)" })
    }

    /// Names with `/` are refused at once; everything else LXD reports through the operation.
    func instanceSnapshotsPost(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        let post = try request.decode(InstanceSnapshotsPost.self)
        try InstanceManager.validateSnapshotName(post.name)
        let instances = self.instances
        let requestor = request.requestor
        let operation = state.operations.run(description: "Snapshotting instance", resources: Self.resources(name)) { _ in
            try await instances.createSnapshot(
                name, name: post.name, stateful: post.stateful, expiresAt: post.expiresAt, requestor: requestor)
            return nil
        }
        return .async(operation)
    }

    private func snapshot(_ request: APIRequest) async throws -> SnapshotRecord {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        let snapshotName = request.parameter("snapshot")
        guard let snapshot = try await state.database.snapshot(of: name, named: snapshotName) else {
            throw LXDError.notFound(
                "Failed to fetch snapshot \"\(snapshotName)\" of instance \"\(name)\" in project \"default\": InstanceSnapshot not found")
        }
        return snapshot
    }

    /// LXD's operations on one snapshot list it as `/1.0/instances/NAME/SNAP`.
    private static func snapshotResources(_ snapshot: SnapshotRecord) -> [String: [String]] {
        resources("\(snapshot.instance)/\(snapshot.name)")
    }

    func instanceSnapshotGet(_ request: APIRequest) async throws -> APIResponse {
        let snapshot = try await snapshot(request)
        let api = try await instances.snapshotAPI(snapshot)
        return .sync(api, etag: ETag.of(api.expiresAt))
    }

    /// `PUT` and `PATCH`: a snapshot is read-only but for its expiry (`InstanceSnapshotPut`);
    /// other fields in the body are ignored, as LXD ignores them.
    func instanceSnapshotPut(_ request: APIRequest) async throws -> APIResponse {
        let snapshot = try await snapshot(request)
        try request.checkETag(ETag.of(try await instances.snapshotAPI(snapshot).expiresAt))
        struct Put: Decodable {
            var expiresAt: Timestamp?
            enum CodingKeys: String, CodingKey { case expiresAt = "expires_at" }
        }
        let put = try request.decode(Put.self)
        let expiresAt = request.method == "PATCH" ? (put.expiresAt ?? snapshot.expiresAt) : (put.expiresAt ?? .goZero)
        let instances = self.instances
        let requestor = request.requestor
        let operation = state.operations.run(description: "Updating snapshot", resources: Self.snapshotResources(snapshot)) { _ in
            try await instances.updateSnapshot(snapshot.instance, snapshot.name, expiresAt: expiresAt, requestor: requestor)
            return nil
        }
        return .async(operation)
    }

    func instanceSnapshotDelete(_ request: APIRequest) async throws -> APIResponse {
        let snapshot = try await snapshot(request)
        let instances = self.instances
        let requestor = request.requestor
        let operation = state.operations.run(description: "Deleting snapshot", resources: Self.snapshotResources(snapshot)) { _ in
            try await instances.deleteSnapshot(snapshot.instance, snapshot.name, requestor: requestor)
            return nil
        }
        return .async(operation)
    }

    /// Rename (`lxc rename c1/snap0 c1/snap1`), or with `migration: true` send the snapshot to
    /// another server as an instance (`lxc copy c1/snap0 host2:c2`).
    func instanceSnapshotPost(_ request: APIRequest) async throws -> APIResponse {
        let snapshot = try await snapshot(request)
        let rename = try request.decode(InstancePost.self)
        if rename.migration { return try await migrationSourcePost(snapshot.instance, rename, request, snapshot: snapshot.name) }
        try InstanceManager.validateSnapshotName(rename.name)
        if try await state.database.snapshot(of: snapshot.instance, named: rename.name) != nil {
            throw LXDError.conflict("Name '\(snapshot.instance)/\(rename.name)' already in use")
        }
        let instances = self.instances
        let requestor = request.requestor
        let operation = state.operations.run(description: "Renaming snapshot", resources: Self.resources(snapshot.instance)) { _ in
            try await instances.renameSnapshot(snapshot.instance, snapshot.name, to: rename.name, requestor: requestor)
            return nil
        }
        return .async(operation)
    }

    /// `PUT /1.0/instances/NAME` with `restore`: `"SNAP"` or `"NAME/SNAP"`. A snapshot that does
    /// not exist fails the operation (202 first), as in LXD 5.0.2.
    func restoreResponse(_ name: String, _ restore: String, _ request: APIRequest) -> APIResponse {
        let full = restore.contains("/") ? restore : "\(name)/\(restore)"
        let parts = full.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let instances = self.instances
        let requestor = request.requestor
        let operation = state.operations.run(description: "Restoring snapshot", resources: Self.resources(name)) { _ in
            guard parts.count == 2, parts[0] == name else { throw LXDError.notFound("Snapshot \(full) does not exist") }
            guard !parts[1].contains("/") else { throw LXDError.notFound("Snapshot not found") }
            try await instances.restoreSnapshot(name, parts[1], requestor: requestor)
            return nil
        }
        return .async(operation)
    }
}
