import Foundation
import LXDAPI
import LXDOS

/// The host's network tools (iproute2's `ip` and `tc`, `nft`, `iptables`, util-linux's
/// `nsenter`, `dnsmasq`), found on the helper PATH and run as children of the daemon. They act
/// on the daemon's own network namespace, or on a container's through `nsenter --net`.
enum HostTool {
    static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The absolute path of `name`, or nil when it is not installed.
    static func path(_ name: String) -> String? {
        for folder in searchPath where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
            return folder + "/" + name
        }
        return nil
    }

    /// Runs `name arguments...`; a non-zero exit throws with the tool's output as the cause.
    @discardableResult
    static func run(_ name: String, _ arguments: [String]) async throws -> String {
        guard let path = path(name) else { throw LXDError.internalError("Required tool \"\(name)\" is missing") }
        let result = try await ExternalTool.run(path, arguments)
        guard case .exited(0) = result.status else {
            let output = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            throw LXDError.internalError("Failed to run: \(name) \(arguments.joined(separator: " ")): \(output)")
        }
        return result.output
    }

    /// Runs a tool and ignores a failure (cleanup of things that may already be gone).
    static func attempt(_ name: String, _ arguments: [String]) async {
        _ = try? await run(name, arguments)
    }

    /// `ip ...` inside the network namespace of process `pid` (a container's init).
    @discardableResult
    static func ipInNamespace(of pid: Int32, _ arguments: [String]) async throws -> String {
        guard let ip = path("ip") else { throw LXDError.internalError("Required tool \"ip\" is missing") }
        return try await run("nsenter", ["--net=/proc/\(pid)/ns/net", "--", ip] + arguments)
    }

    /// Whether an interface of this name exists in the daemon's network namespace (netlink-free:
    /// `if_nametoindex` asks the kernel through a socket in our own namespace).
    static func linkExists(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count < 16 && if_nametoindex(name) != 0
    }

    /// Writes a `/proc/sys` value (`net/ipv4/ip_forward`) of the daemon's network namespace.
    static func sysctl(_ key: String, _ value: String) {
        try? value.write(toFile: "/proc/sys/" + key, atomically: false, encoding: .utf8)
    }

    static func readSysctl(_ key: String) -> String? {
        let path = "/proc/sys/" + key
        return KernelFile.read(path)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
