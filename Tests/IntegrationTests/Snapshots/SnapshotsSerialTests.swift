import Foundation
import LXDAPI
import LXDHTTP
import LXDTestSupport
import Testing

/// `lxc snapshot`, `restore`, `delete NAME/SNAP`, `rename NAME/SNAP`, the list in `lxc info`,
/// through Debian's `lxc` and ours, on the `dir` pool.
@Suite(.serialized, .enabled(if: containersAvailable))
struct SnapshotsSerialTests {
    func snapshots(_ f: DaemonFixture, _ name: String) throws -> [String] {
        try f.get("/1.0/instances/\(name)/snapshots", as: [String].self).map { String($0.split(separator: "/").last ?? "") }
    }

    func snapshotFolders(_ f: DaemonFixture, _ name: String, pool: String = "default") -> [String] {
        let folder = TestPools.snapshotsFolder(f, pool: pool, instance: name)
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// Take, restore, rename and delete through both clients, on `dir` and btrfs; the
    /// container's files follow.
    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC], TestPools.drivers)
    func snapshotRestoreRenameDelete(client: String, driver: String) async throws {
        try await DaemonFixture.with(client: client) { f in
            let pool = try TestPools.use(driver, in: f)
            let name = f.name("c")
            try f.lxc(["launch", f.imageAlias, name]).check()
            try f.lxc(["exec", name, "--", "sh", "-c", "echo before > /root/state; echo kept > /root/gone"]).check()
            try f.lxc(["snapshot", name]).check()
            try f.lxc(["snapshot", name, "named"]).check()
            #expect(try snapshots(f, name) == ["snap0", "named"])
            #expect(snapshotFolders(f, name, pool: pool) == ["named", "snap0"])

            // A running container is snapshotted too; its state changes after (a same-size rewrite,
            // a removed file and a new one: restore must see each, whatever the driver copies).
            try f.lxc(["exec", name, "--", "sh", "-c", "echo BEFORE > /root/state; rm /root/gone; touch /root/new"]).check()
            try f.lxc(["restore", name, "named"]).check()
            #expect(try f.lxc(["exec", name, "--", "cat", "/root/state", "/root/gone"]).check().stdout == "before\nkept\n")
            #expect(try f.lxc(["exec", name, "--", "ls", "/root"]).check().stdout == "gone\nstate\n")
            #expect(try f.get("/1.0/instances/\(name)", as: Instance.self).status == "Running")

            // The full form of restore, rename, move and delete.
            try f.lxc(["restore", name, "\(name)/snap0"]).check()
            try f.lxc(["rename", "\(name)/snap0", "\(name)/first"]).check()
            try f.lxc(["move", "\(name)/first", "\(name)/oldest"]).check()
            #expect(try snapshots(f, name) == ["oldest", "named"])
            #expect(snapshotFolders(f, name, pool: pool) == ["named", "oldest"])
            try f.lxc(["delete", "\(name)/oldest"]).check()
            #expect(try snapshots(f, name) == ["named"])
            #expect(snapshotFolders(f, name, pool: pool) == ["named"])

            // The default names continue after the highest index, as LXD's `snap%d` does.
            try f.lxc(["snapshot", name]).check()
            #expect(try snapshots(f, name) == ["named", "snap0"])

            // --reuse replaces a snapshot of the same name.
            let before = try f.get("/1.0/instances/\(name)/snapshots/named", as: InstanceSnapshot.self).createdAt
            try f.lxc(["snapshot", name, "named", "--reuse"]).check()
            let after = try f.get("/1.0/instances/\(name)/snapshots/named", as: InstanceSnapshot.self).createdAt
            #expect(after > before)

            // Deleting the instance takes its snapshots.
            try f.lxc(["delete", "--force", name]).check()
            #expect(snapshotFolders(f, name, pool: pool) == [])
        }
    }

    /// Bad input: the same message and status from both clients, and nothing changes.
    @Test func badInputMatchesLXDAndChangesNothing() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            let name = f.name("bad")
            try f.lxc(["launch", f.imageAlias, name]).check()
            try f.lxc(["snapshot", name, "s1"]).check()
            let cases: [[String]] = [
                ["snapshot", name, "s1"], ["snapshot", name, "a/b"], ["snapshot", name, "a b"], ["snapshot", name, "x", "y"],
                ["snapshot", "nosuch"], ["snapshot", "\(name)/s1", "x"], ["restore", name, "nosuch"], ["restore", name, "other/s1"],
                ["restore", "nosuch", "s1"], ["restore", name], ["delete", "\(name)/nosuch"], ["delete", "nosuch/s1"],
                ["rename", "\(name)/s1", "\(name)/a/b"], ["rename", "\(name)/nosuch", "\(name)/x"], ["rename", "\(name)/s1", "other/x"],
                ["rename", "\(name)/s1", "x"], ["move", "\(name)/s1", "\(name)/s1"], ["info", "\(name)/s1"],
                ["snapshot", name, "st", "--stateful"], ["snapshot", "--help"], ["restore", "--help"], ["snapshot"], ["restore"],
            ]
            for arguments in cases { try pair.expectSame(arguments) }
            #expect(try snapshots(f, name) == ["s1"])
            #expect(snapshotFolders(f, name) == ["s1"])
            // "." and ".." would name the snapshots folder itself: refused (LXD 5.0.2 takes them).
            for bad in [".", ".."] {
                let result = try f.lxc(["snapshot", name, bad], client: f.ourLXC)
                #expect(result.status == 1 && result.stderr == "Error: Invalid snapshot name: \"\(bad)\" is not allowed\n")
            }
            #expect(try snapshots(f, name) == ["s1"])
        }
    }

    /// Without CRIU (or where `criu check` fails), a stateful snapshot says why and makes nothing.
    @Test func statefulSnapshotNeedsCRIU() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("st")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let result = try f.lxc(["snapshot", name, "st", "--stateful"], client: f.ourLXC)
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("Error: Unable to create a stateful snapshot. CRIU "))
            #expect(try snapshots(f, name) == [])
            #expect(snapshotFolders(f, name) == [])
            try f.lxc(["stop", "--force", name]).check()
            let stopped = try f.lxc(["snapshot", name, "st", "--stateful"], client: f.ourLXC)
            #expect(stopped.stderr == "Error: Unable to create a stateful snapshot. The instance isn't running\n")
        }
    }

    /// The snapshot list in `lxc info` and a snapshot's YAML (`lxc config show NAME/SNAP`).
    @Test func infoListsSnapshotsAsLXD() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            try pair.expectSame(["init", f.imageAlias, "@"])
            for client in ["d", "o"] {
                let name = pair.name(client, "x")
                try f.lxc(["config", "set", name, "snapshots.expiry", "2d"]).check()
                try f.lxc(["snapshot", name, "one"]).check()
                try f.lxc(["snapshot", name, "two", "--no-expiry"]).check()
            }
            try pair.expectSame(["info", "@"])
            let info = try f.lxc(["info", pair.name("o", "x")], client: f.ourLXC).check().stdout
            #expect(info.contains("| one  |") && info.contains("| two  |") && info.contains("EXPIRES AT"))
            let yaml = try f.lxc(["config", "show", "\(pair.name("d", "x"))/one"]).check().stdout
            #expect(yaml.hasPrefix("expires_at: 20"))
            #expect(yaml.contains("\nname: one\n") && yaml.contains("\nsize: -1\n"))
        }
    }

    /// `snapshots.expiry` is applied when a snapshot is taken; `--no-expiry` and an explicit
    /// `expires_at` win; only the expiry of a snapshot can be changed.
    @Test func expiryAndReadOnlySnapshots() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("exp")
            try f.lxc(["init", f.imageAlias, name]).check()
            try f.lxc(["config", "set", name, "snapshots.expiry", "1d 2H"]).check()
            try f.lxc(["snapshot", name, "auto"], client: f.ourLXC).check()
            try f.lxc(["snapshot", name, "never", "--no-expiry"], client: f.ourLXC).check()
            let auto = try f.get("/1.0/instances/\(name)/snapshots/auto", as: InstanceSnapshot.self)
            #expect(auto.expiresAt.seconds - auto.createdAt.seconds == 26 * 3600)
            #expect(try f.get("/1.0/instances/\(name)/snapshots/never", as: InstanceSnapshot.self).expiresAt.isGoZero)

            // PUT changes the expiry and nothing else.
            let body = #"{"expires_at":"2040-01-02T03:04:05Z","config":{"user.changed":"yes"},"profiles":[]}"#
            let put = try f.http.request("PUT", "/1.0/instances/\(name)/snapshots/auto", body: Data(body.utf8))
            #expect(put.status == 202)
            #expect(
                try eventually {
                    try f.get("/1.0/instances/\(name)/snapshots/auto", as: InstanceSnapshot.self).expiresAt.seconds == 2_209_086_245
                })
            let updated = try f.get("/1.0/instances/\(name)/snapshots/auto", as: InstanceSnapshot.self)
            #expect(updated.config["user.changed"] == nil && updated.profiles == ["default"])

            // A snapshot is not an instance: instance endpoints refuse `NAME/SNAP` as LXD does, and
            // nothing writes into it.
            let state = try f.http.request("PUT", "/1.0/instances/\(name)%2Fauto/state", body: Data(#"{"action":"start"}"#.utf8))
            #expect(state.status == 400)
            #expect(String(decoding: state.body, as: UTF8.self).contains("Invalid instance name"))
            let files = try f.http.request("POST", "/1.0/instances/\(name)%2Fauto/files?path=/root/x", body: Data("x".utf8))
            #expect(files.status == 400 || files.status == 404)
            let rootfs = f.directory + "/storage-pools/default/containers-snapshots/\(name)/auto/rootfs"
            #expect(FileManager.default.fileExists(atPath: rootfs + "/etc/hostname"))
            #expect(!FileManager.default.fileExists(atPath: rootfs + "/root/x"))
            let snapshotFiles = try f.http.request("GET", "/1.0/instances/\(name)/snapshots/auto/files?path=/etc/hostname")
            #expect(snapshotFiles.status == 404)
        }
    }

    /// On a pool whose snapshots are copies (dir), a running container is frozen while its
    /// snapshot is taken (LXD's lifecycle events); btrfs snapshots are atomic and LXD 5.0.2 does
    /// not freeze for them (its `RunningCopyFreeze`).
    @Test(arguments: TestPools.drivers)
    func runningContainerIsFrozenDuringSnapshotWhereThePoolNeedsIt(_ driver: String) async throws {
        try await DaemonFixture.with { f in
            _ = try TestPools.use(driver, in: f)
            let name = f.name("frz")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let events = try f.http.webSocket("/1.0/events?type=lifecycle")
            try f.lxc(["snapshot", name, "s"], client: f.ourLXC).check()
            var actions: [String] = []
            while !actions.contains("instance-snapshot-created"), actions.count < 20, let message = try events.receive() {
                guard case .text(let text) = message, let event = try? LXDJSON.decode(Event.self, from: Data(text.utf8)) else { continue }
                actions.append(event.metadata["action"]?.stringValue ?? "")
            }
            let frozen = driver == "dir" ? ["instance-paused", "instance-resumed"] : []
            #expect(actions == frozen + ["instance-snapshot-created"])
            #expect(try f.get("/1.0/instances/\(name)", as: Instance.self).status == "Running")
        }
    }

    /// The minute task: a `snapshots.schedule` of every minute takes a snapshot named by
    /// `snapshots.pattern`, and a snapshot past its expiry is deleted.
    @Test func scheduleAndPruning() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("sch")
            try f.lxc(["init", f.imageAlias, name]).check()
            let post = #"{"name":"old","expires_at":"2020-01-01T00:00:00Z"}"#
            #expect(try f.http.request("POST", "/1.0/instances/\(name)/snapshots", body: Data(post.utf8)).status == 202)
            #expect(try eventually { try snapshots(f, name) == ["old"] })
            try f.lxc(["config", "set", name, "snapshots.schedule", "* * * * *"]).check()
            try f.lxc(["config", "set", name, "snapshots.schedule.stopped", "true"]).check()
            try f.lxc(["config", "set", name, "snapshots.pattern", "auto-{{ creation_date|date:'2006' }}-%d"]).check()
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            // The task runs at the start of each minute: within two minutes both have happened.
            #expect(try eventually(timeout: 150) { try snapshots(f, name) == ["auto-\(year)-0"] })
            #expect(snapshotFolders(f, name) == ["auto-\(year)-0"])
        }
    }

    /// `snapshots.schedule: @startup` takes a snapshot each time the instance starts.
    @Test func startupSchedule() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("up")
            try f.lxc(["init", f.imageAlias, name]).check()
            try f.lxc(["config", "set", name, "snapshots.schedule", "@startup"]).check()
            #expect(try snapshots(f, name) == [])
            try f.lxc(["start", name]).check()
            #expect(try snapshots(f, name) == ["snap0"])
            try f.lxc(["stop", "--force", name]).check()
            try f.lxc(["start", name]).check()
            #expect(try snapshots(f, name) == ["snap0", "snap1"])
        }
    }
}
