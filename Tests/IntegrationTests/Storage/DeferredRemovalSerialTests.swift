import Foundation
import LXDTestSupport
import Testing

/// A `dir` pool's deleted volumes leave their paths at once (renamed into the pool's
/// `.deleting` folder) and their files soon after; leftovers of an interrupted daemon go when
/// the pool is mounted again; a pool deleted right after its instances waits for their files.
@Suite(.serialized, .enabled(if: containersAvailable))
struct DeferredRemovalSerialTests {
    @Test func deletedVolumesLeaveAtOnceAndTheirFilesSoonAfter() async throws {
        try await DaemonFixture.with { f in
            let root = f.directory + "/storage-pools/default"
            let trash = root + "/.deleting"
            let name = f.name("del")
            try f.lxc(["init", f.imageAlias, name]).check()
            try f.lxc(["snapshot", name, "s0"]).check()
            try f.lxc(["snapshot", name, "s1"]).check()
            #expect(FileManager.default.fileExists(atPath: root + "/containers-snapshots/\(name)/s1/rootfs"))

            try f.lxc(["delete", "\(name)/s1"]).check()
            #expect(!FileManager.default.fileExists(atPath: root + "/containers-snapshots/\(name)/s1"))
            try f.lxc(["delete", name]).check()
            #expect(!FileManager.default.fileExists(atPath: root + "/containers/\(name)"))
            #expect(!FileManager.default.fileExists(atPath: root + "/containers-snapshots/\(name)"))

            // The name is free at once, and the new instance is a whole copy of the image.
            try f.lxc(["init", f.imageAlias, name]).check()
            #expect(FileManager.default.fileExists(atPath: root + "/containers/\(name)/rootfs/bin/busybox"))
            try f.lxc(["delete", name]).check()

            #expect(eventually { ((try? FileManager.default.contentsOfDirectory(atPath: trash)) ?? []).isEmpty })
        }
    }

    @Test func leftoversAreRemovedWhenThePoolIsMountedAgain() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let trash = f.directory + "/storage-pools/default/.deleting"
            f.killDaemon()
            try FileManager.default.createDirectory(atPath: trash + "/c1-interrupted/rootfs/etc", withIntermediateDirectories: true)
            try Data("x\n".utf8).write(to: URL(fileURLWithPath: trash + "/c1-interrupted/rootfs/etc/hostname"))
            try f.startDaemon()
            #expect(eventually { ((try? FileManager.default.contentsOfDirectory(atPath: trash)) ?? []).isEmpty })
        }
    }

    /// The folder in `.deleting` is named apart from the volume: a long name plus a suffix
    /// could pass NAME_MAX (255 bytes).
    @Test func volumesAndSnapshotsWithLongNamesAreDeleted() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let volume = String(repeating: "v", count: 240)
            let snapshot = String(repeating: "s", count: 250)
            try f.lxc(["storage", "volume", "create", "default", volume]).check()
            try f.lxc(["storage", "volume", "snapshot", "default", volume, snapshot]).check()
            try f.lxc(["storage", "volume", "delete", "default", "\(volume)/\(snapshot)"]).check()
            try f.lxc(["storage", "volume", "delete", "default", volume]).check()
            #expect(!FileManager.default.fileExists(atPath: f.directory + "/storage-pools/default/custom/default_\(volume)"))
        }
    }

    /// A removal that fails is logged; the pool's delete tries again and names what it cannot remove.
    @Test(.enabled(if: ImmutableFlag.isSupported)) func aPoolWhoseDeletedFilesCannotBeRemovedIsNotDeleted() async throws {
        try await DaemonFixture.with { f in
            let pool = f.name("p")
            let trash = f.directory + "/storage-pools/\(pool)/.deleting"
            try f.lxc(["storage", "create", pool, "dir"]).check()
            let name = f.name("c")
            try f.lxc(["init", f.imageAlias, name, "-s", pool]).check()
            let stuck = f.directory + "/storage-pools/\(pool)/containers/\(name)/rootfs/stuck"
            try Data("x".utf8).write(to: URL(fileURLWithPath: stuck))
            try #require(ImmutableFlag.set(stuck, true))
            var left = stuck
            defer { ImmutableFlag.set(left, false) }

            try f.lxc(["delete", name]).check()
            #expect(eventually { f.daemonLogTail(lines: 50).contains("Failed removing a deleted volume's files") })
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: trash)) ?? []
            #expect(entries.count == 1)
            left = trash + "/" + (entries.first ?? "") + "/rootfs/stuck"
            let refused = try f.lxc(["storage", "delete", pool])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("Failed removing \"\(left)\": Operation not permitted"))
            try f.lxc(["storage", "show", pool]).check()

            #expect(ImmutableFlag.set(left, false))
            try f.lxc(["storage", "delete", pool]).check()
            #expect(!FileManager.default.fileExists(atPath: f.directory + "/storage-pools/\(pool)"))
        }
    }

    @Test func aPoolDeletedRightAfterItsInstancesIsGone() async throws {
        try await DaemonFixture.with { f in
            let pool = f.name("p")
            try f.lxc(["storage", "create", pool, "dir"]).check()
            let names = (1...3).map { f.name("i\($0)") }
            for name in names { try f.lxc(["init", f.imageAlias, name, "-s", pool]).check() }
            for name in names { try f.lxc(["delete", name]).check() }
            try f.lxc(["storage", "delete", pool]).check()
            #expect(!FileManager.default.fileExists(atPath: f.directory + "/storage-pools/\(pool)"))
        }
    }
}
