import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// Devices added to or removed from a running container take effect at once (through the
/// `lxd forkmount` helper), and a device that cannot start leaves the config unchanged.
@Suite(.serialized, .enabled(if: containersAvailable))
struct DeviceHotplugSerialTests {
    private func mounts(_ f: DaemonFixture, _ name: String) throws -> String {
        try f.lxc(["exec", name, "--", "cat", "/proc/mounts"]).check().stdout
    }

    @Test func diskDevicesAttachAndDetachLive() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("hot")
            let share = f.directory + "/hot-share"
            try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: share + "/from-host", contents: Data("live\n".utf8))
            try f.lxc(["launch", f.imageAlias, name]).check()
            let pid = try infoPID(f, name)

            try f.lxc(["config", "device", "add", name, "data", "disk", "source=\(share)", "path=/srv/data"]).check()
            #expect(try f.lxc(["exec", name, "--", "cat", "/srv/data/from-host"]).check().stdout == "live\n")
            try f.lxc(["config", "device", "add", name, "ro", "disk", "source=\(share)", "path=/srv/ro", "readonly=true"]).check()
            let write = try f.lxc(["exec", name, "--", "touch", "/srv/ro/x"])
            #expect(write.status == 1 && write.stderr.contains("Read-only file system"))
            #expect(try mounts(f, name).contains(" /srv/data "))

            try f.lxc(["config", "device", "remove", name, "data"]).check()
            #expect(!(try mounts(f, name).contains(" /srv/data ")))
            #expect(try f.lxc(["exec", name, "--", "test", "-e", "/srv/data/from-host"]).status == 1)
            // Still the same container: nothing was restarted.
            #expect(try infoPID(f, name) == pid)

            let missing = try f.lxc(["config", "device", "add", name, "gone", "disk", "source=/no/such/dir", "path=/srv/gone"])
            #expect(missing.status == 1 && missing.stderr.contains("Missing source path \"/no/such/dir\""))
            #expect(try f.get("/1.0/instances/\(name)", as: Instance.self).devices["gone"] == nil)
        }
    }

    /// A unix-char device by major/minor with uid and mode appears as its own node, works, and
    /// disappears on removal.
    @Test func unixDevicesAppearAndDisappearLive() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("unix")
            try f.lxc(["launch", f.imageAlias, name]).check()
            try f.lxc([
                "config", "device", "add", name, "zero", "unix-char", "path=/dev/myzero", "major=1", "minor=5", "uid=1000", "mode=0640",
            ])
            .check()
            #expect(try f.lxc(["exec", name, "--", "stat", "-c", "%t:%T %u %a", "/dev/myzero"]).check().stdout == "1:5 1000 640\n")
            #expect(try f.lxc(["exec", name, "--", "sh", "-c", "head -c 3 /dev/myzero | wc -c"]).check().stdout.contains("3"))
            try f.lxc(["config", "device", "remove", name, "zero"]).check()
            #expect(try f.lxc(["exec", name, "--", "test", "-e", "/dev/myzero"]).status == 1)

            // A privileged container's devices cgroup denies what it was not given; adding the
            // device allows it live, removing it denies it again.
            let privileged = f.name("privdev")
            try f.lxc(["launch", f.imageAlias, privileged, "-c", "security.privileged=true"]).check()
            let open = ["exec", privileged, "--", "sh", "-c", "mknod /tmp/k c 1 11 2>/dev/null; exec 3</tmp/k && echo opened"]
            #expect(try f.lxc(open).status != 0)
            try f.lxc(["config", "device", "add", privileged, "kmsg", "unix-char", "source=/dev/kmsg", "path=/dev/mykmsg"]).check()
            #expect(try f.lxc(open).stdout == "opened\n")
            try f.lxc(["config", "device", "remove", privileged, "kmsg"]).check()
            #expect(try f.lxc(open).status != 0)
        }
    }
}
