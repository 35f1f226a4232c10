import Foundation
import LXDAPI
import LXDCore

/// Instance snapshots: the pool's driver snapshots the volume (a read-only subvolume on btrfs, a
/// thin snapshot on lvm, a reflinked copy on dir) under `containers-snapshots/<instance>/<snapshot>`,
/// and a row holds the config, devices and profiles of that moment. A running instance is frozen
/// while it is taken.
extension InstanceManager {
    func snapshotsPath(_ instance: String, pool: String) -> String { storage.instanceSnapshotsPath(instance, pool: pool) }
    func snapshotPath(_ instance: String, _ snapshot: String, pool: String) -> String {
        snapshotsPath(instance, pool: pool) + "/" + snapshot
    }

    /// What the API refuses before an operation starts (LXD's `ValidName` on snapshot names).
    /// LXD 5.0.2 also takes "." and "..", and its `dir` driver then copies the instance over its
    /// own snapshots folder; we refuse them.
    static func validateSnapshotName(_ name: String) throws {
        guard !name.contains("/") else { throw LXDError.badRequest("Invalid snapshot name: Cannot contain \"/\"") }
        guard name != "." && name != ".." else { throw LXDError.badRequest("Invalid snapshot name: \"\(name)\" is not allowed") }
    }

    /// What LXD checks when it writes the snapshot row (inside the operation).
    static func validateSnapshotRecordName(_ name: String) throws {
        guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "/" }) else {
            throw LXDError.badRequest(
                "Failed creating instance snapshot record \"\(name)\": Invalid instance snapshot name: Cannot contain space or / characters"
            )
        }
    }

    func snapshotAPI(_ snapshot: SnapshotRecord) async throws -> InstanceSnapshot {
        var expandedConfig: [String: String] = [:]
        var expandedDevices: Devices = [:]
        for profile in try await database.profiles(named: snapshot.profiles) {
            expandedConfig.merge(profile.put.config) { _, new in new }
            expandedDevices.merge(profile.put.devices) { _, new in new }
        }
        expandedConfig.merge(snapshot.config) { _, new in new }
        expandedDevices.merge(snapshot.devices) { _, new in new }
        var api = InstanceSnapshot()
        api.architecture = snapshot.architecture
        api.config = snapshot.config
        api.createdAt = snapshot.createdAt
        api.devices = snapshot.devices
        api.ephemeral = snapshot.ephemeral
        api.expandedConfig = expandedConfig
        api.expandedDevices = expandedDevices.filter { $0.value["type"] != "none" }
        api.expiresAt = snapshot.expiresAt
        api.lastUsedAt = .goZero
        api.name = snapshot.name
        api.profiles = snapshot.profiles
        api.stateful = snapshot.stateful
        api.size = -1
        return api
    }

    /// The name `snapshots.pattern` gives (LXD's default `snap%d`): the pattern is a template with
    /// `creation_date`; `%d` becomes one more than the highest index already used, and a name
    /// without `%d` that is taken gets `-%d` appended.
    func nextSnapshotName(_ instance: String, pattern: String, at created: Timestamp) async throws -> String {
        let template = pattern.isEmpty ? "snap%d" : pattern
        let rendered: String
        do {
            rendered = try TemplateEngine.render(template, context: ["creation_date": .time(created)])
        } catch {
            throw LXDError.badRequest("Failed to render snapshots.pattern: \(error)")
        }
        try Self.validateSnapshotName(rendered)
        let taken = Set(try await database.snapshots(of: instance).map(\.name))
        var withIndex = rendered
        if !rendered.contains("%d") {
            guard taken.contains(rendered) else { return rendered }
            withIndex = rendered + "-%d"
        }
        return Self.nextIndexedName(withIndex, taken: taken)
    }

    /// `prefix%dsuffix` with the index after the highest one in `taken`.
    static func nextIndexedName(_ pattern: String, taken: Set<String>) -> String {
        guard let marker = pattern.range(of: "%d") else { return pattern }
        let prefix = pattern[..<marker.lowerBound]
        let suffix = pattern[marker.upperBound...]
        var next = 0
        for name in taken where name.hasPrefix(prefix) && name.hasSuffix(suffix) && name.count > prefix.count + suffix.count {
            let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
            if middle.allSatisfy(\.isNumber), let index = Int(middle) { next = max(next, index + 1) }
        }
        return prefix + String(next) + suffix
    }

    /// LXD refuses a stateful snapshot it cannot take; so do we, before anything is created.
    func checkStatefulSnapshot(_ instance: String) async throws {
        guard await status(instance) == .running else {
            throw LXDError.badRequest("Unable to create a stateful snapshot. The instance isn't running")
        }
        try await CRIU.checkAvailable(for: "create a stateful snapshot")
        // `criu check` passes: the dump itself is not built yet (it cannot be exercised on the
        // hosts this daemon is tested on).
        throw LXDError.notImplemented("Unable to create a stateful snapshot. Stateful snapshots are not supported yet")
    }

    /// `POST /1.0/instances/NAME/snapshots`. `expiresAt` nil: from `snapshots.expiry`; Go's zero
    /// time: never. An empty name comes from `snapshots.pattern`.
    @discardableResult
    func createSnapshot(
        _ instance: String, name requested: String, stateful: Bool = false, expiresAt: Timestamp?, requestor: EventLifecycleRequestor?
    ) async throws -> String {
        let lock = locks.lock(for: instance)
        await lock.lock()
        defer { lock.unlock() }
        let record = try await record(instance)
        let expanded = try await expanded(record)
        let created = Timestamp.now()
        let name =
            requested.isEmpty
            ? try await nextSnapshotName(instance, pattern: expanded.config["snapshots.pattern"] ?? "", at: created) : requested
        try Self.validateSnapshotName(name)
        try Self.validateSnapshotRecordName(name)
        if try await database.snapshot(of: instance, named: name) != nil {
            throw LXDError.conflict(
                "Failed creating instance snapshot record \"\(name)\": Add snapshot info to the database: This \"instances_snapshots\" entry already exists"
            )
        }
        var expiry = expiresAt ?? .goZero
        if expiresAt == nil, let rule = try SnapshotExpiry.parse(expanded.config["snapshots.expiry"] ?? "") {
            expiry = rule.expiry(from: created)
        }
        if stateful { try await checkStatefulSnapshot(instance) }
        let pool = try rootPool(expanded.devices)
        let storage = self.storage
        try await withFrozen(instance, pool: pool, requestor: requestor) {
            try await storage.createInstanceSnapshot(instance, name, pool: pool)
        }
        let snapshot = SnapshotRecord(
            instance: instance, name: name, architecture: record.architecture, ephemeral: record.ephemeral, config: record.config,
            devices: record.devices, profiles: record.profiles, createdAt: created, expiresAt: expiry)
        do {
            try await database.createSnapshot(snapshot)
        } catch {
            try? await storage.deleteInstanceSnapshot(instance, name, pool: pool)
            throw error
        }
        events.lifecycle(
            "instance-snapshot-created", source: "/1.0/instances/\(instance)/snapshots/\(name)", requestor: requestor)
        return name
    }

    /// `PUT`/`PATCH` on a snapshot: only its expiry can change (LXD's `InstanceSnapshotPut`).
    func updateSnapshot(_ instance: String, _ name: String, expiresAt: Timestamp, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: instance)
        await lock.lock()
        defer { lock.unlock() }
        guard try await database.snapshot(of: instance, named: name) != nil else {
            throw LXDError.notFound("Instance snapshot not found")
        }
        try await database.updateSnapshotExpiry(of: instance, named: name, to: expiresAt)
        events.lifecycle("instance-snapshot-updated", source: "/1.0/instances/\(instance)/snapshots/\(name)", requestor: requestor)
    }

    /// Runs `body` with the instance frozen when it is running and its pool's driver needs that
    /// for a consistent copy, as LXD does, with its `instance-paused` / `instance-resumed` events.
    func withFrozen(_ instance: String, pool: String, requestor: EventLifecycleRequestor?, _ body: () async throws -> Void)
        async throws
    {
        let driver = try await storage.driver(pool)
        guard type(of: driver).info.freezesRunningInstances, await status(instance) == .running,
            let pid = await lxc.initPID(instance)
        else {
            try await body()
            return
        }
        let freezer = CgroupFreezer(pid: pid)
        try freezer.set(frozen: true)
        events.lifecycle("instance-paused", source: "/1.0/instances/\(instance)", requestor: requestor)
        defer {
            try? freezer.set(frozen: false)
            events.lifecycle("instance-resumed", source: "/1.0/instances/\(instance)", requestor: requestor)
        }
        try await body()
    }

    /// `cp -a --reflink=auto`: ownership, modes, xattrs and hardlinks kept; blocks shared where
    /// the filesystem supports reflinks.
    static func copyVolume(_ source: String, to target: String) async throws {
        try await HostStorage.copyTree(source, to: target)
    }

    func deleteSnapshot(_ instance: String, _ name: String, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: instance)
        await lock.lock()
        defer { lock.unlock() }
        let record = try await record(instance)
        guard try await database.snapshot(of: instance, named: name) != nil else { throw LXDError.notFound("Snapshot not found") }
        let pool = try rootPool(try await expanded(record).devices)
        try await storage.deleteInstanceSnapshot(instance, name, pool: pool)
        try await database.deleteSnapshot(of: instance, named: name)
        events.lifecycle("instance-snapshot-deleted", source: "/1.0/instances/\(instance)/snapshots/\(name)", requestor: requestor)
    }

    func renameSnapshot(_ instance: String, _ name: String, to newName: String, requestor: EventLifecycleRequestor?) async throws {
        try Self.validateSnapshotName(newName)
        let lock = locks.lock(for: instance)
        await lock.lock()
        defer { lock.unlock() }
        let record = try await record(instance)
        let pool = try rootPool(try await expanded(record).devices)
        try await database.renameSnapshot(of: instance, from: name, to: newName)
        do {
            try await storage.renameInstanceSnapshot(instance, name, to: newName, pool: pool)
        } catch {
            try? await database.renameSnapshot(of: instance, from: newName, to: name)
            throw error
        }
        events.lifecycle(
            "instance-snapshot-renamed", source: "/1.0/instances/\(instance)/snapshots/\(newName)",
            context: ["old_name": .string(name)], requestor: requestor)
    }

    /// Puts the instance back as the snapshot has it (volume, config, devices, profiles). A
    /// running instance is stopped first and started again after.
    func restoreSnapshot(_ instance: String, _ name: String, requestor: EventLifecycleRequestor?) async throws {
        guard try await database.snapshot(of: instance, named: name) != nil else {
            throw LXDError.notFound("Snapshot \(instance)/\(name) does not exist")
        }
        let wasRunning = await status(instance) != .stopped
        if wasRunning { try await stop(instance, force: true, timeout: 0, requestor: requestor, keepPowerState: true) }
        do {
            let lock = locks.lock(for: instance)
            await lock.lock()
            defer { lock.unlock() }
            var record = try await record(instance)
            guard let snapshot = try await database.snapshot(of: instance, named: name) else {
                throw LXDError.notFound("Snapshot not found")
            }
            let devices = try await expanded(record).devices
            let pool = try rootPool(devices)
            try await storage.restoreInstanceSnapshot(instance, name, pool: pool, size: rootSize(devices))
            var config = snapshot.config
            // What the daemon tracks about the running instance stays as it is now.
            for key in ["volatile.last_state.power", "volatile.idmap.current"] { config[key] = record.config[key] }
            record.config = config
            record.devices = snapshot.devices
            record.profiles = snapshot.profiles
            try await database.updateInstance(record)
            events.lifecycle(
                "instance-restored", source: "/1.0/instances/\(instance)", context: ["snapshot": .string(name)], requestor: requestor)
        }
        if wasRunning { try await start(instance, requestor: requestor) }
    }
}
