import Foundation
import LXDAPI

/// `/1.0/storage-pools/POOL/volumes/...`: every volume can be read; custom volumes (and their
/// snapshots) are made, changed and deleted here, instance and image volumes by their owners.
struct StorageVolumesAPI: Sendable {
    let state: DaemonState

    private var storage: StorageManager { state.storage }

    static func endpoints(_ api: StorageVolumesAPI) -> [Endpoint] {
        let base = "/1.0/storage-pools/{pool}/volumes"
        let volume = base + "/{type}/{name}"
        return [
            Endpoint(base, get: Action(api.volumesGet), post: Action(api.volumesPost)),
            Endpoint(base + "/{type}", get: Action(api.volumesGet), post: Action(api.volumesPost)),
            Endpoint(
                volume, get: Action(api.volumeGet), put: Action(api.volumePut), post: Action(api.volumePost),
                patch: Action(api.volumePatch),
                delete: Action(api.volumeDelete)),
            Endpoint(volume + "/state", get: Action(api.volumeStateGet)),
            Endpoint(volume + "/backups", get: Action(api.backupsGet), post: Action(api.backupsPost)),
            Endpoint(volume + "/snapshots", get: Action(api.snapshotsGet), post: Action(api.snapshotsPost)),
            Endpoint(
                volume + "/snapshots/{snapshot}", get: Action(api.snapshotGet), put: Action(api.snapshotPut),
                post: Action(api.snapshotPost),
                patch: Action(api.snapshotPut), delete: Action(api.snapshotDelete)),
        ]
    }

    private func pool(_ request: APIRequest) -> String { request.parameter("pool") }

    private func type(_ request: APIRequest) throws -> VolumeType {
        let name = request.parameter("type")
        guard let type = VolumeType(apiName: name) else { throw LXDError.badRequest("Invalid storage volume type \"\(name)\"") }
        return type
    }

    /// Changes go through the owner of instance and image volumes, not this API.
    private func customType(_ request: APIRequest, _ verb: String) throws -> VolumeType {
        let type = try type(request)
        guard type == .custom else {
            throw LXDError.badRequest("Storage volumes of type \"\(type.rawValue)\" cannot be \(verb) with the storage API")
        }
        return type
    }

    private static func url(_ pool: String, _ volume: StorageVolume) -> String {
        let parts = volume.name.split(separator: "/", maxSplits: 1).map(String.init)
        let base = "/1.0/storage-pools/\(pool)/volumes/\(volume.type)/\(parts[0])"
        return parts.count == 2 ? base + "/snapshots/" + parts[1] : base
    }

    private static func resources(_ name: String) -> [String: [String]] { ["storage_volumes": ["/1.0/storage_volumes/\(name)"]] }

    func volumesGet(_ request: APIRequest) async throws -> APIResponse {
        let pool = pool(request)
        let type = request.parameters["type"].map { _ in try? self.type(request) } ?? nil
        if request.parameters["type"] != nil && type == nil { _ = try self.type(request) }
        let filter = try APIFilter.of(request)
        let volumes = try APIFilter.keep(try await storage.volumes(pool, type: type), filter)
        if request.recursion > 0 { return .sync(volumes) }
        return .sync(volumes.map { Self.url(pool, $0) })
    }

    func volumesPost(_ request: APIRequest) async throws -> APIResponse {
        let pool = pool(request)
        _ = try await storage.poolRecord(pool)
        var post = try request.decode(StorageVolumesPost.self)
        if let type = request.parameters["type"] {
            post.type = type
        } else if post.type.isEmpty {
            throw LXDError.badRequest("You must provide a storage volume type of the storage volume")
        }
        if post.source.type == "copy" {
            let storage = self.storage
            let post = post
            let operation = state.operations.run(description: "Copying storage volume", resources: Self.resources(post.name)) { _ in
                try await storage.createCustomVolume(pool, post)
                return nil
            }
            return .async(operation)
        }
        try await storage.createCustomVolume(pool, post)
        return .emptyObject
    }

    func volumeGet(_ request: APIRequest) async throws -> APIResponse {
        let record = try await storage.volumeRecord(pool(request), try type(request), request.parameter("name"))
        let volume = try await storage.volumeAPI(record)
        return .sync(volume, etag: ETag.of(record.config))
    }

    func volumePut(_ request: APIRequest) async throws -> APIResponse { try await update(request, merge: false) }
    func volumePatch(_ request: APIRequest) async throws -> APIResponse { try await update(request, merge: true) }

    private func update(_ request: APIRequest, merge: Bool) async throws -> APIResponse {
        let pool = pool(request)
        let name = request.parameter("name")
        let record = try await storage.volumeRecord(pool, try customType(request, "modified"), name)
        try request.checkETag(ETag.of(record.config))
        let put = try request.decode(StorageVolumePut.self)
        try await storage.updateCustomVolume(pool, name, put, merge: merge)
        return .emptyObject
    }

    func volumePost(_ request: APIRequest) async throws -> APIResponse {
        let pool = pool(request)
        let name = request.parameter("name")
        _ = try await storage.volumeRecord(pool, try customType(request, "renamed"), name)
        let post = try request.decode(StorageVolumePost.self)
        if post.migration { throw LXDError.notImplemented("Storage volume migration is not supported yet") }
        if !post.pool.isEmpty && post.pool != pool {
            let storage = self.storage
            let operation = state.operations.run(description: "Moving storage volume", resources: Self.resources(name)) { _ in
                try await storage.renameCustomVolume(pool, name, post)
                return nil
            }
            return .async(operation)
        }
        try await storage.renameCustomVolume(pool, name, post)
        return .created(location: "/1.0/storage-pools/\(pool)/volumes/custom/\(post.name)")
    }

    func volumeDelete(_ request: APIRequest) async throws -> APIResponse {
        _ = try customType(request, "deleted")
        try await storage.deleteCustomVolume(pool(request), request.parameter("name"))
        return .emptyObject
    }

    func volumeStateGet(_ request: APIRequest) async throws -> APIResponse {
        .sync(try await storage.customVolumeState(pool(request), try type(request), request.parameter("name")))
    }

    /// Volume backups are not made by this server, so there are never any to list.
    func backupsGet(_ request: APIRequest) async throws -> APIResponse {
        _ = try await storage.volumeRecord(pool(request), try type(request), request.parameter("name"))
        return .sync([String]())
    }

    func backupsPost(_ request: APIRequest) async throws -> APIResponse {
        throw LXDError.notImplemented("Storage volume backups are not supported yet")
    }

    // MARK: Snapshots

    func snapshotsGet(_ request: APIRequest) async throws -> APIResponse {
        let pool = pool(request)
        let type = try type(request)
        let name = request.parameter("name")
        _ = try await storage.volumeRecord(pool, type, name)
        let names: [String]
        var snapshots: [StorageVolumeSnapshot] = []
        if type == .custom {
            let records = try await state.database.storageVolumeSnapshots(pool: pool, type: type, volume: name)
            names = records.map(\.name)
            snapshots = records.map { record in
                var snapshot = StorageVolumeSnapshot(name: name + "/" + record.name, description: record.description, config: record.config)
                snapshot.expiresAt = record.expiresAt
                snapshot.createdAt = .goZero
                return snapshot
            }
        } else {
            names = try await state.database.snapshots(of: name).map(\.name)
            snapshots = names.map { StorageVolumeSnapshot(name: name + "/" + $0) }
        }
        if request.recursion > 0 { return .sync(snapshots) }
        return .sync(names.map { "/1.0/storage-pools/\(pool)/volumes/\(type.rawValue)/\(name)/snapshots/\($0)" })
    }

    func snapshotsPost(_ request: APIRequest) async throws -> APIResponse {
        let pool = pool(request)
        let name = request.parameter("name")
        _ = try await storage.volumeRecord(pool, try customType(request, "snapshotted"), name)
        let post = try request.decode(StorageVolumeSnapshotsPost.self)
        if !post.name.isEmpty { try InstanceManager.validateSnapshotName(post.name) }
        let storage = self.storage
        let operation = state.operations.run(description: "Creating storage volume snapshot", resources: Self.resources(name)) { _ in
            _ = try await storage.createCustomSnapshot(pool, name, post)
            return nil
        }
        return .async(operation)
    }

    func snapshotGet(_ request: APIRequest) async throws -> APIResponse {
        let pool = pool(request)
        let name = request.parameter("name")
        _ = try await storage.volumeRecord(pool, try customType(request, "read"), name)
        let record = try await storage.customSnapshot(pool, name, request.parameter("snapshot"))
        var snapshot = StorageVolumeSnapshot(name: record.name, description: record.description, config: record.config)
        snapshot.expiresAt = record.expiresAt ?? .goZero
        snapshot.contentType = "filesystem"
        return .sync(snapshot, etag: ETag.of(record.description))
    }

    func snapshotPut(_ request: APIRequest) async throws -> APIResponse {
        let pool = pool(request)
        let name = request.parameter("name")
        _ = try await storage.volumeRecord(pool, try customType(request, "modified"), name)
        struct Put: Decodable {
            var description: String?
            var expiresAt: Timestamp?
            enum CodingKeys: String, CodingKey {
                case description
                case expiresAt = "expires_at"
            }
        }
        let put = try request.decode(Put.self)
        let current = try await storage.customSnapshot(pool, name, request.parameter("snapshot"))
        let expires = put.expiresAt.flatMap { $0 == .goZero ? nil : $0 }
        try await storage.updateCustomSnapshot(
            pool, name, current.name, description: put.description ?? current.description, expiresAt: expires ?? current.expiresAt)
        return .emptyObject
    }

    func snapshotPost(_ request: APIRequest) async throws -> APIResponse {
        let pool = pool(request)
        let name = request.parameter("name")
        _ = try await storage.volumeRecord(pool, try customType(request, "renamed"), name)
        let snapshot = request.parameter("snapshot")
        _ = try await storage.customSnapshot(pool, name, snapshot)
        struct Rename: Decodable { var name: String = "" }
        let rename = try request.decode(Rename.self)
        let storage = self.storage
        let operation = state.operations.run(description: "Renaming storage volume snapshot", resources: Self.resources(name)) { _ in
            try await storage.renameCustomSnapshot(pool, name, snapshot, to: rename.name)
            return nil
        }
        return .async(operation)
    }

    func snapshotDelete(_ request: APIRequest) async throws -> APIResponse {
        let pool = pool(request)
        let name = request.parameter("name")
        _ = try await storage.volumeRecord(pool, try customType(request, "deleted"), name)
        let snapshot = request.parameter("snapshot")
        _ = try await storage.customSnapshot(pool, name, snapshot)
        let storage = self.storage
        let operation = state.operations.run(description: "Deleting storage volume snapshot", resources: Self.resources(name)) { _ in
            try await storage.deleteCustomSnapshot(pool, name, snapshot)
            return nil
        }
        return .async(operation)
    }
}
