import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// The lvm driver needs the kernel's device-mapper (thin pools). Where it is missing (this
/// machine kind's kernel has none), creating a pool fails with a clear error and leaves nothing;
/// where it exists, a thin pool on a loop-backed volume group the test names and removes.
@Suite(.serialized, .enabled(if: containersAvailable))
struct LVMStorageSerialTests {
    static var hasDeviceMapper: Bool {
        ((try? String(contentsOfFile: "/proc/misc", encoding: .utf8)) ?? "").split(separator: "\n").contains {
            $0.hasSuffix(" device-mapper")
        }
    }

    static func volumeGroups() -> String {
        (try? runCommand(
            "/sbin/vgs", ["--noheadings", "-o", "vg_name"], environment: ["DM_DISABLE_UDEV": "1", "LVM_SUPPRESS_FD_WARNINGS": "1"]))?
            .stdout ?? ""
    }

    @Test(.enabled(if: !hasDeviceMapper)) func withoutDeviceMapperNothingIsLeft() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let before = try StorageSnapshot(f)
            let vg = "swiftlxd-\(f.prefix)"
            let result = try f.lxc(["storage", "create", f.name("lvm"), "lvm", "lvm.vg_name=\(vg)", "size=1GiB"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("device-mapper"))
            #expect(try StorageSnapshot(f) == before)
            #expect(HostCleanup.loopDevices(under: f.directory).isEmpty)
            #expect(!Self.volumeGroups().contains(vg))
        }
    }

    @Test(.enabled(if: hasDeviceMapper), arguments: bothClients) func thinPoolOnALoopBackedVolumeGroup(client: String) async throws {
        try await DaemonFixture.with(client: client) { f in
            let vg = "swiftlxd-\(f.prefix)"
            f.addCleanup {
                let environment = ["DM_DISABLE_UDEV": "1"]
                _ = try? runCommand("/sbin/vgchange", ["-an", vg], environment: environment)
                _ = try? runCommand("/sbin/vgremove", ["-f", vg], environment: environment)
            }
            let pool = f.name("lvm")
            try f.lxc(["storage", "create", pool, "lvm", "lvm.vg_name=\(vg)", "size=3GiB", "volume.size=200MiB"]).check()
            #expect(Self.volumeGroups().contains(vg))
            let name = f.name("c")
            try f.lxc(["launch", f.imageAlias, name, "-s", pool]).check()
            #expect(try f.lxc(["exec", name, "--", "df", "-k", "/"]).check().stdout.contains("/dev/"))
            // The LV's size bounds what the container can write.
            let full = try f.lxc(["exec", name, "--", "dd", "if=/dev/zero", "of=/big", "bs=1M", "count=400"])
            #expect(full.status == 1 && full.stderr.contains("No space left on device"))
            try f.lxc(["exec", name, "--", "rm", "/big"]).check()
            try f.lxc(["config", "device", "set", name, "root", "size=500MiB"]).check()
            try f.lxc(["exec", name, "--", "dd", "if=/dev/zero", "of=/big", "bs=1M", "count=300"]).check()
            try f.lxc(["snapshot", name]).check()
            try f.lxc(["copy", name, f.name("copy")]).check()
            try f.lxc(["delete", "--force", name, f.name("copy")]).check()
            try f.lxc(["image", "delete", f.imageAlias]).check()
            try f.lxc(["storage", "delete", pool]).check()
            #expect(!Self.volumeGroups().contains(vg))
            #expect(HostCleanup.loopDevices(under: f.directory).isEmpty)
        }
    }
}
