import Foundation
import Testing

@testable import LXDDaemon

/// Limits as cgroup values on this machine's layout (v1 controllers plus an empty v2 mount)
/// and on a pure cgroup v2 host, both built as fake trees under a temporary folder.
@Suite struct CgroupLimitsTests {
    private func put(_ dir: TemporaryDirectory, _ name: String, _ contents: String) throws {
        let file = dir.path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try dir.write(name, contents)
    }

    private func hybridTree() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        for controller in CgroupLayout.names { try put(dir, "\(controller)/cgroup.procs", "") }
        try put(dir, "memory/memory.memsw.limit_in_bytes", "")
        try put(dir, "unified/cgroup.controllers", "hugetlb\n")
        return dir
    }

    private func unifiedTree() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try put(dir, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
        try put(dir, "lxc.payload.c1/memory.swap.max", "max\n")
        return dir
    }

    @Test func detectsTheHybridLayout() throws {
        let tree = try hybridTree()
        defer { tree.remove() }
        let layout = CgroupLayout.detect(root: tree.path)
        #expect(layout.controllers["memory"] == .v1 && layout.controllers["blkio"] == .v1 && layout.controllers["pids"] == .v1)
        #expect(layout.hasSwapLimit)
        #expect(!layout.hasBlkioWeight)
    }

    @Test func detectsAPureV2Layout() throws {
        let tree = try unifiedTree()
        defer { tree.remove() }
        let layout = CgroupLayout.detect(root: tree.path)
        #expect(layout.controllers["memory"] == .v2 && layout.controllers["blkio"] == .v2 && layout.controllers["cpu"] == .v2)
        #expect(layout.controllers["devices"] == nil && layout.controllers["freezer"] == nil)
        #expect(layout.hasSwapLimit && layout.hasBlkioWeight)
    }

    private func limits(_ tree: TemporaryDirectory) -> CgroupLimits {
        var limits = CgroupLimits(layout: CgroupLayout.detect(root: tree.path))
        limits.hostMemory = 8 << 30
        limits.hostCPUs = 4
        limits.blockDevices = { _ in ["254:0"] }
        return limits
    }

    private let config = [
        "limits.memory": "64MB", "limits.processes": "30", "limits.cpu": "2", "limits.cpu.allowance": "25ms/100ms",
        "limits.cpu.priority": "5", "limits.disk.priority": "5",
    ]
    private let devices = ["io": ["type": "disk", "source": "/tmp", "path": "/srv", "limits.read": "1MB", "limits.write": "10iops"]]

    @Test func hybridSettingsUseV1Files() throws {
        let tree = try hybridTree()
        defer { tree.remove() }
        var withoutDiskPriority = config
        withoutDiskPriority["limits.disk.priority"] = nil
        let settings = try limits(tree).settings(config: withoutDiskPriority, devices: devices, rootfs: "/")
        #expect(
            settings.map { "\($0.lxcConfigKey) = \($0.value)" } == [
                "lxc.cgroup.memory.limit_in_bytes = 64000000", "lxc.cgroup.memory.memsw.limit_in_bytes = 64000000",
                "lxc.cgroup.memory.soft_limit_in_bytes = 57600000", "lxc.cgroup.pids.max = 30", "lxc.cgroup.cpuset.cpus = 0-1",
                "lxc.cgroup.cpu.shares = 1019", "lxc.cgroup.cpu.cfs_quota_us = 25000", "lxc.cgroup.cpu.cfs_period_us = 100000",
                "lxc.cgroup.blkio.throttle.read_bps_device = 254:0 1000000", "lxc.cgroup.blkio.throttle.write_iops_device = 254:0 10",
            ])
        // No blkio.weight on this kernel: refused with LXD's message.
        #expect(throws: (any Error).self) { try limits(tree).settings(config: config, devices: [:], rootfs: "/") }
    }

    @Test func unifiedSettingsUseV2Files() throws {
        let tree = try unifiedTree()
        defer { tree.remove() }
        let settings = try limits(tree).settings(config: config, devices: devices, rootfs: "/")
        #expect(
            settings.map { "\($0.lxcConfigKey) = \($0.value)" } == [
                "lxc.cgroup2.memory.max = 64000000", "lxc.cgroup2.memory.swap.max = 0", "lxc.cgroup2.memory.low = 57600000",
                "lxc.cgroup2.pids.max = 30", "lxc.cgroup2.cpuset.cpus = 0-1", "lxc.cgroup2.cpu.weight = 95",
                "lxc.cgroup2.cpu.max = 25000 100000",
                "lxc.cgroup2.io.weight = 500", "lxc.cgroup2.io.max = 254:0 rbps=1000000", "lxc.cgroup2.io.max = 254:0 wiops=10",
            ])
    }

    @Test(arguments: [
        (["limits.memory": "1GB", "limits.memory.enforce": "soft"], "lxc.cgroup.memory.soft_limit_in_bytes = 1000000000"),
        (["limits.memory": "10%"], "lxc.cgroup.memory.limit_in_bytes = 858993450"),
        (["limits.memory.swap": "false"], "lxc.cgroup.memory.swappiness = 0"),
        (["limits.memory.swap.priority": "4"], "lxc.cgroup.memory.swappiness = 66"),
        (["limits.cpu.allowance": "50%"], "lxc.cgroup.cpu.shares = 512"),
        (["limits.cpu.priority": "0"], "lxc.cgroup.cpu.shares = 1014"),
    ])
    func singleKeys(_ config: [String: String], _ line: String) throws {
        let tree = try hybridTree()
        defer { tree.remove() }
        let settings = try limits(tree).settings(config: config, devices: [:], rootfs: "/")
        #expect(settings.map { "\($0.lxcConfigKey) = \($0.value)" }.contains(line))
    }

    @Test func resetsUndoEachSetting() {
        #expect(CgroupLimits.reset(CgroupSetting(version: .v1, key: "memory.limit_in_bytes", value: "5"))?.value == "-1")
        #expect(CgroupLimits.reset(CgroupSetting(version: .v2, key: "memory.max", value: "5"))?.value == "max")
        #expect(
            CgroupLimits.reset(CgroupSetting(version: .v1, key: "blkio.throttle.read_bps_device", value: "254:0 5"))?.value == "254:0 0")
        #expect(CgroupLimits.reset(CgroupSetting(version: .v2, key: "io.max", value: "254:0 wiops=10"))?.value == "254:0 wiops=max")
    }
}
