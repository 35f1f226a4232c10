import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// `lxc copy` and `lxc move` on one server, through Debian's `lxc` and ours, on the `dir` pool.
@Suite(.serialized, .enabled(if: containersAvailable))
struct CopySerialTests {
    func snapshots(_ f: DaemonFixture, _ name: String) throws -> [String] {
        try f.get("/1.0/instances/\(name)/snapshots", as: [String].self).map { String($0.split(separator: "/").last ?? "") }
    }

    func instance(_ f: DaemonFixture, _ name: String) throws -> Instance { try f.get("/1.0/instances/\(name)", as: Instance.self) }

    /// A copy has the source's files and snapshots, fresh volatile keys, and the image's `copy`
    /// templates applied at its first start (the busybox image's hostname template).
    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC], TestPools.drivers)
    func copyRunningInstanceWithSnapshots(client: String, driver: String) async throws {
        try await DaemonFixture.with(client: client) { f in
            _ = try TestPools.use(driver, in: f)
            let source = f.name("src")
            let copy = f.name("dst")
            try f.lxc(["launch", f.imageAlias, source]).check()
            try f.lxc(["exec", source, "--", "sh", "-c", "echo original > /root/data"]).check()
            try f.lxc(["snapshot", source, "s0"]).check()
            try f.lxc(["snapshot", source, "s1"]).check()
            try f.lxc(["copy", source, copy, "-c", "user.note=copied"]).check()

            let original = try instance(f, source)
            let copied = try instance(f, copy)
            #expect(original.status == "Running" && copied.status == "Stopped")
            #expect(try snapshots(f, copy) == ["s0", "s1"])
            #expect(copied.config["user.note"] == "copied")
            #expect(copied.config["volatile.uuid"] != nil && copied.config["volatile.uuid"] != original.config["volatile.uuid"])
            #expect(copied.config["volatile.base_image"] == original.config["volatile.base_image"])
            #expect(copied.config["volatile.apply_template"] == "copy")
            #expect(copied.config["volatile.last_state.power"] == nil)
            #expect(copied.profiles == original.profiles)

            try f.lxc(["start", copy]).check()
            #expect(try f.lxc(["exec", copy, "--", "cat", "/root/data"]).check().stdout == "original\n")
            #expect(try f.lxc(["exec", copy, "--", "hostname"]).check().stdout == "\(copy)\n")
            #expect(try f.lxc(["exec", source, "--", "hostname"]).check().stdout == "\(source)\n")
            #expect(try instance(f, copy).config["volatile.apply_template"] == nil)

            // The copy is independent of its source.
            try f.lxc(["exec", copy, "--", "sh", "-c", "echo changed > /root/data"]).check()
            #expect(try f.lxc(["exec", source, "--", "cat", "/root/data"]).check().stdout == "original\n")
        }
    }

    /// `--instance-only`, a snapshot as the source, `--ephemeral`, profiles and `--storage`.
    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC])
    func copyVariants(client: String) async throws {
        try await DaemonFixture.with(client: client) { f in
            let source = f.name("src")
            try f.lxc(["init", f.imageAlias, source]).check()
            try f.lxc(["snapshot", source, "s0"]).check()
            try f.lxc(["config", "set", source, "user.after", "yes"], client: TestEnvironment.debianLXC).check()

            try f.lxc(["copy", source, f.name("only"), "--instance-only"]).check()
            #expect(try snapshots(f, f.name("only")) == [])

            try f.lxc(["copy", "\(source)/s0", f.name("fromsnap")]).check()
            let fromSnapshot = try instance(f, f.name("fromsnap"))
            #expect(fromSnapshot.config["user.after"] == nil)
            #expect(try snapshots(f, f.name("fromsnap")) == [])

            try f.lxc(["copy", source, f.name("eph"), "--ephemeral", "--no-profiles", "--storage", "default"]).check()
            let ephemeral = try instance(f, f.name("eph"))
            #expect(ephemeral.ephemeral && ephemeral.profiles == [])
            #expect(ephemeral.devices["root"] == ["path": "/", "pool": "default", "type": "disk"])
            try f.lxc(["start", f.name("eph")]).check()
            try f.lxc(["stop", "--force", f.name("eph")]).check()
            #expect(try eventually { try !f.get("/1.0/instances", as: [String].self).contains { $0.hasSuffix("/" + f.name("eph")) } })

            try f.lxc(["copy", source, f.name("prof"), "-p", "default"]).check()
            #expect(try instance(f, f.name("prof")).profiles == ["default"])
        }
    }

    /// Bad input: LXD's messages through both clients; nothing is left behind.
    @Test func badInputMatchesLXDAndChangesNothing() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            let source = f.name("src")
            let taken = f.name("taken")
            try f.lxc(["init", f.imageAlias, source]).check()
            try f.lxc(["init", f.imageAlias, taken]).check()
            let before = try f.get("/1.0/instances", as: [String].self).sorted()
            let folders = try FileManager.default.contentsOfDirectory(atPath: f.directory + "/storage-pools/default/containers").sorted()
            let cases: [[String]] = [
                ["copy", "nosuch", "@"], ["copy", "\(source)/nosuch", "@"], ["copy", source, taken], ["copy", source, "bad_name"],
                ["copy", source, "@", "--storage", "nosuch"], ["copy", source, "@", "-p", "nosuch"], ["copy", source, "@", "-c", "bad"],
                ["copy", source, "@", "-d", "bad"], ["copy", source, "@", "--target", "x"], ["copy"], ["copy", "a", "b", "c"],
                ["copy", "--help"], ["copy", source],
            ]
            for arguments in cases { try pair.expectSame(arguments) }
            #expect(try f.get("/1.0/instances", as: [String].self).sorted() == before)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: f.directory + "/storage-pools/default/containers").sorted() == folders)
        }
    }

    /// `--refresh` brings an existing copy up to date: its volume and snapshots become the
    /// source's again (extra snapshots go), its own identity stays.
    @Test(arguments: TestPools.drivers)
    func refreshUpdatesAnExistingCopy(driver: String) async throws {
        try await DaemonFixture.with(client: TestEnvironment.ourLXC) { f in
            _ = try TestPools.use(driver, in: f)
            let source = f.name("src")
            let copy = f.name("dst")
            try f.lxc(["launch", f.imageAlias, source]).check()
            try f.lxc(["snapshot", source, "s0"]).check()
            try f.lxc(["copy", source, copy]).check()
            let uuid = try instance(f, copy).config["volatile.uuid"]
            try f.lxc(["snapshot", copy, "extra"]).check()
            try f.lxc(["exec", source, "--", "sh", "-c", "echo newer > /root/data"]).check()
            try f.lxc(["snapshot", source, "s1"]).check()

            try f.lxc(["copy", source, copy, "--refresh"]).check()
            #expect(try snapshots(f, copy) == ["s0", "s1"])
            #expect(try instance(f, copy).config["volatile.uuid"] == uuid)
            let sourceCreated = try f.get("/1.0/instances/\(source)/snapshots/s1", as: InstanceSnapshot.self).createdAt
            #expect(try f.get("/1.0/instances/\(copy)/snapshots/s1", as: InstanceSnapshot.self).createdAt == sourceCreated)
            try f.lxc(["start", copy]).check()
            #expect(try f.lxc(["exec", copy, "--", "cat", "/root/data"]).check().stdout == "newer\n")

            // A running copy is not refreshed.
            let running = try f.lxc(["copy", source, copy, "--refresh"])
            #expect(running.status == 1 && running.stderr.contains("Instance is running"))
        }
    }

    /// `lxc move` renames (and moves snapshots with their instance).
    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC], TestPools.drivers)
    func moveRenames(client: String, driver: String) async throws {
        try await DaemonFixture.with(client: client) { f in
            let pool = try TestPools.use(driver, in: f)
            let source = f.name("a")
            let target = f.name("b")
            try f.lxc(["init", f.imageAlias, source]).check()
            try f.lxc(["snapshot", source, "s0"]).check()
            try f.lxc(["move", source, target]).check()
            #expect(try snapshots(f, target) == ["s0"])
            #expect(FileManager.default.fileExists(atPath: TestPools.snapshotsFolder(f, pool: pool, instance: target) + "/s0"))
            try f.lxc(["start", target]).check()
            let running = try f.lxc(["move", target, source])
            #expect(running.status == 1 && running.stderr == "Error: Renaming of running container not allowed\n")
        }
    }

    /// `lxc move --storage`: the instance, its files and snapshots move to another pool (here
    /// a btrfs pool on a loop file, then a second `dir` pool); the root disk follows.
    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC])
    func moveToAnotherPool(client: String) async throws {
        try await DaemonFixture.with(client: client) { f in
            let btrfs = try TestPools.use("btrfs", in: f)
            try f.lxc(["profile", "device", "set", "default", "root", "pool=default"], client: TestEnvironment.debianLXC).check()
            let other = f.name("dir2")
            try f.lxc(["storage", "create", other, "dir"], client: TestEnvironment.debianLXC).check()
            let name = f.name("m")
            try f.lxc(["launch", f.imageAlias, name]).check()
            try f.lxc(["exec", name, "--", "sh", "-c", "echo moved > /root/m"]).check()
            try f.lxc(["snapshot", name, "s0"]).check()

            // Running: a live migration would need CRIU.
            let live = try f.lxc(["move", name, "--storage", btrfs])
            #expect(
                live.status == 1 && live.stderr.hasPrefix("Error: Migration operation failure: Unable to perform container live migration.")
            )
            try f.lxc(["stop", "--force", name]).check()
            let missing = try f.lxc(["move", name, "--storage", "nosuch"])
            #expect(missing.stderr.hasSuffix("Failed loading storage pool: Storage pool not found\n"))

            try f.lxc(["move", name, "--storage", btrfs]).check()
            #expect(try instance(f, name).devices["root"]?["pool"] == btrfs)
            #expect(StorageTools.isSubvolume(f.directory + "/storage-pools/\(btrfs)/containers/\(name)"))
            #expect(!FileManager.default.fileExists(atPath: f.directory + "/storage-pools/default/containers/\(name)"))
            #expect(try snapshots(f, name) == ["s0"])

            let renamed = f.name("m2")
            try f.lxc(["move", name, renamed, "--storage", other, "--instance-only"]).check()
            #expect(try instance(f, renamed).devices["root"]?["pool"] == other)
            #expect(try snapshots(f, renamed) == [])
            #expect(
                ((try? FileManager.default.contentsOfDirectory(atPath: f.directory + "/storage-pools/\(btrfs)/containers")) ?? []).isEmpty)
            try f.lxc(["start", renamed]).check()
            #expect(try f.lxc(["exec", renamed, "--", "cat", "/root/m"]).check().stdout == "moved\n")
        }
    }
}
