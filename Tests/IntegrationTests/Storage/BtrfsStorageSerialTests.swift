import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// The btrfs driver: LXD's layout of subvolumes, instances as snapshots of the image's read-only
/// subvolume, read-only snapshots, copies, root `size` as a qgroup limit enforced inside the
/// container, and pools on a block device or on an existing btrfs path.
@Suite(.serialized, .enabled(if: containersAvailable))
struct BtrfsStorageSerialTests {
    @Test func instancesAreSnapshotsOfTheImageSubvolume() async throws {
        try await DaemonFixture.with { f in
            let pool = f.name("btr")
            try f.lxc(["storage", "create", pool, "btrfs", "size=1GiB"]).check()
            let root = "\(f.directory)/storage-pools/\(pool)"
            let name = f.name("c1")
            try f.lxc(["launch", f.imageAlias, name, "-s", pool]).check()
            #expect(try f.lxc(["exec", name, "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
            let fingerprint = try f.get("/1.0/images/aliases/\(f.imageAlias)", as: ImageAliasesEntry.self).target
            let image = "\(root)/images/\(fingerprint)"
            #expect(StorageTools.isSubvolume(image))
            #expect(try runCommand(StorageTools.btrfs, ["property", "get", "-ts", image, "ro"]).check().stdout == "ro=true\n")
            let volume = "\(root)/containers/\(name)"
            #expect(try StorageTools.subvolumeField(volume, "Parent UUID") == StorageTools.subvolumeField(image, "UUID"))

            // A snapshot is a read-only subvolume; restore brings the files back as they were.
            try f.lxc(["exec", name, "--", "sh", "-c", "echo before > /root/state"]).check()
            try f.lxc(["snapshot", name, "snap0"]).check()
            let snapshot = "\(root)/containers-snapshots/\(name)/snap0"
            #expect(try runCommand(StorageTools.btrfs, ["property", "get", "-ts", snapshot, "ro"]).check().stdout == "ro=true\n")
            #expect(!FileManager.default.createFile(atPath: snapshot + "/rootfs/written", contents: Data()))
            try f.lxc(["exec", name, "--", "sh", "-c", "echo after > /root/state"]).check()
            try f.lxc(["restore", name, "snap0"]).check()
            #expect(try f.lxc(["exec", name, "--", "cat", "/root/state"]).check().stdout == "before\n")

            // A copy (with its snapshot) is a subvolume snapshot too.
            let copy = f.name("c2")
            try f.lxc(["copy", name, copy]).check()
            #expect(StorageTools.isSubvolume("\(root)/containers/\(copy)"))
            #expect(StorageTools.isSubvolume("\(root)/containers-snapshots/\(copy)/snap0"))
            let volumes = try f.lxc(["storage", "volume", "list", pool, "--format", "csv"]).check().stdout
            #expect(volumes.contains("container,\(name),,filesystem,1\ncontainer (snapshot),\(name)/snap0,,filesystem,0\n"))
            #expect(volumes.contains("image,\(fingerprint),,filesystem,1\n"))

            try f.lxc(["delete", "--force", name]).check()
            try f.lxc(["delete", copy]).check()
            #expect(!FileManager.default.fileExists(atPath: volume))
            #expect(!FileManager.default.fileExists(atPath: "\(root)/containers-snapshots/\(name)"))
            try f.lxc(["image", "delete", f.imageAlias]).check()
            #expect(!FileManager.default.fileExists(atPath: image))
            try f.lxc(["storage", "delete", pool]).check()
            #expect(HostCleanup.mounts(under: f.directory).isEmpty)
            #expect(HostCleanup.loopDevices(under: f.directory).isEmpty)
        }
    }

    @Test func rootSizeIsEnforcedInsideTheContainer() async throws {
        try await DaemonFixture.with { f in
            let pool = f.name("btr")
            try f.lxc(["storage", "create", pool, "btrfs", "size=1GiB"]).check()
            let name = f.name("q")
            try f.lxc(["init", f.imageAlias, name, "-s", pool]).check()
            try f.lxc(["config", "device", "set", name, "root", "size=40MiB"]).check()
            try f.lxc(["start", name]).check()
            try f.lxc(["exec", name, "--", "dd", "if=/dev/zero", "of=/small", "bs=1M", "count=10"]).check()
            let big = try f.lxc(["exec", name, "--", "dd", "if=/dev/zero", "of=/big", "bs=1M", "count=60"])
            #expect(big.status == 1)
            #expect(big.stderr.contains("Disk quota exceeded"))
            try f.lxc(["exec", name, "--", "rm", "/big"]).check()

            // Below what the volume already uses: LXD's "Failed to update device", nothing changed.
            try f.lxc(["exec", name, "--", "sync"]).check()
            let shrink = try f.lxc(["config", "device", "set", name, "root", "size=1MiB"])
            #expect(shrink.status == 1)
            #expect(shrink.stderr.hasPrefix("Error: Failed to update device \"root\": "))
            #expect(try f.lxc(["config", "device", "get", name, "root", "size"]).check().stdout == "40MiB\n")
            // Raised, the same write fits.
            try f.lxc(["config", "device", "set", name, "root", "size=200MiB"]).check()
            try f.lxc(["exec", name, "--", "dd", "if=/dev/zero", "of=/big", "bs=1M", "count=60"]).check()
            // `lxc storage volume info` reports the usage from the qgroup.
            #expect(try f.lxc(["storage", "volume", "info", pool, "container/\(name)"]).check().stdout.contains("Usage: "))
        }
    }

    @Test(arguments: bothClients) func poolsOnABlockDeviceAndOnAnExistingBtrfsPath(client: String) async throws {
        try await DaemonFixture.with(client: client) { f in
            let device = try StorageTools.loopDevice(in: f.directory)
            let onDevice = f.name("dev")
            try f.lxc(["storage", "create", onDevice, "btrfs", "source=\(device)"]).check()
            #expect(HostCleanup.mounts(under: f.directory).contains("\(f.directory)/storage-pools/\(onDevice)"))
            try f.lxc(["storage", "volume", "create", onDevice, "data"]).check()
            #expect(StorageTools.isSubvolume("\(f.directory)/storage-pools/\(onDevice)/custom/default_data"))
            try f.lxc(["storage", "volume", "delete", onDevice, "data"]).check()
            try f.lxc(["storage", "delete", onDevice]).check()
            #expect(!HostCleanup.mounts(under: f.directory).contains("\(f.directory)/storage-pools/\(onDevice)"))

            let scratch = try StorageTools.scratchBtrfs(in: f.directory)
            let onPath = f.name("path")
            let source = scratch + "/lxd-pool"
            try f.lxc(["storage", "create", onPath, "btrfs", "source=\(source)"]).check()
            #expect(StorageTools.isSubvolume(source))
            let name = f.name("c")
            try f.lxc(["launch", f.imageAlias, name, "-s", onPath]).check()
            #expect(StorageTools.isSubvolume("\(source)/containers/\(name)"))
            try f.lxc(["delete", "--force", name]).check()
            try f.lxc(["storage", "delete", onPath]).check()
            #expect(!FileManager.default.fileExists(atPath: source))
        }
    }

    /// The seed: with `$LXD_DIR` on btrfs, `lxd init --auto` makes the default pool btrfs, a
    /// subvolume at `storage-pools/default`.
    @Test func lxdDirOnBtrfsMakesTheDefaultPoolBtrfs() async throws {
        var template = Array("/tmp/swiftlxd-test-btrfs-XXXXXX".utf8CString)
        let folder = try #require(mkdtemp(&template).map { String(cString: $0) })
        defer {
            HostCleanup.release(under: folder)
            try? FileManager.default.removeItem(atPath: folder)
        }
        let mount = try StorageTools.scratchBtrfs(in: folder, size: "2G")
        chmod(folder, 0o711)
        chmod(mount, 0o711)
        try await DaemonFixture.with(withImage: false, network: true, parent: mount, initialize: false) { f in
            try runCommand(f.lxd, ["init", "--auto"], environment: f.environment).check()
            try f.lxc(["image", "import", try TestImage.busybox(), "--alias", f.imageAlias]).check()
            #expect(
                try f.lxc(["storage", "list", "--format", "csv"]).check().stdout.hasPrefix(
                    "default,btrfs,\(f.directory)/storage-pools/default,"))
            #expect(StorageTools.isSubvolume("\(f.directory)/storage-pools/default"))
            let name = f.name("c")
            try f.lxc(["launch", f.imageAlias, name]).check()
            #expect(StorageTools.isSubvolume("\(f.directory)/storage-pools/default/containers/\(name)"))
        }
    }
}
