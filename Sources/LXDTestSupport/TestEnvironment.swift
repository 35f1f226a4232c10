import Foundation

/// What the machine offers the integration tests.
public enum TestEnvironment {
    /// Debian's `lxc` 5.0.2 client (package `lxd-client`).
    public static let debianLXC = "/usr/bin/lxc"

    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Root, liblxc and Debian's client: what a real daemon with containers needs here.
    public static var canRunContainers: Bool {
        let fileManager = FileManager.default
        return getuid() == 0 && fileManager.isExecutableFile(atPath: debianLXC)
            && fileManager.isExecutableFile(atPath: "/usr/bin/lxc-start")
    }

    /// Under CI the container tests must run: a machine that cannot is a failure, not a skip.
    public static var mustRunContainers: Bool { isCI || canRunContainers }

    /// The folder holding the built `lxd` and `lxc` (next to the test bundle), or `SWIFTLXD_BIN`.
    public static var binaries: String {
        if let override = ProcessInfo.processInfo.environment["SWIFTLXD_BIN"], !override.isEmpty { return override }
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.path + "/lxd") { return url.path }
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug"
    }

    /// Our built `lxc`.
    public static var ourLXC: String { binaries + "/lxc" }

    /// The package root (for scripts/).
    public static var packageRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }
}
