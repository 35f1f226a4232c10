import Foundation

/// Resident memory from `/proc`. The target figure is the daemon process's own `VmRSS` (for LXD
/// its `lxd` process, for us ours): what the daemon itself costs. Each running container also
/// has a `[lxc monitor] LXCPATH NAME` process — liblxc's monitor, forked by the start helper
/// of either daemon (LXD's Go `lxd forkstart`, our `lxd forkstart`) — reported on its own row,
/// not in the daemon's figure: it is per container, not the daemon's, and its size is mostly
/// the binary that forked it.
enum Memory {
    static let daemonVia = "daemon VmRSS"

    static func monitorsVia(_ count: Int) -> String { "[lxc monitor] VmRSS, sum of \(count)" }

    static func childrenVia(_ count: Int) -> String { "the daemon's child processes VmRSS, sum of \(count)" }

    /// VmRSS in MiB, or nil if the process is gone.
    static func rss(pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kib = Double(fields[1]) else { return nil }
            return kib / 1024
        }
        return nil
    }

    /// The `[lxc monitor]` processes of containers under `lxcpath`: how many, and their VmRSS
    /// summed, in MiB.
    static func monitorsRSS(lxcpath: String) -> (count: Int, mebibytes: Double) {
        let prefix = Array("[lxc monitor] \(lxcpath) ".utf8)
        var count = 0
        var total = 0.0
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                cmdline.starts(with: prefix),
                let rss = rss(pid: pid)
            else { continue }
            count += 1
            total += rss
        }
        return (count, total)
    }

    /// The daemon's own child processes (ours: the `lxd forkspare` helpers it keeps waiting):
    /// how many, and their VmRSS summed, in MiB. Their pages are mostly the binary's, shared
    /// with the daemon, so the sum overstates what they add.
    static func childrenRSS(parent: Int32) -> (count: Int, mebibytes: Double) {
        var count = 0
        var total = 0.0
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == parent, let rss = rss(pid: pid) else { continue }
            count += 1
            total += rss
        }
        return (count, total)
    }

    /// VmRSS of `binary waitready` on an empty `LXD_DIR` after it has settled: the binary and
    /// its libraries loaded and initialised, nothing else (nil if it did not run).
    static func idleRSS(binary: String, scratch: String) -> Double? {
        let directory = scratch + "/idle-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["LXD_DIR"] = directory
        guard let pid = try? Spawn.start([binary, "waitready", "--timeout", "5"], environment: environment, output: directory + "/out")
        else { return nil }
        usleep(1_500_000)
        let rss = rss(pid: pid)
        kill(pid, SIGKILL)
        _ = Spawn.wait(pid)
        return rss
    }
}
