import Foundation
import LXDAPI
import LXDCore

/// The pool layer (LXD's `storage.Pool`): pools and volumes with their database rows, over the
/// drivers. Everything that touches a pool's storage goes through here: the instance manager for
/// instance volumes and their snapshots, the API for pools and custom volumes. Multi-step changes
/// undo what they did on failure; per-volume locks keep concurrent requests apart.
actor StorageManager {
    let paths: DaemonPaths
    let database: Database
    let events: EventHub
    let idmap: IdmapSet
    let logger: Logger
    let locks = KeyedAsyncLocks()
    private var cachedDrivers: [ServerStorageDriverInfo]?
    /// Pools being deleted, and the volume creations running on each pool: a pool delete turns
    /// new creations away and waits for those running, so that its "in use" check sees them.
    private var poolsBeingDeleted: Set<String> = []
    private var volumeCreations: [String: Int] = [:]

    init(paths: DaemonPaths, database: Database, events: EventHub, idmap: IdmapSet, logger: Logger) {
        self.paths = paths
        self.database = database
        self.events = events
        self.idmap = idmap
        self.logger = logger
    }

    var disksPath: String { paths.root + "/disks" }

    nonisolated func context(_ record: StoragePoolRecord) -> PoolContext {
        PoolContext(
            name: record.name, config: record.config, mountPath: paths.pool(record.name), disksPath: paths.root + "/disks", logger: logger)
    }

    func poolRecord(_ name: String) async throws -> StoragePoolRecord {
        guard let record = try await database.storagePool(named: name) else { throw LXDError.notFound("Storage pool not found") }
        return record
    }

    func driver(_ pool: String) async throws -> any StorageDriver {
        let record = try await poolRecord(pool)
        return try StorageDrivers.make(record.driver, pool: context(record))
    }

    func acquire(_ key: String) async -> AsyncLock {
        let lock = locks.lock(for: key)
        await lock.lock()
        return lock
    }

    // MARK: Pools

    func createPool(_ post: StoragePoolsPost) async throws {
        guard !post.name.isEmpty else { throw LXDError.badRequest("No name provided") }
        guard !post.name.contains("/"), post.name != ".", post.name != "..", !post.name.hasPrefix("-") else {
            throw LXDError.badRequest("Invalid storage pool name \"\(post.name)\"")
        }
        guard !post.driver.isEmpty else { throw LXDError.badRequest("No driver provided") }
        let type = try StorageDrivers.type(named: post.driver)
        let lock = await acquire("pool/" + post.name)
        defer { lock.unlock() }
        if try await database.storagePool(named: post.name) != nil {
            throw LXDError.conflict("The storage pool already exists: The record already exists")
        }
        try StorageDrivers.validatePoolConfig(post.config, driver: type)
        if let reason = type.unavailableReason() {
            throw LXDError.badRequest("Failed loading storage driver \"\(post.driver)\": \(reason)")
        }
        var record = StoragePoolRecord(name: post.name, driver: post.driver, description: post.description, config: post.config)
        record.config = try type.init(pool: context(record)).fillConfig()
        let driver = type.init(pool: context(record))
        try await driver.create()
        do {
            try await database.createStoragePool(record)
        } catch {
            try? await driver.delete()
            throw error
        }
    }

    /// What uses a pool, as LXD lists it: instances, profiles, images and custom volumes.
    func usedBy(_ pool: String) async throws -> [String] {
        var usedBy: [String] = []
        for profile in try await database.profiles()
        where profile.put.devices.values.contains(where: { $0["type"] == "disk" && $0["pool"] == pool }) {
            usedBy.append("/1.0/profiles/\(profile.name)")
        }
        let volumes = try await database.storageVolumes(pool: pool)
        for volume in volumes {
            switch volume.type {
            case .container: usedBy.append("/1.0/instances/\(volume.name)")
            case .image: usedBy.append("/1.0/images/\(volume.name)")
            case .custom: usedBy.append("/1.0/storage-pools/\(pool)/volumes/custom/\(volume.name)")
            }
        }
        return usedBy.sorted()
    }

    func beginVolumeCreation(_ pool: String) throws {
        guard !poolsBeingDeleted.contains(pool) else { throw LXDError.badRequest("Storage pool \"\(pool)\" is being deleted") }
        volumeCreations[pool, default: 0] += 1
    }

    func endVolumeCreation(_ pool: String) {
        volumeCreations[pool, default: 1] -= 1
        if volumeCreations[pool] == 0 { volumeCreations[pool] = nil }
    }

    func deletePool(_ name: String) async throws {
        let lock = await acquire("pool/" + name)
        defer { lock.unlock() }
        let record = try await poolRecord(name)
        poolsBeingDeleted.insert(name)
        defer { poolsBeingDeleted.remove(name) }
        while volumeCreations[name] != nil { try await Task.sleep(for: .milliseconds(10)) }
        // A volume deleted just before still has files being removed; waiting here, not after
        // the check, keeps the time between check and delete short.
        await DeferredRemoval.shared.wait(poolRoot: context(record).mountPath)
        // Cached image volumes do not keep a pool alive; anything else does.
        let usedBy = try await self.usedBy(name)
        guard usedBy.allSatisfy({ $0.hasPrefix("/1.0/images/") }) else {
            throw LXDError.badRequest("The storage pool is currently in use")
        }
        let driver = try StorageDrivers.make(record.driver, pool: context(record))
        for volume in try await database.storageVolumes(pool: name, type: .image) {
            try await driver.deleteVolume(Volume(.image, volume.name, config: volume.config), snapshots: [])
            try await database.deleteStorageVolume(pool: name, type: .image, name: volume.name)
        }
        try await driver.delete()
        try await database.deleteStoragePool(name: name)
    }

    /// `PUT` (all keys) or `PATCH` (merged) of a pool's config and description.
    func updatePool(_ name: String, _ put: StoragePoolPut, merge: Bool) async throws {
        let lock = await acquire("pool/" + name)
        defer { lock.unlock() }
        var record = try await poolRecord(name)
        let type = try StorageDrivers.type(named: record.driver)
        var config = merge ? record.config.merging(put.config) { _, new in new } : put.config
        // The keys the pool was made with stay as they are unless given.
        for key in ["source", "size", "lvm.vg_name", "lvm.thinpool_name"] where config[key] == nil { config[key] = record.config[key] }
        try StorageDrivers.validatePoolConfig(config, driver: type)
        config = config.filter { !$0.value.isEmpty || $0.key == "source" }
        var changed: [String: String] = [:]
        for key in Set(config.keys).union(record.config.keys) where config[key] != record.config[key] {
            changed[key] = config[key] ?? ""
        }
        try await type.init(pool: context(record)).update(changed)
        record.config = config
        if !(merge && put.description.isEmpty) { record.description = put.description }
        try await database.updateStoragePool(name: name, config: record.config, description: record.description)
    }

    func resources(_ pool: String) async throws -> ResourcesStoragePool {
        let usage = try await driver(pool).usage()
        return ResourcesStoragePool(space: .init(used: usage.used, total: usage.total), inodes: .init(used: 0, total: 0))
    }

    /// At daemon start: every pool reachable again (loop files mounted, volume groups active).
    func mountAll() async {
        guard let records = try? await database.storagePools() else { return }
        for record in records {
            do {
                try await StorageDrivers.make(record.driver, pool: context(record)).mount()
            } catch {
                logger.error("Failed mounting storage pool", ["pool": record.name, "err": "\(error)"])
            }
        }
    }

    /// At `lxd shutdown`, once the instances are stopped: pools unmounted, loop devices released.
    func unmountAll() async {
        guard let records = try? await database.storagePools() else { return }
        for record in records {
            do {
                try await StorageDrivers.make(record.driver, pool: context(record)).unmount()
            } catch {
                logger.error("Failed unmounting storage pool", ["pool": record.name, "err": "\(error)"])
            }
        }
    }

    /// The drivers this host can run with their versions, for `GET /1.0` (asked of the tools once).
    func supportedDrivers() async -> [ServerStorageDriverInfo] {
        if let cachedDrivers { return cachedDrivers }
        var drivers: [ServerStorageDriverInfo] = []
        for type in StorageDrivers.all where type.unavailableReason() == nil {
            drivers.append(ServerStorageDriverInfo(name: type.info.name, version: await type.version(), remote: false))
        }
        cachedDrivers = drivers
        return drivers
    }

    /// `environment.storage` and `storage_version`: the drivers of the pools in use, LXD's `a | b`.
    func driversInUse() async -> (names: String, versions: String) {
        let used = Set(((try? await database.storagePools()) ?? []).map(\.driver))
        let drivers = await supportedDrivers().filter { used.contains($0.name) }.sorted { $0.name < $1.name }
        return (drivers.map(\.name).joined(separator: " | "), drivers.map(\.version).joined(separator: " | "))
    }

    // MARK: Image volumes

    /// The pool's unpacked image volume, made on first use (LXD's optimized image storage).
    func ensureImageVolume(_ image: ImageRecord, driver: any StorageDriver, operation: BackgroundOperation?) async throws
        -> Volume
    {
        let pool = driver.pool.name
        let lock = await acquire("volume/\(pool)/image/\(image.fingerprint)")
        defer { lock.unlock() }
        let shift = "\(idmap.uidBase):\(idmap.gidBase):\(idmap.range)"
        if let existing = try await database.storageVolume(pool: pool, type: .image, name: image.fingerprint) {
            if existing.config["volatile.rootfs.shift"] == shift { return Volume(.image, image.fingerprint, config: existing.config) }
            // Unpacked for another id map: unpack again.
            try await driver.deleteVolume(Volume(.image, image.fingerprint, config: existing.config), snapshots: [])
            try await database.deleteStorageVolume(pool: pool, type: .image, name: image.fingerprint)
        }
        let volume = Volume(.image, image.fingerprint, config: ["volatile.rootfs.shift": shift])
        // A leftover of an interrupted unpack goes first.
        if HostStorage.exists(driver.pool.path(volume)) { try? await driver.deleteVolume(volume, snapshots: []) }
        let unpacker = ImageUnpacker(paths: paths, idmap: idmap)
        try await driver.createVolume(volume) { path in
            try await unpacker.unpack(image, into: path, operation: operation)
        }
        do {
            try await driver.sealImageVolume(volume)
            try await database.createStorageVolume(
                StorageVolumeRecord(pool: pool, name: image.fingerprint, type: .image, config: volume.config))
        } catch {
            try? await driver.deleteVolume(volume, snapshots: [])
            throw error
        }
        return volume
    }

    /// An image was deleted: its volumes go from every pool.
    func deleteImageVolumes(_ fingerprint: String) async {
        guard let volumes = try? await database.storageVolumes(type: .image) else { return }
        for volume in volumes where volume.name == fingerprint {
            do {
                let lock = await acquire("volume/\(volume.pool)/image/\(fingerprint)")
                defer { lock.unlock() }
                try await driver(volume.pool).deleteVolume(Volume(.image, fingerprint, config: volume.config), snapshots: [])
                try await database.deleteStorageVolume(pool: volume.pool, type: .image, name: fingerprint)
            } catch {
                logger.error("Failed deleting image volume", ["pool": volume.pool, "image": fingerprint, "err": "\(error)"])
            }
        }
    }
}

/// A root disk's `size` (LXD's units); nil or empty means no limit.
func parseVolumeSize(_ text: String?, key: String = "size") throws -> Int64? {
    guard let text, !text.isEmpty else { return nil }
    guard let bytes = ByteSize.parse(text) else { throw LXDError.badRequest("Invalid value for option \"\(key)\": Invalid value: \(text)") }
    return bytes == 0 ? nil : bytes
}
