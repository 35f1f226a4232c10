import Glibc
import LXDCore
import LXDOS
import Synchronization

/// Moving a process into a cgroup (a write to `cgroup.procs`, which liblxc does for every start
/// and every attach) takes the kernel's one `cgroup_threadgroup_rwsem` for writing, and a writer
/// that finds it idle first waits for an RCU grace period: 8–30 ms on this host, most of the
/// time an exec or a start spent in its helper (`strace -T`). A writer that comes while another
/// is waiting shares that wait, and one that comes within about a grace period after the last
/// writer does not wait at all.
///
/// So a start or an exec begins by moving the daemon into the cgroup it is already in (writing
/// "0", "the writer", which changes nothing), on a thread of its own: the grace period runs while
/// the request does its other work, and the helper's own write finds it passed or shortens.
final class CgroupWarmup: Sendable {
    static let shared = CgroupWarmup(procsFile: ownProcsFile())

    /// A `cgroup.procs` of the cgroup the daemon is in, or nil (nothing to warm).
    let procsFile: String?
    private let inFlight = Atomic<Bool>(false)
    /// Set when a write failed (a read-only cgroupfs, as in some nested setups): no more tries.
    private let disabled = Atomic<Bool>(false)
    var isDisabled: Bool { disabled.load(ordering: .relaxed) }

    init(procsFile: String?) { self.procsFile = procsFile }

    /// Starts a warm-up write unless one is already running.
    func warm() {
        guard let procsFile, !disabled.load(ordering: .relaxed),
            inFlight.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        Task.detached { [self] in
            let written = (try? await Blocking.run("lxd-cgroup-warmup") { Self.writeSelf(procsFile) }) ?? false
            if !written { disabled.store(true, ordering: .relaxed) }
            inFlight.store(false, ordering: .releasing)
        }
    }

    private static func writeSelf(_ path: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return write(descriptor, "0", 1) == 1
    }

    /// The daemon's own cgroup in one hierarchy: the unified one where it is mounted, else a v1
    /// controller's (the lock is the same for all of them).
    static func ownProcsFile(root: String = "/sys/fs/cgroup", membership: CgroupMembership? = CgroupMembership(pid: "self")) -> String? {
        guard let membership else { return nil }
        var folders: [String] = []
        if let unified = membership.unified {
            folders += CgroupMembership.unifiedRoots(root).map { $0 + (unified == "/" ? "" : unified) }
        }
        for controller in CgroupLayout.names {
            if let path = membership.v1[controller] { folders.append("\(root)/\(controller)\(path == "/" ? "" : path)") }
        }
        return folders.map { $0 + "/cgroup.procs" }.first { access($0, W_OK) == 0 }
    }
}
