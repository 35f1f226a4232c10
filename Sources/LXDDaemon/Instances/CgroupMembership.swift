import LXDOS

/// A process's cgroups as `/proc/PID/cgroup` lists them: its path in each v1 controller's
/// hierarchy (a "cpu,cpuacct" line gives both names) and in the unified (v2) one.
struct CgroupMembership: Sendable, Equatable {
    var v1: [String: String] = [:]
    var unified: String?

    init(v1: [String: String] = [:], unified: String? = nil) {
        self.v1 = v1
        self.unified = unified
    }

    /// Parses the file's "ID:CONTROLLERS:PATH" lines; "0::PATH" is the unified hierarchy.
    init(_ text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = String(fields[2])
            if fields[0] == "0" && fields[1].isEmpty {
                unified = path
            } else {
                for controller in fields[1].split(separator: ",") { v1[String(controller)] = path }
            }
        }
    }

    /// The membership of process `pid` (`"self"` for this one), or nil when it cannot be read.
    init?(pid: String) {
        guard let text = KernelFile.read("/proc/\(pid)/cgroup") else { return nil }
        self.init(text)
    }

    /// Where the unified hierarchy may be mounted below the cgroupfs root: `unified/` on a hybrid
    /// host (this machine kind), the root itself on a pure v2 host.
    static func unifiedRoots(_ root: String = "/sys/fs/cgroup") -> [String] { [root + "/unified", root] }
}
