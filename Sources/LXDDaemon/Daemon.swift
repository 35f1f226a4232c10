import Dispatch
import Foundation
import LXDAPI
import LXDCore
import LXDHTTP
import Synchronization

/// Options of the `lxd` daemon command line.
public struct DaemonOptions: Sendable {
    public var group: String?
    public var logFile: String?
    public var debug = false
    public var verbose = false

    public init() {}
}

/// The daemon: opens `$LXD_DIR`, serves the API on its unix socket and runs until a signal or
/// `lxd shutdown`. SIGTERM/SIGINT leave running containers alone (as LXD does); SIGPWR and
/// `lxd shutdown` stop them first so that the next start brings them back.
public final class Daemon: Sendable {
    let paths: DaemonPaths
    let options: DaemonOptions
    private let ready = Atomic<Bool>(false)
    private let exitSignal = DispatchSemaphore(value: 0)
    private let exitCode = Atomic<Int32>(0)

    public init(paths: DaemonPaths, options: DaemonOptions) {
        self.paths = paths
        self.options = options
    }

    /// Runs the daemon to completion and returns the process exit code.
    public func run() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let logger: Logger
        let state: DaemonState
        let server: HTTPServer
        do {
            try prepareDirectory()
            let level: Logger.Level = options.debug ? .debug : options.verbose ? .info : .warning
            let sink = LogSink(level: level, path: options.logFile ?? paths.logs + "/lxd.log", toStderr: true)
            logger = Logger(label: "lxd", sink: sink)
            state = try makeState(logger: logger)
            let dispatcher = RequestDispatcher(
                router: Router(endpoints: Endpoints.all(state)), logger: logger, trust: state.trust,
                isReady: { [self] in self.ready.load(ordering: .acquiring) })
            state.https.setHandler { connection in dispatcher.handle(connection) }
            server = try HTTPServer(unixSocketPath: paths.socket, mode: 0o660, group: try groupID()) { connection in
                dispatcher.handle(connection)
            }
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            return 1
        }
        server.start()
        logger.info("LXD is starting", ["path": paths.root])

        let signals = installSignalHandlers(state: state)
        state.instances.helpers.refill()
        Task {
            await Self.startNetworkListener(state)
            await state.storage.mountAll()
            await state.networks.restoreAll()
            await state.instances.resumeAfterRestart()
            self.ready.store(true, ordering: .releasing)
            logger.info("Daemon started")
            // Image upkeep, as LXD: expired cached images go, pulled images follow their alias.
            Task { await CachedImageExpiry(state: state).run() }
            Task { await ImageAutoUpdater(state: state).run() }
        }
        Task { await SnapshotScheduler(instances: state.instances, database: state.database, logger: logger).run() }
        exitSignal.wait()
        server.stop()
        state.https.stop()
        // Let in-flight responses (the answer to `lxd shutdown` itself) reach their clients.
        for _ in 0..<50 where server.activeConnections > 0 { usleep(20_000) }
        withExtendedLifetime(signals) {}
        logger.info("Daemon stopped")
        return exitCode.load(ordering: .acquiring)
    }

    private func makeState(logger: Logger) throws -> DaemonState {
        let database = try Database(path: paths.databaseFile)
        let events = EventHub()
        let operations = OperationRegistry(events: events)
        let images = ImageStore(paths: paths, database: database, events: events)
        let serverCertificate = try ServerCertificate.loadOrCreate(paths: paths)
        let networks = NetworkManager(paths: paths, database: database, events: events, logger: logger)
        let instances = InstanceManager(
            paths: paths, database: database, events: events, images: images, idmap: IdmapSet.fromSystem(), logger: logger,
            networks: networks)
        return DaemonState(
            paths: paths, database: database, events: events, operations: operations, images: images, instances: instances,
            networks: networks, host: HostInfo.gather(), serverCertificate: serverCertificate, trust: TrustStore(database: database),
            https: HTTPSEndpoint(context: try serverCertificate.serverContext()), logger: logger,
            requestExit: { [self] in self.exit(0) })
    }

    /// Loads the trust store and listens on `core.https_address`; a listener that cannot bind
    /// is logged, not fatal (as in LXD).
    private static func startNetworkListener(_ state: DaemonState) async {
        do {
            try await state.trust.reload()
            let address = try await state.database.serverConfig()["core.https_address"] ?? ""
            try state.https.apply(address)
        } catch {
            state.logger.warning("Failed starting the network listener", ["err": String(describing: error)])
        }
    }

    func exit(_ code: Int32) {
        exitCode.store(code, ordering: .releasing)
        exitSignal.signal()
    }

    /// Creates `$LXD_DIR` and its folders. Refuses a directory that holds Debian LXD's database,
    /// and a socket that another daemon still answers on.
    private func prepareDirectory() throws {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: paths.database + "/global") || fileManager.fileExists(atPath: paths.database + "/local.db"),
            !fileManager.fileExists(atPath: paths.databaseFile)
        {
            throw CoreError("\(paths.root) holds another LXD's database; refusing to touch it (set LXD_DIR to another directory)")
        }
        if fileManager.fileExists(atPath: paths.socket), (try? HTTPClient(unixSocketPath: paths.socket).request("GET", "/1.0")) != nil {
            throw CoreError("LXD is already running")
        }
        try fileManager.createDirectory(atPath: paths.root, withIntermediateDirectories: true)
        // Unprivileged container roots must be able to traverse to their rootfs.
        var info = stat()
        if stat(paths.root, &info) == 0, info.st_mode & 0o001 == 0 {
            chmod(paths.root, (info.st_mode & 0o7777) | 0o711)
        }
        for (folder, mode) in [
            (paths.database, 0o700), (paths.images, 0o700), (paths.logs, 0o700), (paths.cache, 0o700), (paths.containers, 0o711),
            (paths.storagePools, 0o711), (paths.devices, 0o711), (paths.security, 0o700),
        ] {
            try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            chmod(folder, mode_t(mode))
        }
        try? fileManager.removeItem(atPath: paths.images + "/tmp")
    }

    private func groupID() throws -> gid_t? {
        guard let group = options.group, !group.isEmpty else { return nil }
        if let id = gid_t(group) { return id }
        guard let entry = getgrnam(group) else { throw CoreError("Group \"\(group)\" not found") }
        return entry.pointee.gr_gid
    }

    private func installSignalHandlers(state: DaemonState) -> [DispatchSourceSignal] {
        var sources: [DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT, SIGQUIT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                state.logger.info("Received signal, exiting", ["signal": String(number)])
                self.exit(0)
            }
            source.resume()
            sources.append(source)
        }
        signal(SIGPWR, SIG_IGN)
        let power = DispatchSource.makeSignalSource(signal: SIGPWR, queue: .global())
        power.setEventHandler { [self] in
            Task {
                await state.instances.stopAllForShutdown(timeout: 60)
                await state.storage.unmountAll()
                await state.networks.stopAll()
                self.exit(0)
            }
        }
        power.resume()
        sources.append(power)
        return sources
    }
}
