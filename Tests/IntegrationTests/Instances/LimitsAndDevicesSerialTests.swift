import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// The seed's "Resource control" and its profile with a shared host folder, proven from inside
/// the container.
@Suite(.serialized, .enabled(if: containersAvailable))
struct LimitsAndDevicesSerialTests {
    @Test func limitsFromAProfileApplyAtStartAndLive() async throws {
        try await DaemonFixture.with { f in
            try f.lxc(["profile", "create", "limited"]).check()
            try f.lxc(["profile", "set", "limited", "limits.memory", "64MB"]).check()
            try f.lxc(["profile", "set", "limited", "limits.processes", "30"]).check()
            try f.lxc(["profile", "set", "limited", "limits.cpu", "1"]).check()
            let name = f.name("lim")
            try f.lxc(["launch", f.imageAlias, name, "-p", "default", "-p", "limited"]).check()

            #expect(try f.lxc(["exec", name, "--", "nproc"]).check().stdout == "1\n")
            // 100 MB in one allocation cannot fit under 64 MB: the kernel kills it.
            #expect(try f.lxc(["exec", name, "--", "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"]).status == 137)
            let fork = try f.lxc(["exec", name, "--", "sh", "-c", "for i in $(seq 1 40); do sleep 2 & done; wait"])
            #expect(fork.stderr.contains("can't fork"))

            let cgroup = "/sys/fs/cgroup/memory/lxc.payload.\(name)/memory.limit_in_bytes"
            #expect(try String(contentsOfFile: cgroup, encoding: .utf8) == "64000000\n")
            try f.lxc(["config", "set", name, "limits.memory", "128MiB"]).check()
            #expect(try String(contentsOfFile: cgroup, encoding: .utf8) == "134217728\n")

            // A value the kernel refuses leaves the stored config as it was.
            #expect(try f.lxc(["config", "set", name, "limits.memory", "1kB"]).status == 1)
            #expect(try f.lxc(["config", "get", name, "limits.memory"]).check().stdout == "128MiB\n")
        }
    }

    /// The seed's disk device (`source: /var/git`, `path: var/git`): the host folder is visible
    /// inside; `readonly` is enforced; a missing source is refused.
    @Test func diskDevicesBindHostFolders() async throws {
        try await DaemonFixture.with { f in
            let share = f.directory + "/share"
            try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: share + "/from-host", contents: Data("hello\n".utf8))
            try f.lxc(["profile", "create", "shared"]).check()
            try f.lxc(["profile", "device", "add", "shared", "git", "disk", "source=\(share)", "path=var/git"]).check()
            let name = f.name("disk")
            try f.lxc(["init", f.imageAlias, name, "-p", "default", "-p", "shared"]).check()
            try f.lxc(["config", "device", "add", name, "etc", "disk", "source=/etc", "path=/mnt/etc", "readonly=true"]).check()
            try f.lxc(["start", name]).check()
            #expect(try f.lxc(["exec", name, "--", "cat", "/var/git/from-host"]).check().stdout == "hello\n")
            let write = try f.lxc(["exec", name, "--", "touch", "/mnt/etc/x"])
            #expect(write.status == 1 && write.stderr.contains("Read-only file system"))

            let missing = try f.lxc(["config", "device", "add", name, "gone", "disk", "source=/no/such/dir", "path=/mnt/gone"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("Missing source path \"/no/such/dir\""))
            #expect(try f.get("/1.0/instances/\(name)", as: Instance.self).devices["gone"] == nil)

            // A `none` device masks the profile's device.
            try f.lxc(["stop", name, "--force"]).check()
            try f.lxc(["config", "device", "add", name, "git", "none"]).check()
            try f.lxc(["start", name]).check()
            #expect(try f.lxc(["exec", name, "--", "test", "-e", "/var/git/from-host"]).status == 1)
        }
    }
}
