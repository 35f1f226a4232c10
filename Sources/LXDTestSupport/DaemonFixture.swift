import Foundation
import LXDAPI
import LXDHTTP

/// A real `lxd` in a private temporary `LXD_DIR`, initialised with a `dir` pool, driven through
/// a client binary (Debian's `lxc` by default, or ours). Everything it made is removed when the
/// test ends, passed or failed: instances (force-deleted), the daemon (by its pid), the folder.
///
///     try await DaemonFixture.with { f in
///         try f.lxc(["launch", f.imageAlias, f.name("c1")]).check()
///     }
public final class DaemonFixture: @unchecked Sendable {
    // Only the test that owns the fixture touches it.
    public let directory: String
    public let prefix: String
    public private(set) var pid: Int32 = 0
    public let client: String
    public let imageAlias = "testimage"
    /// The network namespace the daemon runs in (`ip netns` name), for networking tests.
    public private(set) var netns: String?
    private var cleanups: [() -> Void] = []

    public var socket: String { directory + "/unix.socket" }
    public var lxd: String { TestEnvironment.binaries + "/lxd" }
    public var ourLXC: String { TestEnvironment.ourLXC }
    public var http: HTTPClient { HTTPClient(unixSocketPath: socket) }

    init(client: String, parent: String = "/tmp") throws {
        let template = parent + "/swiftlxd-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw TestFailure("mkdtemp failed") }
        directory = String(cString: made)
        chmod(directory, 0o711)
        // A client config folder, so that Debian's lxc skips its first-run banner.
        try FileManager.default.createDirectory(atPath: directory + "/home/.config/lxc", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: directory + "/home/.config/lxc/config.yml", contents: Data("default-remote: local\n".utf8))
        // Eight random letters: names derived from it (containers, their cgroups, network
        // namespaces) are host-wide, and parallel test runs must not collide.
        prefix = "t" + String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement() ?? "x" })
        self.client = client
    }

    /// Runs `body` with a started, initialised daemon (and the busybox test image imported under
    /// `imageAlias` when `withImage`), then cleans up whatever happened. The daemon gets a `dir`
    /// pool and no network; with `network`, it runs in a network namespace of its own
    /// (`NetworkNamespace`) and `lxd init --auto` also makes `lxdbr0` there, never on the host.
    public static func with<T>(
        client: String = TestEnvironment.debianLXC, withImage: Bool = true, network: Bool = false, parent: String = "/tmp",
        initialize: Bool = true,
        _ body: (DaemonFixture) async throws -> T
    ) async throws -> T {
        let fixture = try DaemonFixture(client: client, parent: parent)
        defer { fixture.tearDown() }
        if network {
            fixture.netns = try NetworkNamespace.create("swiftlxd-" + fixture.prefix)
        }
        try fixture.startDaemon()
        if initialize && network {
            try runCommand(fixture.lxd, ["init", "--auto"], environment: fixture.environment).check()
        } else if initialize {
            try runCommand(fixture.lxd, ["init", "--preseed"], environment: fixture.environment, stdin: Data(Self.preseed.utf8)).check()
        }
        if withImage {
            try fixture.lxc(["image", "import", try TestImage.busybox(), "--alias", fixture.imageAlias]).check()
        }
        return try await body(fixture)
    }

    /// A `dir` pool and the default profile's root disk on it: `lxd init --auto` without the
    /// bridge it would make on the host.
    public static let preseed = """
        storage_pools:
        - name: default
          driver: dir
        profiles:
        - name: default
          devices:
            root:
              path: /
              pool: default
              type: disk

        """

    /// Runs a command inside the daemon's network namespace (`ip netns exec`).
    @discardableResult
    public func inNamespace(_ command: [String]) throws -> CommandResult {
        guard let netns, !command.isEmpty else { throw TestFailure("The daemon has no network namespace of its own") }
        return try runCommand("/usr/sbin/ip", ["netns", "exec", netns] + command, environment: environment)
    }

    /// A unique name for this test's objects.
    public func name(_ base: String) -> String { "\(prefix)-\(base)" }

    public var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["LXD_DIR"] = directory
        environment["LXD_SOCKET"] = nil
        environment["HOME"] = directory + "/home"
        return environment
    }

    /// Runs the fixture's client with `LXD_DIR` pointing at this daemon.
    @discardableResult
    public func lxc(_ arguments: [String], stdin: Data? = nil, client: String? = nil, timeout: Double = 120) throws -> CommandResult {
        try runCommand(client ?? self.client, arguments, environment: environment, stdin: stdin, timeout: timeout)
    }

    /// Starts (or restarts) the daemon and waits until it is ready.
    public func startDaemon() throws {
        let log = directory + "/daemon.out"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        if let netns {
            // `ip netns exec` execs the daemon in place (same pid), with a /sys of that namespace
            // to which the shell adds the cgroup hierarchies.
            let remount = NetworkNamespace.cgroupRemountScript()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = [
                "netns", "exec", netns, "/bin/sh", "-c", (remount.isEmpty ? "" : remount + " && ") + "exec \"$0\" --group root --debug",
                lxd,
            ]
        } else {
            process.executableURL = URL(fileURLWithPath: lxd)
            process.arguments = ["--group", "root", "--debug"]
        }
        process.environment = environment
        let handle = FileHandle(forWritingAtPath: log)
        handle?.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        pid = process.processIdentifier
        try runCommand(lxd, ["waitready", "--timeout", "60"], environment: environment).check()
    }

    /// `kill -9` of the daemon (containers must survive it).
    public func killDaemon() {
        guard pid > 0 else { return }
        kill(pid, SIGKILL)
        waitForExit(pid)
        pid = 0
    }

    /// `lxd shutdown` (stops the containers; the next start brings them back).
    public func shutdownDaemon() throws {
        try runCommand(lxd, ["shutdown"], environment: environment, timeout: 180).check()
        waitForExit(pid)
        pid = 0
    }

    private func waitForExit(_ pid: Int32) {
        var status: Int32 = 0
        for _ in 0..<200 {
            if waitpid(pid, &status, WNOHANG) == pid || kill(pid, 0) != 0 { return }
            usleep(50_000)
        }
    }

    /// A sync GET through the raw API.
    public func get<T: Decodable>(_ path: String, as type: T.Type) throws -> T {
        let response = try http.request("GET", path)
        let envelope = try LXDJSON.decode(ResponseRaw.self, from: response.body)
        guard envelope.type != "error" else { throw TestFailure("GET \(path): \(envelope.error)") }
        return try envelope.metadata.decode(type)
    }

    /// The last `lines` lines of the daemon's output (it runs with `--debug`), for a failure's message.
    public func daemonLogTail(lines: Int = 60) -> String {
        let text = (try? String(contentsOfFile: directory + "/daemon.out", encoding: .utf8)) ?? ""
        return "daemon log (last \(lines) lines):\n"
            + text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    public func addCleanup(_ cleanup: @escaping () -> Void) { cleanups.append(cleanup) }

    func tearDown() {
        for cleanup in cleanups.reversed() { cleanup() }
        if pid == 0, FileManager.default.fileExists(atPath: lxd) {
            try? startDaemon()
        }
        if pid > 0 {
            if let names = try? get("/1.0/instances", as: [String].self) {
                for url in names {
                    let name = String(url.split(separator: "/").last ?? "")
                    _ = try? runCommand(TestEnvironment.debianLXC, ["delete", "--force", name], environment: environment, timeout: 60)
                }
            }
            kill(pid, SIGTERM)
            waitForExit(pid)
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        // Last: what still runs in the namespace (dnsmasq) goes with it.
        if let netns { NetworkNamespace.destroy(netns) }
        HostCleanup.release(under: directory)
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The busybox image from `scripts/build-busybox-image.sh`, built once per test process.
public enum TestImage {
    private static let cache = NSLock()
    nonisolated(unsafe) private static var built: String?

    public static func busybox() throws -> String {
        try cache.withLock {
            if let built, FileManager.default.fileExists(atPath: built) { return built }
            let path = TestEnvironment.packageRoot + "/.build/test-busybox.tar.xz"
            try runCommand("/bin/sh", [TestEnvironment.packageRoot + "/scripts/build-busybox-image.sh", path]).check()
            built = path
            return path
        }
    }
}
