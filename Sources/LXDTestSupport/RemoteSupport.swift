import Foundation
import LXDAPI
import LXDHTTP

/// One client's configuration folder (its own `HOME`, so its own `~/.config/lxc` with remotes,
/// client certificate and pinned server certificates), driving Debian's `lxc` or ours.
public final class ClientHome: @unchecked Sendable {
    // Only the owning test touches it.
    public let home: String
    public let client: String

    public var configDirectory: String { home + "/.config/lxc" }

    public init(client: String = TestEnvironment.debianLXC) throws {
        var bytes = Array("/tmp/swiftlxd-client-XXXXXX".utf8CString)
        guard let made = mkdtemp(&bytes) else { throw TestFailure("mkdtemp failed") }
        home = String(cString: made)
        self.client = client
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: configDirectory + "/config.yml", contents: Data("default-remote: local\n".utf8))
    }

    /// Runs the client with this HOME; the `local` remote is `local`'s daemon when given.
    @discardableResult
    public func lxc(_ arguments: [String], stdin: Data? = nil, local: DaemonFixture? = nil, client: String? = nil, timeout: Double = 120)
        throws -> CommandResult
    {
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        environment["LXD_DIR"] = local?.directory ?? home + "/no-local-daemon"
        environment["LXD_SOCKET"] = nil
        environment["LXD_CONF"] = nil
        environment["LXC_REMOTE"] = nil
        return try runCommand(client ?? self.client, arguments, environment: environment, stdin: stdin, timeout: timeout)
    }

    public var configText: String {
        (try? String(contentsOfFile: configDirectory + "/config.yml", encoding: .utf8)) ?? ""
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: home)
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw TestFailure("bind failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

extension DaemonFixture {
    /// Listens on a free loopback port (`core.https_address`), with `password` as the trust
    /// password when given; returns "127.0.0.1:PORT".
    @discardableResult
    public func listenHTTPS(password: String? = nil) throws -> String {
        let address = "127.0.0.1:\(try freeLoopbackPort())"
        try lxc(["config", "set", "core.https_address", address], client: TestEnvironment.debianLXC).check()
        if let password { try lxc(["config", "set", "core.trust_password", password], client: TestEnvironment.debianLXC).check() }
        return address
    }
}

extension ReferenceDaemon {
    /// The same for the real LXD.
    @discardableResult
    public func listenHTTPS(password: String? = nil) throws -> String {
        let address = "127.0.0.1:\(try freeLoopbackPort())"
        try lxc(["config", "set", "core.https_address", address]).check()
        if let password { try lxc(["config", "set", "core.trust_password", password]).check() }
        return address
    }
}
