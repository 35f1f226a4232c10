import Archive
import CShim
import Foundation
import LXDAPI
import LXDCore
import LXDOS

/// Creates, starts, stops and deletes containers; the one owner of their on-disk layout:
/// `storage-pools/<pool>/containers/<name>/{rootfs,templates,metadata.yaml}`, linked from
/// `$LXD_DIR/containers/<name>` (liblxc's lxcpath), with `logs/<name>/lxc.conf`.
actor InstanceManager {
    let paths: DaemonPaths
    let database: Database
    let events: EventHub
    let images: ImageStore
    let lxc: LXCRuntime
    let idmap: IdmapSet
    let logger: Logger
    /// The pools: every instance volume is made, copied, snapshotted and deleted through it.
    let storage: StorageManager
    /// The managed networks and the host side of NICs.
    let networks: NetworkManager
    /// Our own binary, re-executed as `lxd forkstart` / `lxd forkexec`.
    let executable: String
    /// `lxd forkspare` processes waiting to become the next forkstart, forkexec or forkfile.
    let helpers: SpareHelpers
    let locks = KeyedAsyncLocks()
    /// Held while an isolated id block is chosen and stored (two creates never get the same).
    let idmapLock = AsyncLock()
    /// Set while `lxd shutdown` stops everything: stops then keep `volatile.last_state.power`.
    private var isShuttingDown = false

    init(
        paths: DaemonPaths, database: Database, events: EventHub, images: ImageStore, idmap: IdmapSet, logger: Logger,
        networks: NetworkManager
    ) {
        self.networks = networks
        self.paths = paths
        self.database = database
        self.events = events
        self.images = images
        self.idmap = idmap
        self.logger = logger
        lxc = LXCRuntime(lxcpath: paths.containers)
        storage = StorageManager(paths: paths, database: database, events: events, idmap: idmap, logger: logger)
        executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        helpers = SpareHelpers(path: executable, environment: Self.helperEnvironment)
    }

    // MARK: Reading

    func record(_ name: String) async throws -> InstanceRecord {
        // `c1/snap0` on an instance endpoint (files, state, exec...): a snapshot is not an instance.
        if name.contains("/") { throw LXDError.badRequest("Invalid instance name") }
        guard let record = try await database.instance(named: name) else { throw LXDError.notFound("Instance not found") }
        return record
    }

    /// Profiles in order, then the instance's own keys (LXD's precedence).
    func expanded(_ record: InstanceRecord) async throws -> (config: [String: String], devices: Devices) {
        record.expanded(with: try await database.profiles(named: record.profiles))
    }

    func status(_ name: String) async -> StatusCode {
        await statusAndPID(name).status
    }

    /// The status and the init's pid (when not stopped), from one liblxc handle.
    func statusAndPID(_ name: String) async -> (status: StatusCode, pid: Int32?) {
        let (state, pid) = await lxc.stateAndInitPID(name)
        switch state {
        case "RUNNING":
            if let pid, CgroupFreezer(pid: pid).isFrozen { return (.frozen, pid) }
            return (.running, pid)
        case "FROZEN", "FREEZING": return (.frozen, pid)
        case "STARTING": return (.starting, pid)
        case "STOPPING", "ABORTING": return (.stopping, pid)
        default: return (.stopped, nil)
        }
    }

    func api(_ record: InstanceRecord) async throws -> Instance {
        let status = await status(record.name)
        let expanded = try await expanded(record)
        return api(record, status: status, expanded: expanded)
    }

    private func api(_ record: InstanceRecord, status: StatusCode, expanded: (config: [String: String], devices: Devices)) -> Instance {
        var instance = Instance()
        instance.architecture = record.architecture
        instance.config = record.config
        instance.devices = record.devices
        instance.ephemeral = record.ephemeral
        instance.profiles = record.profiles
        instance.stateful = record.stateful
        instance.description = record.description
        instance.createdAt = record.createdAt
        instance.expandedConfig = expanded.config
        instance.expandedDevices = expanded.devices
        instance.name = record.name
        instance.status = status.text
        instance.statusCode = status.rawValue
        instance.lastUsedAt = record.lastUsedAt
        instance.location = "none"
        instance.type = record.type
        instance.project = "default"
        return instance
    }

    /// The instance, its state and snapshots (`recursion=2`): liblxc asked once, the profiles read once.
    func full(_ record: InstanceRecord) async throws -> InstanceFull {
        var snapshots: [InstanceSnapshot] = []
        for snapshot in try await database.snapshots(of: record.name) { snapshots.append(try await snapshotAPI(snapshot)) }
        let (status, pid) = await statusAndPID(record.name)
        let expanded = try await expanded(record)
        return InstanceFull(
            instance: api(record, status: status, expanded: expanded),
            state: await state(record.name, record: record, status: status, pid: pid, devices: expanded.devices),
            snapshots: snapshots.isEmpty ? nil : snapshots, backups: nil)
    }

    func state(_ name: String) async -> InstanceState {
        let (status, pid) = await statusAndPID(name)
        guard status != .stopped, pid != nil else { return InstanceState(status: .stopped) }
        let record = try? await database.instance(named: name)
        var devices: Devices?
        if let record { devices = try? await expanded(record).devices }
        return await state(name, record: record, status: status, pid: pid, devices: devices)
    }

    private func state(_ name: String, record: InstanceRecord?, status: StatusCode, pid: Int32?, devices: Devices?) async
        -> InstanceState
    {
        guard status != .stopped, let pid else { return InstanceState(status: .stopped) }
        var state = await InstanceStateReader(lxc: lxc, name: name, pid: pid).read(status: status)
        if let record, let devices {
            for (interface, host) in await networks.hostNames(record, devices: devices) { state.network?[interface]?.hostName = host }
        }
        return state
    }

    // MARK: Creating

    func volumePath(_ name: String, pool: String) -> String { storage.instanceVolumePath(name, pool: pool) }

    /// The root disk's `size` (a quota where the pool's driver enforces one).
    func rootSize(_ devices: Devices) -> String? {
        devices.values.first(where: { $0["type"] == "disk" && $0["path"] == "/" })?["size"]
    }

    /// The pool of the root disk device (LXD: the instance's or its profiles' `root` disk).
    func rootPool(_ devices: Devices) throws -> String {
        guard let root = devices.values.first(where: { $0["type"] == "disk" && $0["path"] == "/" }), let pool = root["pool"],
            !pool.isEmpty
        else {
            throw LXDError.badRequest("Failed creating instance: No root device could be found")
        }
        return pool
    }

    /// Validates the request and the image, then returns the work of the "Creating instance"
    /// operation. Everything a client can get wrong is checked here, before the 202.
    func prepareCreate(_ post: InstancesPost) async throws -> @Sendable (BackgroundOperation) async throws -> Void {
        try InstanceName.validate(post.name)
        if !post.type.isEmpty && post.type != "container" {
            throw LXDError.badRequest("Instance type \"\(post.type)\" is not supported")
        }
        let profiles = post.put.profiles ?? ["default"]
        for name in profiles where try await database.profile(named: name) == nil {
            // LXD 5.0.2 answers a copy's missing profile with a 500.
            let message = "Requested profile \"\(name)\" doesn't exist"
            throw post.source.type == "copy" ? LXDError.internalError(message) : LXDError.badRequest(message)
        }
        let found = try await database.profiles(named: profiles)
        if let message = createValidationError(config: post.put.config, devices: post.put.devices) {
            // LXD reports invalid config through the failed operation (202 first).
            return { _ in throw LXDError.badRequest(message) }
        }
        if post.source.type != "copy" {
            let draft = InstanceRecord(name: post.name, architecture: "", devices: post.put.devices, profiles: profiles, createdAt: .now())
            try await networks.validateNICs(draft.expanded(with: found).devices, instance: post.name)
        }
        var image: ImageRecord?
        switch post.source.type {
        case "image":
            let reference = !post.source.alias.isEmpty ? post.source.alias : post.source.fingerprint
            image = try await images.resolve(reference, aliases: !post.source.alias.isEmpty)
        case "none":
            image = nil
        case "copy":
            let parts = post.source.source.split(separator: "/", maxSplits: 1).map(String.init)
            guard let sourceName = parts.first, !sourceName.isEmpty else { throw LXDError.badRequest("Must specify a source instance") }
            guard !sourceName.contains("/"), try await database.instance(named: sourceName) != nil else {
                throw LXDError.notFound("Failed to fetch instance \"\(sourceName)\" in project \"default\": Instance not found")
            }
            if parts.count == 2, try await database.snapshot(of: sourceName, named: parts[1]) == nil {
                throw LXDError.notFound(
                    "Failed to fetch snapshot \"\(parts[1])\" of instance \"\(sourceName)\" in project \"default\": InstanceSnapshot not found"
                )
            }
            if post.source.refresh, try await database.instance(named: post.name) != nil {
                return { operation in try await self.refreshCopy(post, from: sourceName, operation: operation) }
            }
            if try await database.instance(named: post.name) != nil {
                // LXD reports a duplicate through the failed operation (202 first).
                return { _ in
                    throw LXDError.conflict(
                        "Failed creating instance record: Add instance info to the database: This \"instances\" entry already exists")
                }
            }
            return { operation in
                try await self.copy(
                    post, from: sourceName, snapshot: parts.count == 2 ? parts[1] : nil, operation: operation)
            }
        case "migration":
            throw LXDError.notImplemented("Instance source type \"\(post.source.type)\" is not supported yet")
        default:
            throw LXDError.badRequest("Unknown source type \(post.source.type)")
        }
        return { [image] operation in
            try await self.create(post, profiles: profiles, image: image, operation: operation)
        }
    }

    private func create(_ post: InstancesPost, profiles: [String], image: ImageRecord?, operation: BackgroundOperation) async throws {
        let lock = locks.lock(for: post.name)
        await lock.lock()
        defer { lock.unlock() }
        var config = post.put.config
        if let image {
            for (key, value) in image.properties { config["image.\(key)"] = value }
            config["volatile.base_image"] = image.fingerprint
            config["volatile.apply_template"] = "create"
        }
        config["volatile.uuid"] = UUID().uuidString.lowercased()
        config["volatile.cloud-init.instance-id"] = UUID().uuidString.lowercased()
        // The rootfs is shifted into the daemon's map while it is unpacked; a container with
        // its own map is remapped at first start.
        config["volatile.last_state.idmap"] = idmap.volatileJSON
        var record = InstanceRecord(
            name: post.name, architecture: image?.architecture ?? HostInfo.gather().kernelArchitecture,
            ephemeral: post.put.ephemeral, description: post.put.description, config: config, devices: post.put.devices,
            profiles: profiles, createdAt: .now())
        record = try await createRecordWithIdmap(record)
        // The row first (a duplicate name fails here, touching nothing), then the storage; on any
        // failure the storage steps are undone and the row removed before the operation fails.
        let reverter = Reverter()
        let pool: String
        do {
            pool = try await createStorage(record, image: image, operation: operation, reverter: reverter)
        } catch {
            reverter.fail()
            try? await database.deleteInstance(name: post.name)
            throw error
        }
        reverter.success()
        events.lifecycle(
            "instance-created", source: "/1.0/instances/\(post.name)",
            context: ["storage-pool": .string(pool), "type": .string("container")])
    }

    /// `lxc copy SRC[/SNAP] DST`: a new instance (fresh volatile keys, the `copy` template
    /// trigger) whose volume is a copy of the source's (or of the snapshot's), with the source's
    /// snapshots unless `instance_only`.
    private func copy(_ post: InstancesPost, from source: String, snapshot: String?, operation: BackgroundOperation)
        async throws
    {
        let lock = locks.lock(for: post.name)
        await lock.lock()
        defer { lock.unlock() }
        let sourceRecord = try await record(source)
        var sourceSnapshot: SnapshotRecord?
        if let snapshot { sourceSnapshot = try await database.snapshot(of: source, named: snapshot) }
        var config = post.put.config
        if config.isEmpty { config = sourceSnapshot?.config ?? sourceRecord.config }
        for key in config.keys where key.hasPrefix("volatile.") && key != "volatile.base_image" { config[key] = nil }
        config["volatile.uuid"] = UUID().uuidString.lowercased()
        config["volatile.cloud-init.instance-id"] = UUID().uuidString.lowercased()
        // The copied files keep the source's owners: the map they were written in comes along.
        config["volatile.last_state.idmap"] =
            (sourceSnapshot?.config ?? sourceRecord.config)["volatile.last_state.idmap"] ?? idmap.volatileJSON
        config["volatile.apply_template"] = "copy"
        var record = InstanceRecord(
            name: post.name, architecture: sourceRecord.architecture, ephemeral: post.put.ephemeral, description: post.put.description,
            config: config, devices: post.put.devices.isEmpty ? (sourceSnapshot?.devices ?? sourceRecord.devices) : post.put.devices,
            profiles: post.put.profiles ?? (sourceSnapshot?.profiles ?? sourceRecord.profiles), createdAt: .now())
        let pool = try rootPool(try await expanded(record).devices)
        guard try await database.storagePool(named: pool) != nil else {
            throw LXDError.notFound(
                "Failed creating instance record: Failed initialising instance: Failed loading storage pool: Storage pool not found")
        }
        record = try await createRecordWithIdmap(record)
        let sourcePool = try rootPool(try await expanded(sourceRecord).devices)
        let copiedSnapshots = snapshot == nil && !post.source.instanceOnly ? try await database.snapshots(of: source) : []
        let size = rootSize(try await expanded(record).devices)
        let reverter = Reverter()
        do {
            let storage = self.storage
            let copyVolume: () async throws -> Void = {
                try await storage.copyInstanceVolume(
                    from: source, snapshot: snapshot, sourcePool: sourcePool, to: post.name, pool: pool,
                    snapshots: copiedSnapshots.map(\.name), size: size)
            }
            if snapshot == nil {
                try await withFrozen(source, pool: sourcePool, requestor: nil) { try await copyVolume() }
            } else {
                try await copyVolume()
            }
            let link = paths.instanceLink(post.name)
            try? FileManager.default.removeItem(atPath: link)
            symlink(volumePath(post.name, pool: pool), link)
            reverter.add { unlink(link) }
            try FileManager.default.createDirectory(atPath: paths.instanceLogs(post.name), withIntermediateDirectories: true)
            for snap in copiedSnapshots {
                var copied = snap
                copied.instance = post.name
                try await database.createSnapshot(copied)
            }
        } catch {
            reverter.fail()
            try? await storage.deleteInstanceVolume(post.name, pool: pool, snapshots: copiedSnapshots.map(\.name))
            try? await database.deleteInstance(name: post.name)
            throw error
        }
        reverter.success()
        events.lifecycle(
            "instance-created", source: "/1.0/instances/\(post.name)",
            context: ["storage-pool": .string(pool), "type": .string("container")])
    }

    /// The volume, its rootfs and templates from the image, the lxcpath link and the log folder;
    /// each step registers its undo on `reverter`. Returns the pool.
    private func createStorage(_ record: InstanceRecord, image: ImageRecord?, operation: BackgroundOperation, reverter: Reverter)
        async throws -> String
    {

        let devices = try await expanded(record).devices
        let pool = try rootPool(devices)
        guard try await database.storagePool(named: pool) != nil else {
            throw LXDError.notFound("Failed creating instance: Storage pool \"\(pool)\" not found")
        }
        let link = paths.instanceLink(record.name)
        let logs = paths.instanceLogs(record.name)
        let started = ContinuousClock.now
        let volume = try await storage.createInstanceVolume(
            record.name, pool: pool, image: image, size: rootSize(devices), operation: operation)
        logger.debug("Created instance volume", ["instance": record.name, "duration": "\(ContinuousClock.now - started)"])
        do {
            try? FileManager.default.removeItem(atPath: link)
            guard symlink(volume, link) == 0 else {
                throw LXDError.internalError("Failed linking instance volume: \(String(cString: strerror(errno)))")
            }
            reverter.add { unlink(link) }
            try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
            reverter.add { HostStorage.removeTree(logs) }
            if let image { try await database.touchImage(fingerprint: image.fingerprint, at: .now()) }
        } catch {
            try? await storage.deleteInstanceVolume(record.name, pool: pool, snapshots: [])
            throw error
        }
        return pool
    }

    // MARK: Lifecycle

    func start(_ name: String, requestor: EventLifecycleRequestor?) async throws {
        CgroupWarmup.shared.warm()
        var timer = StepTimer(logger, "Start timings", ["instance": name])
        await snapshotAtStartup(name)
        timer.mark("snapshot-at-startup")
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        timer.mark("lock")
        try await startLocked(name, requestor: requestor, timer: &timer)
        timer.log()
    }

    private func startLocked(_ name: String, requestor: EventLifecycleRequestor?, timer: inout StepTimer) async throws {
        var record = try await record(name)
        timer.mark("record")
        let status = await status(name)
        timer.mark("status")
        if status == .running { throw LXDError.badRequest("The instance is already running") }
        if status == .frozen { throw LXDError.badRequest("The instance is paused") }
        let expanded = try await expanded(record)
        timer.mark("expand")
        let pool = try rootPool(expanded.devices)
        let volume = try await storage.mountInstanceVolume(name, pool: pool)
        let rootfs = volume + "/rootfs"
        let devices = try await storage.resolveDiskDevices(expanded.devices)
        timer.mark("volume")

        let diskMap = diskIdmap(record)
        if let trigger = record.config["volatile.apply_template"] {
            try applyTemplates(record: record, config: expanded.config, volume: volume, trigger: trigger, owner: diskMap.rootOwner)
            record.config["volatile.apply_template"] = nil
        }
        try applyTemplates(record: record, config: expanded.config, volume: volume, trigger: "start", owner: diskMap.rootOwner)
        timer.mark("templates")
        let nextMap = nextIdmap(record)
        try await Self.remapRootfs(volume: volume, from: diskMap, to: nextMap)
        if diskMap != nextMap {
            record.config["volatile.last_state.idmap"] = nextMap.volatileJSON
            try await database.updateInstance(record)
        }
        timer.mark("idmap")

        let configPath = paths.instanceLXCConfig(name)
        let logs = paths.instanceLogs(name)
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let unixNodes = try makeUnixNodes(name, expanded.devices, idmap: nextMap)
        var spec = LXCConfigSpec(
            name: name, rootfsPath: rootfs, hostname: name, idmapLines: nextMap.lxcConfigLines, logFile: logs + "/lxc.log",
            consoleLogFile: logs + "/console.log", rawLXC: expanded.config["raw.lxc"] ?? "",
            environment: Self.environment(expanded.config),
            mountEntries: try InstanceDevices(devices: devices, nodes: unixNodes.nodes).mountEntries())
        spec.cgroupSettings = try CgroupLimits(layout: .host).settings(config: expanded.config, devices: expanded.devices, rootfs: rootfs)
        spec.security = LXCSecurity(
            isPrivileged: nextMap.isPrivileged, isNesting: ConfigBool.isTrue(expanded.config["security.nesting"] ?? ""),
            deviceRules: unixNodes.rules)
        timer.mark("spec")
        let nicPlan = try await networks.prepareStart(record, devices: expanded.devices)
        spec.nics = nicPlan.entries
        for (key, value) in nicPlan.volatile { record.config[key] = value }
        timer.mark("nics")
        do {
            try await database.updateInstance(record)
            timer.mark("db-update")
            // dnsmasq learns the NICs' MACs (static leases, DNS names) before they ask.
            if !nicPlan.entries.isEmpty { await networks.refreshHosts() }
            try await launch(name, spec: spec, configPath: configPath, logs: logs, timer: &timer)
            try await networks.finishStart(nicPlan)
            timer.mark("nics-finish")
        } catch {
            await networks.abortStart(nicPlan)
            throw error
        }
        record.config["volatile.last_state.power"] = "RUNNING"
        record.config["volatile.idmap.current"] = nextMap.volatileJSON
        record.lastUsedAt = .now()
        try await database.updateInstance(record)
        timer.mark("db-update")
        events.lifecycle("instance-started", source: "/1.0/instances/\(name)", requestor: requestor)
        timer.mark("event")
    }

    /// Writes the container's `lxc.conf` and runs `lxd forkstart` until the container runs.
    private func launch(_ name: String, spec: LXCConfigSpec, configPath: String, logs: String, timer: inout StepTimer) async throws {
        var withHook = spec
        withHook.postStopHook = "\(executable) callhook \(paths.root) \(name) stop"
        let text = LXCConfig.render(withHook)
        // One open and write (FileManager.createFile writes a temporary file, renames it and sets
        // the attributes: ~1 ms per start here). Only the helper reads it, after this returns.
        do {
            let file = try FileDescriptor.open(configPath, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
            try file.closeAfter {
                guard fchmod(file.rawValue, 0o600) == 0 else { throw Errno.current }
                try file.writeAll(text)
            }
        } catch {
            throw LXDError.internalError("Failed writing \(configPath): \(error)")
        }
        timer.mark("lxc.conf")

        let logPath = logs + "/forkstart.log"
        let executable = self.executable
        let lxcpath = paths.containers
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let command = Command(
            path: executable, arguments: ["lxd", "forkstart", name, lxcpath, configPath], environment: Self.helperEnvironment,
            fds: [devNull, log, log])
        let pid: Int32
        do {
            pid = try helpers.spawn(command)
            close(devNull)
            close(log)
        } catch {
            close(devNull)
            close(log)
            throw LXDError.internalError("Failed starting forkstart: \(error)")
        }
        timer.mark("spawn")
        let exitStatus = await ProcessSupervisor.shared.wait(pid: pid)
        timer.mark("forkstart")
        guard case .exited(0) = exitStatus else {
            // LXD's wording; liblxc's reasons are in lxc.log (forkstart.log keeps the helper's
            // own words), which the clients' hint (`lxc info --show-log`) points at.
            throw LXDError.internalError("Failed to run: \(executable) forkstart \(name) \(lxcpath) \(configPath): \(exitStatus)")
        }
    }

    /// `environment.*` keys become the container's init environment.
    static func environment(_ config: [String: String]) -> [String: String] {
        var environment: [String: String] = [:]
        for (key, value) in config where key.hasPrefix("environment.") {
            environment[String(key.dropFirst("environment.".count))] = value
        }
        return environment
    }

    /// The environment our helper subcommands run with (no daemon secrets, a sane PATH).
    static let helperEnvironment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]

    /// Renders the templates whose `when` includes `trigger` into the rootfs.
    private func applyTemplates(
        record: InstanceRecord, config: [String: String], volume: String, trigger: String, owner: (uid: Int64, gid: Int64)
    ) throws {
        guard let text = KernelFile.read(volume + "/metadata.yaml") else { return }
        let metadata = try ImageMetadataFile.parse(text)
        let writer = RootfsWriter(rootfs: volume + "/rootfs", owner: (UInt32(owner.uid), UInt32(owner.gid)))
        for (path, template) in metadata.templates.sorted(by: { $0.key < $1.key }) where template.when.contains(trigger) {
            let source = volume + "/templates/" + template.template
            guard let body = KernelFile.read(source) else {
                throw LXDError.internalError("Failed reading template \"\(template.template)\"")
            }
            if template.createOnly, FileManager.default.fileExists(atPath: volume + "/rootfs" + path) { continue }
            let renderer = TemplateRenderer(
                container: [
                    "name": record.name, "architecture": record.architecture,
                    "privileged": config["security.privileged"] ?? "false", "ephemeral": record.ephemeral ? "true" : "false",
                ],
                config: config, properties: template.properties, trigger: trigger, path: path)
            try writer.write(renderer.render(body), to: path)
        }
    }

    func stop(_ name: String, force: Bool, timeout: Int, requestor: EventLifecycleRequestor?, keepPowerState: Bool = false) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        try await stopLocked(name, force: force, timeout: timeout, requestor: requestor, keepPowerState: keepPowerState)
    }

    private func stopLocked(_ name: String, force: Bool, timeout: Int, requestor: EventLifecycleRequestor?, keepPowerState: Bool)
        async throws
    {
        var record = try await record(name)
        let status = await status(name)
        if status == .stopped { throw LXDError.badRequest("The instance is already stopped") }
        if force {
            if status == .frozen { try? await freezer(name).set(frozen: false) }
            try await lxc.stop(name)
        } else {
            if status == .frozen { throw LXDError.badRequest("The instance is paused") }
            let stopped = try await lxc.shutdown(name, timeout: Int32(clamping: timeout < 0 ? -1 : timeout))
            if !stopped { throw LXDError.internalError("Failed shutting down instance: timed out waiting for it to stop") }
        }
        for (key, value) in await networks.cleanupAfterStop(record, devices: try await expanded(record).devices) {
            record.config[key] = value
        }
        if !keepPowerState {
            record.config["volatile.last_state.power"] = "STOPPED"
        }
        try await database.updateInstance(record)
        events.lifecycle("instance-stopped", source: "/1.0/instances/\(name)", requestor: requestor)
        if record.ephemeral && !keepPowerState {
            // Deleted here rather than by the stop hook, so that the stop operation ends with it.
            try await deleteLocked(name, requestor: requestor)
        }
    }

    func restart(_ name: String, force: Bool, timeout: Int, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        try await stopLocked(name, force: force, timeout: timeout, requestor: requestor, keepPowerState: true)
        var timer = StepTimer(logger, "Start timings", ["instance": name])
        try await startLocked(name, requestor: requestor, timer: &timer)
        timer.log()
        events.lifecycle("instance-restarted", source: "/1.0/instances/\(name)", requestor: requestor)
    }

    func freeze(_ name: String, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        _ = try await record(name)
        switch await status(name) {
        case .stopped: throw LXDError.badRequest("The container isn't running")
        case .frozen: throw LXDError.badRequest("The container is already frozen")
        default: break
        }
        try await freezer(name).set(frozen: true)
        events.lifecycle("instance-paused", source: "/1.0/instances/\(name)", requestor: requestor)
    }

    func unfreeze(_ name: String, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        _ = try await record(name)
        guard await status(name) == .frozen else { throw LXDError.badRequest("The container is already running") }
        try await freezer(name).set(frozen: false)
        events.lifecycle("instance-resumed", source: "/1.0/instances/\(name)", requestor: requestor)
    }

    private func freezer(_ name: String) async throws -> CgroupFreezer {
        guard let pid = await lxc.initPID(name) else { throw LXDError.badRequest("The instance isn't running") }
        return CgroupFreezer(pid: pid)
    }

    func delete(_ name: String, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        try await deleteLocked(name, requestor: requestor)
    }

    private func deleteLocked(_ name: String, requestor: EventLifecycleRequestor?) async throws {
        var timer = StepTimer(logger, "Delete timings", ["instance": name])
        let record = try await record(name)
        if await status(name) != .stopped {
            throw LXDError.badRequest("The instance is currently running, stop it first")
        }
        let devices = try await expanded(record).devices
        timer.mark("record")
        let link = paths.instanceLink(name)
        let logs = paths.instanceLogs(name)
        if let pool = try? rootPool(devices) {
            let snapshots = try await database.snapshots(of: name).map(\.name)
            try await storage.deleteInstanceVolume(name, pool: pool, snapshots: snapshots)
        }
        timer.mark("volume")
        let devicesFolder = devicesFolder(name)
        try await Blocking.run("lxd-delete") {
            unlink(link)
            HostStorage.removeTree(logs)
            HostStorage.removeTree(devicesFolder)
        }
        timer.mark("logs")
        try await database.deleteInstance(name: name)
        timer.mark("db")
        await networks.refreshHosts()
        timer.mark("hosts")
        events.lifecycle("instance-deleted", source: "/1.0/instances/\(name)", requestor: requestor)
        timer.log()
    }

    func rename(_ name: String, to newName: String, requestor: EventLifecycleRequestor?) async throws {
        try InstanceName.validate(newName)
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        let record = try await record(name)
        if await status(name) != .stopped { throw LXDError.badRequest("Renaming of running container not allowed") }
        if try await database.instance(named: newName) != nil {
            throw LXDError.conflict("Name \"\(newName)\" already in use")
        }
        let pool = try rootPool(try await expanded(record).devices)
        let newVolume = volumePath(newName, pool: pool)
        try await storage.renameInstanceVolume(name, to: newName, pool: pool)
        unlink(paths.instanceLink(name))
        symlink(newVolume, paths.instanceLink(newName))
        _ = Glibc.rename(paths.instanceLogs(name), paths.instanceLogs(newName))
        try await database.renameInstance(from: name, to: newName)
        await networks.refreshHosts()
        events.lifecycle(
            "instance-renamed", source: "/1.0/instances/\(newName)", context: ["old_name": .string(name)], requestor: requestor)
    }

    /// `PUT /1.0/instances/NAME`: replaces the editable fields (volatile keys may not be changed).
    func update(_ name: String, _ put: InstancePut, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        var record = try await record(name)
        let profiles = put.profiles ?? []
        let found = try await database.profiles(named: profiles)
        for profile in profiles where !found.contains(where: { $0.name == profile }) {
            throw LXDError.badRequest("Requested profile \"\(profile)\" doesn't exist")
        }
        // Disks on custom volumes must name volumes that exist.
        for (device, settings) in put.devices.sorted(by: { $0.key < $1.key })
        where settings["type"] == "disk" && settings["path"] != "/" && !(settings["pool"] ?? "").isEmpty {
            try await storage.validateCustomVolumeDisk(device, settings)
        }
        var updated = record
        updated.config = put.config
        updated.devices = put.devices
        updated.profiles = profiles
        updated.description = put.description
        updated.ephemeral = put.ephemeral
        if !put.architecture.isEmpty { updated.architecture = put.architecture }
        try await validateUpdate(from: record, to: &updated)
        let newExpanded = try await expanded(updated)
        try await networks.validateNICs(newExpanded.devices, instance: name)
        let limits = try await cgroupSettings(old: record, new: updated)
        let oldDevices = try await expanded(record).devices
        if rootSize(oldDevices) != rootSize(newExpanded.devices), let pool = try? rootPool(newExpanded.devices),
            (try? rootPool(oldDevices)) == pool
        {
            try await storage.setInstanceQuota(name, pool: pool, size: rootSize(newExpanded.devices))
        }
        if await status(name) == .running {
            try await hotplugDevices(
                name, old: try await storage.resolveDiskDevices(try await expanded(record).devices),
                new: try await storage.resolveDiskDevices(newExpanded.devices))
            // Limits apply live; a value the kernel refuses leaves the stored config unchanged.
            try await applyCgroupChanges(name, from: limits.old, to: limits.new)
            if let pid = await lxc.initPID(name) {
                let changes = try await networks.applyLive(
                    record, pid: pid, old: try await expanded(record).devices, new: newExpanded.devices)
                for (key, value) in changes { updated.config[key] = value }
            }
        }
        record = updated
        try await database.updateInstance(record)
        await networks.refreshHosts()
        events.lifecycle("instance-updated", source: "/1.0/instances/\(name)", requestor: requestor)
    }

    /// The container's post-stop hook (`lxd callhook`): it stopped, by itself (init exited,
    /// `poweroff` inside) or through us. Runs after any stop in progress has finished; an
    /// instance that stopped by itself records it, and an ephemeral one is deleted.
    func stoppedByHook(_ name: String) async {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        guard !isShuttingDown, var record = try? await database.instance(named: name) else { return }
        // liblxc runs the hook just before the container reaches STOPPED; a container that runs
        // again was restarted meanwhile.
        var current = await status(name)
        for attempt in 0..<100 where current != .stopped {
            if current == .running && attempt >= 20 { return }
            try? await Task.sleep(for: .milliseconds(50))
            current = await status(name)
        }
        guard current == .stopped else { return }
        if let devices = try? await expanded(record).devices {
            let changes = await networks.cleanupAfterStop(record, devices: devices)
            if !changes.isEmpty {
                for (key, value) in changes { record.config[key] = value }
                try? await database.updateInstance(record)
            }
        }
        if record.ephemeral {
            do {
                try await deleteLocked(name, requestor: nil)
            } catch {
                logger.error("Failed deleting ephemeral instance", ["instance": name, "err": "\(error)"])
            }
            return
        }
        if record.config["volatile.last_state.power"] == "RUNNING" {
            record.config["volatile.last_state.power"] = "STOPPED"
            try? await database.updateInstance(record)
            events.lifecycle("instance-shutdown", source: "/1.0/instances/\(name)")
        }
    }

    // MARK: Daemon start and stop

    /// After a restart: instances that were running when `lxd shutdown` stopped them start
    /// again; those still running (after a crash or `kill -9`) are left untouched.
    func resumeAfterRestart() async {
        guard let records = try? await database.instances() else { return }
        for record in records where record.config["volatile.last_state.power"] == "RUNNING" {
            guard await status(record.name) == .stopped else { continue }
            do {
                try await start(record.name, requestor: nil)
            } catch {
                logger.error("Failed starting instance at daemon start", ["instance": record.name, "err": "\(error)"])
            }
        }
    }

    /// `lxd shutdown`: stops every running instance cleanly (forcing after `timeout`), keeping
    /// `volatile.last_state.power` so that the next start brings them back.
    func stopAllForShutdown(timeout: Int) async {
        isShuttingDown = true
        guard let records = try? await database.instances() else { return }
        await withTaskGroup(of: Void.self) { group in
            for record in records {
                group.addTask {
                    guard await self.status(record.name) != .stopped else { return }
                    do {
                        try await self.stop(record.name, force: false, timeout: timeout, requestor: nil, keepPowerState: true)
                    } catch {
                        try? await self.stop(record.name, force: true, timeout: 0, requestor: nil, keepPowerState: true)
                    }
                }
            }
        }
    }
}
