import Foundation
import LXDAPI

/// `/1.0/storage-pools` with the `dir` driver (btrfs and lvm come with the storage issue).
struct StoragePoolsAPI: Sendable {
    let state: DaemonState

    static let drivers: Set<String> = ["dir"]

    private func api(_ record: StoragePoolRecord) async throws -> StoragePool {
        var usedBy: [String] = []
        for profile in try await state.database.profiles()
        where profile.put.devices.values.contains(where: { $0["type"] == "disk" && $0["pool"] == record.name }) {
            usedBy.append("/1.0/profiles/\(profile.name)")
        }
        for instance in try await state.database.instances() {
            let devices = try await state.instances.expanded(instance).devices
            if (try? await state.instances.rootPool(devices)) == record.name {
                usedBy.append("/1.0/instances/\(instance.name)")
            }
        }
        return StoragePool(name: record.name, driver: record.driver, config: record.config, description: record.description, usedBy: usedBy)
    }

    private func record(_ request: APIRequest) async throws -> StoragePoolRecord {
        guard let record = try await state.database.storagePool(named: request.parameter("name")) else {
            throw LXDError.notFound("Storage pool not found")
        }
        return record
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
        guard !post.name.isEmpty else { throw LXDError.badRequest("No name provided") }
        guard !post.name.contains("/"), post.name != ".", post.name != ".." else {
            throw LXDError.badRequest("Invalid storage pool name \"\(post.name)\"")
        }
        guard Self.drivers.contains(post.driver) else {
            throw LXDError.badRequest("Storage driver \"\(post.driver)\" is not supported yet")
        }
        var config = post.config
        let path = config["source"].flatMap { $0.isEmpty ? nil : $0 } ?? state.paths.pool(post.name)
        for key in config.keys where key != "source" && !key.hasPrefix("user.") {
            throw LXDError.badRequest("Invalid option \"\(key)\" for the \"dir\" driver")
        }
        config["source"] = path
        if try await state.database.storagePool(named: post.name) != nil {
            throw LXDError.conflict("Storage pool \"\(post.name)\" already exists")
        }
        let link = state.paths.pool(post.name)
        try DirPool.create(path: path, link: path == link ? nil : link)
        do {
            try await state.database.createStoragePool(
                StoragePoolRecord(name: post.name, driver: post.driver, description: post.description, config: config))
        } catch {
            DirPool.remove(path: path, link: path == link ? nil : link, created: true)
            throw error
        }
        state.events.lifecycle("storage-pool-created", source: "/1.0/storage-pools/\(post.name)", requestor: request.requestor)
        return .created(location: "/1.0/storage-pools/\(post.name)")
    }

    func poolGet(_ request: APIRequest) async throws -> APIResponse {
        let record = try await record(request)
        var pool = try await api(record)
        pool.status = "Created"
        pool.locations = ["none"]
        return .sync(pool, etag: ETag.of(record.config))
    }

    func poolDelete(_ request: APIRequest) async throws -> APIResponse {
        let record = try await record(request)
        let pool = try await api(record)
        guard pool.usedBy.isEmpty else {
            throw LXDError.badRequest("The storage pool is currently in use")
        }
        let link = state.paths.pool(record.name)
        let path = record.config["source"] ?? link
        DirPool.remove(path: path, link: path == link ? nil : link, created: true)
        try await state.database.deleteStoragePool(name: record.name)
        state.events.lifecycle("storage-pool-deleted", source: "/1.0/storage-pools/\(record.name)", requestor: request.requestor)
        return .emptyObject
    }
}

/// The `dir` pool's layout: the seed's `containers`, `images`, `custom` ... folders under the pool.
enum DirPool {
    static let folders = [
        "containers", "containers-snapshots", "custom", "custom-snapshots", "images", "virtual-machines",
        "virtual-machines-snapshots",
    ]

    static func create(path: String, link: String?) throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw LXDError.badRequest("Source path \"\(path)\" isn't a directory") }
            let contents = (try? fileManager.contentsOfDirectory(atPath: path)) ?? []
            guard contents.allSatisfy({ folders.contains($0) }) else {
                throw LXDError.badRequest("Source path \"\(path)\" isn't empty")
            }
        }
        try fileManager.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o711)
        for folder in folders {
            try fileManager.createDirectory(atPath: path + "/" + folder, withIntermediateDirectories: true)
            chmod(path + "/" + folder, 0o711)
        }
        if let link {
            try? fileManager.removeItem(atPath: link)
            symlink(path, link)
        }
    }

    /// Removes the pool's (empty) folders; never anything a user put there.
    static func remove(path: String, link: String?, created: Bool) {
        for folder in folders { rmdir(path + "/" + folder) }
        rmdir(path)
        if let link { unlink(link) }
    }
}
