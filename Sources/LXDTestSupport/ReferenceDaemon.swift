import Foundation

/// The real LXD 5.0.2 (Debian's `lxd`), started as `../shared/reference/reference-daemon.md`
/// shows: a private `LXD_DIR`, a `dir` pool from a preseed (no bridge, no network), image
/// auto-update off. Stopped by its pid and removed when the test ends.
public final class ReferenceDaemon: @unchecked Sendable {
    // Only the owning test touches it.
    public static let binary = "/usr/bin/lxd"
    public let directory: String
    private var process: Process?

    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    public var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["LXD_DIR"] = directory
        environment["LXD_SOCKET"] = nil
        environment["HOME"] = directory + "/home"
        return environment
    }

    init() throws {
        var bytes = Array("/tmp/swiftlxd-ref-XXXXXX".utf8CString)
        guard let made = mkdtemp(&bytes) else { throw TestFailure("mkdtemp failed") }
        directory = String(cString: made)
        chmod(directory, 0o755)
        try FileManager.default.createDirectory(atPath: directory + "/home/.config/lxc", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: directory + "/home/.config/lxc/config.yml", contents: Data("default-remote: local\n".utf8))
    }

    public static func with<T>(_ body: (ReferenceDaemon) async throws -> T) async throws -> T {
        let reference = try ReferenceDaemon()
        defer { reference.tearDown() }
        try reference.start()
        return try await body(reference)
    }

    /// Debian's `lxc` (or the given client) against the reference daemon.
    @discardableResult
    public func lxc(_ arguments: [String], stdin: Data? = nil, client: String = TestEnvironment.debianLXC) throws -> CommandResult {
        try runCommand(client, arguments, environment: environment, stdin: stdin, timeout: 180)
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--group", "root", "--logfile", directory + "/lxd.log"]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        try runCommand(Self.binary, ["waitready", "--timeout", "120"], environment: environment, timeout: 150).check()
        try runCommand(Self.binary, ["init", "--preseed"], environment: environment, stdin: Data(DaemonFixture.preseed.utf8)).check()
        try lxc(["config", "set", "images.auto_update_interval", "0"]).check()
    }

    func tearDown() {
        if let process, process.isRunning {
            if let list = try? lxc(["list", "--format", "csv", "-c", "n"]) {
                for name in list.stdout.split(separator: "\n") { _ = try? lxc(["delete", "--force", String(name)]) }
            }
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<100 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
