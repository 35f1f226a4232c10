import Foundation
import LXDAPI
import LXDOS

/// Freezes and thaws a container through its cgroup, as LXD does (liblxc's freeze fails on this
/// host's hybrid layout): the v1 `freezer.state` when the freezer controller is mounted, else
/// cgroup v2's `cgroup.freeze`. The cgroup is found from the init process's `/proc/PID/cgroup`.
struct CgroupFreezer {
    let pid: Int32

    enum Control {
        case v1(String)
        case v2(String)
    }

    var control: Control? {
        guard let membership = CgroupMembership(pid: String(pid)) else { return nil }
        if let path = membership.v1["freezer"] {
            let file = "/sys/fs/cgroup/freezer" + path + "/freezer.state"
            if FileManager.default.fileExists(atPath: file) { return .v1(file) }
        }
        guard let unified = membership.unified else { return nil }
        for root in CgroupMembership.unifiedRoots() {
            let file = root + unified + "/cgroup.freeze"
            if FileManager.default.fileExists(atPath: file) { return .v2(file) }
        }
        return nil
    }

    var isFrozen: Bool {
        switch control {
        case .v1(let path): return Self.read(path).hasPrefix("FROZEN")
        case .v2(let path): return Self.read(path) == "1"
        case nil: return false
        }
    }

    /// Freezes (or thaws) and waits, bounded, until the kernel reports the new state.
    func set(frozen: Bool) throws {
        guard let control else { throw LXDError.internalError("Cannot find the container's freezer cgroup") }
        let path: String
        let value: String
        switch control {
        case .v1(let file):
            path = file
            value = frozen ? "FROZEN" : "THAWED"
        case .v2(let file):
            path = file
            value = frozen ? "1" : "0"
        }
        do {
            try value.write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw LXDError.internalError("Failed \(frozen ? "freezing" : "thawing") instance: \(error)")
        }
        guard case .v1 = control else { return }
        for _ in 0..<100 {
            let state = Self.read(path)
            if frozen ? state.hasPrefix("FROZEN") : state.hasPrefix("THAWED") { return }
            usleep(10_000)
        }
        throw LXDError.internalError("Failed \(frozen ? "freezing" : "thawing") instance: timed out")
    }

    private static func read(_ path: String) -> String {
        (KernelFile.read(path) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
