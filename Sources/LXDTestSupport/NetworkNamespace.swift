import Foundation

/// A named network namespace (`ip netns add`) for a test's daemon, its bridge, dnsmasq and the
/// containers' host-side interfaces. Destroying it kills what still runs inside (the test's own
/// processes: the daemon, dnsmasq, liblxc monitors) by pid, then removes it.
public enum NetworkNamespace {
    public static let ip = "/usr/sbin/ip"

    /// Whether this machine can give a test a network namespace with a bridge and dnsmasq.
    public static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: ip)
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/dnsmasq")
    }

    public static func create(_ name: String) throws -> String {
        try runCommand(ip, ["netns", "add", name]).check()
        do {
            try runCommand(ip, ["netns", "exec", name, ip, "link", "set", "lo", "up"]).check()
        } catch {
            destroy(name)
            throw error
        }
        return name
    }

    /// The pids of processes inside the namespace.
    public static func pids(_ name: String) -> [Int32] {
        guard let result = try? runCommand(ip, ["netns", "pids", name]) else { return [] }
        return result.stdout.split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    public static func destroy(_ name: String) {
        for signal in [SIGTERM, SIGKILL] {
            let pids = pids(name)
            if pids.isEmpty { break }
            for pid in pids { kill(pid, signal) }
            for _ in 0..<40 where !self.pids(name).isEmpty { usleep(50_000) }
        }
        _ = try? runCommand(ip, ["netns", "del", name])
    }
}
