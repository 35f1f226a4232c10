import Foundation
import LXDAPI

/// `/1.0/storage-pools`: thin handlers over the pool layer (`StorageManager`).
struct StoragePoolsAPI: Sendable {
    let state: DaemonState

    private var storage: StorageManager { state.storage }

    private func api(_ record: StoragePoolRecord) async throws -> StoragePool {
        StoragePool(
            name: record.name, driver: record.driver, config: record.config, description: record.description,
            usedBy: try await storage.usedBy(record.name))
    }

    func poolsGet(_ request: APIRequest) async throws -> APIResponse {
        let records = try await state.database.storagePools()
        if request.recursion > 0 {
            var pools: [StoragePool] = []
            for record in records { pools.append(try await api(record)) }
            return .sync(pools)
        }
        return .sync(records.map { "/1.0/storage-pools/\($0.name)" })
    }

    func poolsPost(_ request: APIRequest) async throws -> APIResponse {
        let post = try request.decode(StoragePoolsPost.self)
        try await storage.createPool(post)
        state.events.lifecycle("storage-pool-created", source: "/1.0/storage-pools/\(post.name)", requestor: request.requestor)
        return .created(location: "/1.0/storage-pools/\(post.name)")
    }

    func poolGet(_ request: APIRequest) async throws -> APIResponse {
        let record = try await storage.poolRecord(request.parameter("name"))
        return .sync(try await api(record), etag: ETag.of(record.config))
    }

    func poolPut(_ request: APIRequest) async throws -> APIResponse {
        try await update(request, merge: false)
    }

    func poolPatch(_ request: APIRequest) async throws -> APIResponse {
        try await update(request, merge: true)
    }

    private func update(_ request: APIRequest, merge: Bool) async throws -> APIResponse {
        let name = request.parameter("name")
        let record = try await storage.poolRecord(name)
        try request.checkETag(ETag.of(record.config))
        let put = try request.decode(StoragePoolPut.self)
        // LXD checks the keys first; then a PUT without the pool's source is an attempt to change it.
        if !merge {
            var keys = put.config
            for key in ["source", "size", "lvm.vg_name", "lvm.thinpool_name"] where keys[key] == nil { keys[key] = record.config[key] }
            try StorageDrivers.validatePoolConfig(keys, driver: try StorageDrivers.type(named: record.driver))
        }
        if !merge, put.config["source"] != record.config["source"] {
            throw LXDError.internalError("Pool source cannot be changed when not in pending state")
        }
        try await storage.updatePool(name, put, merge: merge)
        state.events.lifecycle("storage-pool-updated", source: "/1.0/storage-pools/\(name)", requestor: request.requestor)
        return .emptyObject
    }

    func poolDelete(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        try await storage.deletePool(name)
        state.events.lifecycle("storage-pool-deleted", source: "/1.0/storage-pools/\(name)", requestor: request.requestor)
        return .emptyObject
    }

    func poolResourcesGet(_ request: APIRequest) async throws -> APIResponse {
        .sync(try await storage.resources(request.parameter("name")))
    }
}
