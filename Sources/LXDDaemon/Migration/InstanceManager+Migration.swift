import Foundation
import LXDAPI
import LXDCore

/// What migration needs from the instance layer, in one place: where an instance's volume and
/// snapshots live, the offer describing them, and creating (or undoing) the instance a sink
/// receives. The transfer itself stays in `Migration/`.
extension InstanceManager {
    /// The instance's volume, snapshot volumes and the header fields describing them.
    struct MigrationSourceInfo: Sendable {
        let volume: String
        let snapshots: [(name: String, path: String, record: MigrationSnapshot)]
        let idmap: [MigrationIDMap]
    }

    /// With `snapshot`, that snapshot's volume and id map stand for the instance.
    func migrationSourceInfo(_ name: String, instanceOnly: Bool, snapshot: String? = nil) async throws -> MigrationSourceInfo {
        let record = try await record(name)
        let pool = try rootPool(try await expanded(record).devices)
        if let snapshot {
            guard let snap = try await database.snapshot(of: name, named: snapshot) else {
                throw LXDError.notFound("Snapshot not found")
            }
            _ = try await storage.mountInstanceVolume(name, pool: pool)
            let disk = (snap.config["volatile.last_state.idmap"] ?? record.config["volatile.last_state.idmap"]).flatMap(
                IdmapSet.fromVolatile)
            return MigrationSourceInfo(
                volume: snapshotPath(name, snapshot, pool: pool), snapshots: [], idmap: Self.migrationIDMap(disk ?? idmap))
        }
        var snapshots: [(name: String, path: String, record: MigrationSnapshot)] = []
        if !instanceOnly {
            for snap in try await database.snapshots(of: name) {
                var message = MigrationSnapshot(name: snap.name)
                message.config = snap.config
                message.profiles = snap.profiles
                message.ephemeral = snap.ephemeral
                message.devices = snap.devices
                message.architecture = MigrationArchitecture.id(snap.architecture.isEmpty ? record.architecture : snap.architecture)
                message.stateful = snap.stateful
                message.creationDate = snap.createdAt.seconds
                message.lastUsedDate = 0
                message.expiryDate = snap.expiresAt.isGoZero ? 0 : snap.expiresAt.seconds
                snapshots.append((snap.name, snapshotPath(name, snap.name, pool: pool), message))
            }
        }
        let disk = record.config["volatile.last_state.idmap"].flatMap(IdmapSet.fromVolatile) ?? idmap
        let volume = try await storage.mountInstanceVolume(name, pool: pool)
        return MigrationSourceInfo(volume: volume, snapshots: snapshots, idmap: Self.migrationIDMap(disk))
    }

    /// The header's description of the ids a volume's files are owned by.
    static func migrationIDMap(_ map: IdmapSet) -> [MigrationIDMap] {
        map.entries.map { MigrationIDMap(isUID: $0.isUID, isGID: $0.isGID, hostID: $0.hostID, nsID: $0.nsID, range: $0.range) }
    }

    /// Where a sink receives: the new instance's record and its (empty) volume through the pool,
    /// the lxcpath link and logs. The link and logs are undone by `reverter`; the volume, its
    /// snapshots and the record by `abandonMigrationTarget`.
    func prepareMigrationTarget(_ post: InstancesPost, reverter: Reverter) async throws -> (volume: String, pool: String) {
        try InstanceName.validate(post.name)
        var config = post.put.config
        for key in config.keys where key.hasPrefix("volatile.") && key != "volatile.base_image" { config[key] = nil }
        config["volatile.uuid"] = UUID().uuidString.lowercased()
        config["volatile.cloud-init.instance-id"] = UUID().uuidString.lowercased()
        config["volatile.idmap.base"] = "0"
        config["volatile.idmap.next"] = idmap.volatileJSON
        config["volatile.last_state.idmap"] = idmap.volatileJSON
        config["volatile.apply_template"] = "copy"
        var record = InstanceRecord(
            name: post.name, architecture: post.put.architecture.isEmpty ? HostInfo.gather().kernelArchitecture : post.put.architecture,
            ephemeral: post.put.ephemeral, description: post.put.description, config: config, devices: post.put.devices,
            profiles: post.put.profiles ?? ["default"], createdAt: .now())
        _ = try await database.profiles(named: record.profiles)
        record = try await database.createInstance(record)
        let name = post.name
        let devices = try await expanded(record).devices
        let pool = try rootPool(devices)
        guard try await database.storagePool(named: pool) != nil else {
            throw LXDError.notFound("Failed creating instance: Storage pool \"\(pool)\" not found")
        }
        let volume = try await storage.createInstanceVolume(name, pool: pool, image: nil, size: rootSize(devices), operation: nil)
        let link = paths.instanceLink(name)
        try? FileManager.default.removeItem(atPath: link)
        guard symlink(volume, link) == 0 else {
            throw LXDError.internalError("Failed linking instance volume: \(String(cString: strerror(errno)))")
        }
        reverter.add { unlink(link) }
        let logs = paths.instanceLogs(name)
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        reverter.add { HostStorage.removeTree(logs) }
        return (volume, pool)
    }

    /// A refresh's target: stopped, its snapshots that the source no longer has deleted; the
    /// volume (mounted) and the snapshots it keeps.
    func prepareMigrationRefresh(_ name: String, keeping sourceSnapshots: [String]) async throws
        -> (volume: String, pool: String, snapshots: [String])
    {
        guard await status(name) == .stopped else {
            throw LXDError.badRequest("Failed getting exclusive access to instance: Instance is running")
        }
        let record = try await record(name)
        let pool = try rootPool(try await expanded(record).devices)
        var kept: [String] = []
        for snapshot in try await database.snapshots(of: name) {
            if sourceSnapshots.contains(snapshot.name) {
                kept.append(snapshot.name)
            } else {
                try await deleteSnapshot(name, snapshot.name, requestor: nil)
            }
        }
        let volume = try await storage.mountInstanceVolume(name, pool: pool)
        return (volume, pool, kept)
    }

    /// Keeps what the volume holds now as snapshot `snapshot` (received before the next one).
    func storeMigratedSnapshot(_ instance: String, _ snapshot: MigrationSnapshot, pool: String) async throws {
        try await storage.createInstanceSnapshot(instance, snapshot.name, pool: pool)
        let record = try await record(instance)
        try await database.createSnapshot(
            SnapshotRecord(
                instance: instance, name: snapshot.name, stateful: snapshot.stateful,
                architecture: MigrationArchitecture.name(snapshot.architecture) ?? record.architecture, ephemeral: snapshot.ephemeral,
                config: snapshot.config, devices: snapshot.devices, profiles: snapshot.profiles,
                createdAt: Timestamp(seconds: snapshot.creationDate ?? Int64(Date().timeIntervalSince1970)),
                expiresAt: (snapshot.expiryDate ?? 0) > 0 ? Timestamp(seconds: snapshot.expiryDate ?? 0) : .goZero))
    }

    /// Removes what a sink that failed made: the volume and its snapshots, then the record (its
    /// snapshots' rows go with it).
    func abandonMigrationTarget(_ name: String) async {
        if let record = try? await record(name), let pool = try? rootPool(try await expanded(record).devices) {
            let snapshots = (try? await database.snapshots(of: name).map(\.name)) ?? []
            try? await storage.deleteInstanceVolume(name, pool: pool, snapshots: snapshots)
        }
        try? await database.deleteInstance(name: name)
    }

    /// The sink's last step: the instance exists.
    func finishMigrationTarget(_ name: String) async throws {
        let record = try await record(name)
        let pool = (try? rootPool(try await expanded(record).devices)) ?? ""
        events.lifecycle(
            "instance-created", source: "/1.0/instances/\(name)", context: ["storage-pool": .string(pool), "type": .string("container")])
    }
}

/// LXD's architecture numbers (`shared/osarch`) as the migration header carries them.
enum MigrationArchitecture {
    static let table: [(Int32, String)] = [
        (1, "i686"), (2, "x86_64"), (3, "armv7l"), (4, "aarch64"), (5, "ppc"), (6, "ppc64"), (7, "ppc64le"), (8, "s390x"), (9, "mips"),
        (10, "mips64"), (11, "riscv32"), (12, "riscv64"),
    ]

    static func id(_ name: String) -> Int32 { table.first { $0.1 == name }?.0 ?? 0 }
    static func name(_ id: Int32) -> String? { table.first { $0.0 == id }?.1 }
}
