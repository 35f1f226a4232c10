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

    /// `ip netns exec` mounts a fresh /sys for the namespace, without the cgroup hierarchies
    /// mounted under /sys/fs/cgroup: shell commands that mount this host's hierarchies again, so
    /// that a daemon started that way finds its containers' cgroups (limits, freezing, counters).
    public static func cgroupRemountScript(mountInfo: String? = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8))
        -> String
    {
        var commands: [String] = []
        for line in (mountInfo ?? "").split(separator: "\n") {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { continue }
            let left = halves[0].split(separator: " ")
            let right = halves[1].split(separator: " ")
            guard left.count >= 5, right.count >= 3, left[4].hasPrefix("/sys/fs/cgroup") else { continue }
            let point = String(left[4])
            let options = right[2].split(separator: ",").filter { $0 != "rw" && $0 != "ro" }.joined(separator: ",")
            switch right[0] {
            case "tmpfs" where point == "/sys/fs/cgroup": commands.append("mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup")
            case "cgroup": commands.append("mkdir -p \(point) && mount -t cgroup -o \(options) cgroup \(point)")
            case "cgroup2": commands.append("mkdir -p \(point) && mount -t cgroup2 cgroup2 \(point)")
            default: continue
            }
        }
        return commands.joined(separator: " && ")
    }
}
