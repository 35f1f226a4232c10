import Foundation
import LXDOS

/// Reads a running container's cgroup files straight from cgroupfs, found through its init's
/// `/proc/PID/cgroup`. liblxc's `get_cgroup_item` asks the container's monitor over its command
/// socket for every single file, on the one liblxc thread: listing 100 instances with their state
/// made ~1000 such round trips in a row. These are plain reads of kernel files, fine from any
/// thread.
///
/// The container's cgroup is the init's, cut after the `lxc.payload.*` component liblxc names
/// it with (a systemd init moves itself into `init.scope` below it). Without such a component
/// (a `raw.lxc` cgroup pattern) the reader is nil and callers fall back to liblxc.
struct CgroupReader: Sendable {
    /// The container's cgroup per v1 controller ("memory", "cpu,cpuacct" split into each name).
    private let v1: [String: String]
    /// Its cgroup in the unified (v2) hierarchy.
    private let unified: String?

    init?(pid: Int32) {
        guard let membership = CgroupMembership(pid: String(pid)) else { return nil }
        v1 = membership.v1.compactMapValues(Self.containerRoot)
        unified = membership.unified.flatMap(Self.containerRoot)
        guard !v1.isEmpty || unified != nil else { return nil }
    }

    /// "/lxc.payload.c1/init.scope" → "/lxc.payload.c1"; nil without a payload component.
    static func containerRoot(_ path: String) -> String? {
        var kept: [Substring] = []
        for component in path.split(separator: "/") {
            kept.append(component)
            if component.hasPrefix("lxc.payload.") { return "/" + kept.joined(separator: "/") }
        }
        return nil
    }

    /// The first of `keys` that exists and is not empty ("memory.usage_in_bytes"), trimmed: in the
    /// v1 hierarchy of the key's controller, else in the unified one (v2 names such as
    /// "memory.current" or "cpu.stat").
    func item(_ keys: [String]) -> String? {
        for key in keys {
            guard let controller = key.split(separator: ".").first.map(String.init) else { continue }
            var candidates: [String] = []
            if let path = v1[controller] { candidates.append("/sys/fs/cgroup/\(controller)\(path)/\(key)") }
            if let unified { candidates += CgroupMembership.unifiedRoots().map { "\($0)\(unified)/\(key)" } }
            for file in candidates {
                guard let text = KernelFile.read(file) else { continue }
                let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !value.isEmpty { return value }
            }
        }
        return nil
    }
}
