import Foundation

/// The daemon's resident set, from `/proc/PID/status` (`VmRSS`, the daemon process only: the
/// per-container `[lxc monitor]` processes are the same liblxc code for both daemons).
enum Memory {
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
}
