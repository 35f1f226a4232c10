import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// The remaining limits, at start and live, read from inside the container: its own cgroup
/// (the container mounts the controller's hierarchy in its cgroup namespace, which shows its
/// cgroup as the root).
@Suite(.serialized, .enabled(if: containersAvailable))
struct LimitsFromInsideSerialTests {
    /// A value of the container's own cgroup, as the container sees it.
    private func cgroup(_ f: DaemonFixture, _ name: String, _ controller: String, _ file: String) throws -> String {
        let dir = "/tmp/cg-\(controller)"
        let script = [
            "mkdir -p \(dir)",
            "grep -q ' \(dir) ' /proc/mounts || mount -t cgroup -o \(controller) cgroup \(dir) 2>/dev/null || mount -t cgroup2 none \(dir)",
            "cat \(dir)/\(file)",
        ].joined(separator: "\n")
        return try f.lxc(["exec", name, "--", "sh", "-c", script]).check().stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func memoryEnforceAndSwapApplyAtStartAndLive() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("mem")
            try f.lxc(["init", f.imageAlias, name, "-c", "limits.memory=64MiB"]).check()
            try f.lxc(["start", name]).check()
            #expect(try cgroup(f, name, "memory", "memory.limit_in_bytes") == "67108864")
            // LXD caps swap at the memory limit unless limits.memory.swap=false.
            #expect(try cgroup(f, name, "memory", "memory.memsw.limit_in_bytes") == "67108864")
            #expect(try f.lxc(["exec", name, "--", "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"]).status == 137)

            try f.lxc(["config", "set", name, "limits.memory.enforce", "soft"]).check()
            #expect(try cgroup(f, name, "memory", "memory.soft_limit_in_bytes") == "67108864")
            #expect(try Int64(cgroup(f, name, "memory", "memory.limit_in_bytes")) ?? 0 > 1 << 40)
            // With a soft limit only, the same allocation now succeeds.
            #expect(try f.lxc(["exec", name, "--", "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"]).status == 0)

            try f.lxc(["config", "unset", name, "limits.memory.enforce"]).check()
            try f.lxc(["config", "set", name, "limits.memory.swap", "false"]).check()
            #expect(try cgroup(f, name, "memory", "memory.swappiness") == "0")
            #expect(try cgroup(f, name, "memory", "memory.limit_in_bytes") == "67108864")

            // Below what the container uses: refused as LXD words it, config and cgroup unchanged.
            let below = try f.lxc(["config", "set", name, "limits.memory", "4kB"])
            #expect(below.stderr == "Error: setting cgroup item for the container failed\n")
            #expect(try f.lxc(["config", "get", name, "limits.memory"]).check().stdout == "64MiB\n")
            #expect(try cgroup(f, name, "memory", "memory.limit_in_bytes") == "67108864")
        }
    }

    @Test func cpuAllowanceAndPriority() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("cpu")
            try f.lxc(["launch", f.imageAlias, name, "-c", "limits.cpu.allowance=25ms/100ms"]).check()
            #expect(try cgroup(f, name, "cpu", "cpu.cfs_quota_us") == "25000")
            #expect(try cgroup(f, name, "cpu", "cpu.cfs_period_us") == "100000")
            try f.lxc(["config", "set", name, "limits.cpu.allowance", "50%"]).check()
            #expect(try cgroup(f, name, "cpu", "cpu.cfs_quota_us") == "-1")
            #expect(try cgroup(f, name, "cpu", "cpu.shares") == "512")
            try f.lxc(["config", "set", name, "limits.cpu.priority", "5"]).check()
            #expect(try cgroup(f, name, "cpu", "cpu.shares") == "507")
            try f.lxc(["config", "unset", name, "limits.cpu.allowance"]).check()
            try f.lxc(["config", "unset", name, "limits.cpu.priority"]).check()
            #expect(try cgroup(f, name, "cpu", "cpu.shares") == "1024")
            // nproc follows limits.cpu live.
            try f.lxc(["config", "set", name, "limits.cpu", "1"]).check()
            #expect(try f.lxc(["exec", name, "--", "nproc"]).check().stdout == "1\n")
        }
    }

    /// limits.read/limits.write of a disk device throttle the block device behind its source;
    /// limits.disk.priority needs an I/O weight the kernel may not have (refused as LXD does).
    @Test func diskLimits() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("disk")
            let share = f.directory + "/io-share"
            try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
            var info = stat()
            #expect(stat(share, &info) == 0)
            let dev = UInt64(info.st_dev)
            let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
            let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
            var block = "\(major):\(minor)"
            if FileManager.default.fileExists(atPath: "/sys/dev/block/\(block)/partition"),
                let parent = try? String(contentsOfFile: "/sys/dev/block/\(block)/../dev", encoding: .utf8)
            {
                block = parent.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            try f.lxc(["launch", f.imageAlias, name]).check()
            let add = try f.lxc([
                "config", "device", "add", name, "io", "disk", "source=\(share)", "path=/srv/io", "limits.read=1MB", "limits.write=10iops",
            ])
            guard FileManager.default.fileExists(atPath: "/sys/dev/block/\(block)/dev") else {
                // A filesystem without a block device (tmpfs): refused as LXD does.
                #expect(add.stderr.contains("Block device doesn't support quotas"))
                return
            }
            try add.check()
            #expect(try cgroup(f, name, "blkio", "blkio.throttle.read_bps_device") == "\(block) 1000000")
            #expect(try cgroup(f, name, "blkio", "blkio.throttle.write_iops_device") == "\(block) 10")
            try f.lxc(["config", "device", "set", name, "io", "limits.read", "2MB"]).check()
            #expect(try cgroup(f, name, "blkio", "blkio.throttle.read_bps_device") == "\(block) 2000000")
            try f.lxc(["config", "device", "remove", name, "io"]).check()
            #expect(try cgroup(f, name, "blkio", "blkio.throttle.read_bps_device") == "")

            let priority = try f.lxc(["config", "set", name, "limits.disk.priority", "5"])
            if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/blkio/blkio.weight") {
                try priority.check()
                #expect(try cgroup(f, name, "blkio", "blkio.weight") == "500")
            } else {
                #expect(
                    priority.stderr
                        == "Error: Initialize LXC: Cannot apply limits.disk.priority as blkio.weight cgroup controller is missing\n")
            }
        }
    }
}
