import Foundation
import LXDTestSupport
import Testing

@testable import LXDDaemon

@Suite struct CgroupWarmupTests {
    private func tree(_ files: [String]) throws -> TemporaryDirectory {
        let root = try TemporaryDirectory()
        for file in files {
            try FileManager.default.createDirectory(
                atPath: root.path + "/" + (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try root.write(file, "")
        }
        return root
    }

    @Test func prefersTheV2CgroupOnAHybridHost() throws {
        let root = try tree(["unified/cgroup.procs", "pids/lxd/cgroup.procs"])
        defer { root.remove() }
        let membership = "8:pids:/lxd\n1:name=systemd:/\n0::/\n"
        #expect(CgroupWarmup.ownProcsFile(root: root.path, membership: CgroupMembership(membership)) == root.path + "/unified/cgroup.procs")
    }

    @Test func findsTheDaemonsCgroupOnAPureV2Host() throws {
        let root = try tree(["cgroup.controllers", "system.slice/lxd.service/cgroup.procs"])
        defer { root.remove() }
        let procs = CgroupWarmup.ownProcsFile(root: root.path, membership: CgroupMembership("0::/system.slice/lxd.service\n"))
        #expect(procs == root.path + "/system.slice/lxd.service/cgroup.procs")
    }

    @Test func fallsBackToAV1ControllerThatExists() throws {
        let root = try tree(["pids/b/cgroup.procs"])
        defer { root.remove() }
        let membership = "4:memory:/a\n3:cpu,cpuacct:/c\n8:pids:/b\n0::/\n"
        #expect(CgroupWarmup.ownProcsFile(root: root.path, membership: CgroupMembership(membership)) == root.path + "/pids/b/cgroup.procs")
        #expect(CgroupWarmup.ownProcsFile(root: root.path, membership: CgroupMembership("4:memory:/a\n")) == nil)
        #expect(CgroupWarmup.ownProcsFile(root: root.path, membership: nil) == nil)
    }

    /// The write is "0": the writer itself, into the cgroup it is already in.
    @Test func warmingWritesTheWriterAndStopsAfterAFailure() throws {
        let root = try tree(["cgroup.procs"])
        defer { root.remove() }
        let warmup = CgroupWarmup(procsFile: root.path + "/cgroup.procs")
        warmup.warm()
        #expect(eventually { (try? String(contentsOfFile: root.path + "/cgroup.procs", encoding: .utf8)) == "0" })
        #expect(!warmup.isDisabled)

        let failing = CgroupWarmup(procsFile: root.path + "/missing/cgroup.procs")
        failing.warm()
        #expect(eventually { failing.isDisabled })
    }
}
