import Foundation
import LXDAPI
import LXDHTTP
import LXDTestSupport
import Testing

/// Instances moving between servers through LXD's migration API (control/fs websockets,
/// protobuf headers, rsync): between two of our daemons with both clients, pull and push, with
/// snapshots; a stateless move of a running instance; CRIU's absence named; a name clash and an
/// interrupted transfer leave nothing behind.
@Suite(.serialized, .enabled(if: containersAvailable))
struct MigrationSerialTests {
    /// A stopped instance with two snapshots and a file that differs between them.
    static func makeSource(_ f: DaemonFixture, _ home: ClientHome, remote: String, name: String) throws {
        try home.lxc(["launch", "\(remote):\(f.imageAlias)", "\(remote):\(name)"]).check()
        try home.lxc(["exec", "\(remote):\(name)", "--", "sh", "-c", "echo one > /root/marker"]).check()
        try home.lxc(["snapshot", "\(remote):\(name)", "snap0"], client: TestEnvironment.debianLXC).check()
        try home.lxc(["exec", "\(remote):\(name)", "--", "sh", "-c", "echo two > /root/marker"]).check()
        try home.lxc(["snapshot", "\(remote):\(name)", "snap1"], client: TestEnvironment.debianLXC).check()
        try home.lxc(["exec", "\(remote):\(name)", "--", "sh", "-c", "echo three > /root/marker"]).check()
        try home.lxc(["stop", "--force", "\(remote):\(name)"]).check()
    }

    /// The copy has both snapshots (restorable, with their contents) and the instance's state.
    static func checkCopy(_ home: ClientHome, remote: String, name: String) throws {
        let info = try home.lxc(["info", "\(remote):\(name)"], client: TestEnvironment.debianLXC).check().stdout
        #expect(info.contains("| snap0 |") && info.contains("| snap1 |"))
        try home.lxc(["start", "\(remote):\(name)"]).check()
        #expect(try home.lxc(["exec", "\(remote):\(name)", "--", "cat", "/root/marker"]).check().stdout == "three\n")
        // Files keep their ids inside the container.
        #expect(try home.lxc(["exec", "\(remote):\(name)", "--", "stat", "-c", "%u:%g", "/root/marker"]).check().stdout == "0:0\n")
        try home.lxc(["stop", "--force", "\(remote):\(name)"]).check()
        try home.lxc(["restore", "\(remote):\(name)", "snap0"], client: TestEnvironment.debianLXC).check()
        try home.lxc(["start", "\(remote):\(name)"]).check()
        #expect(try home.lxc(["exec", "\(remote):\(name)", "--", "cat", "/root/marker"]).check().stdout == "one\n")
        try home.lxc(["stop", "--force", "\(remote):\(name)"]).check()
    }

    @Test(arguments: [
        (TestEnvironment.debianLXC, "pull"), (TestEnvironment.debianLXC, "push"), (TestEnvironment.debianLXC, "relay"),
        (TestEnvironment.ourLXC, "pull"), (TestEnvironment.ourLXC, "push"), (TestEnvironment.ourLXC, "relay"),
    ])
    func copyAndMoveBetweenOurDaemons(_ client: String, _ mode: String) async throws {
        try await RemoteInstancesSerialTests.withTwoHosts(client: client) { f1, f2, home in
            let name = f1.name("mig")
            try Self.makeSource(f1, home, remote: "h1", name: name)
            try home.lxc(["copy", "h1:\(name)", "h2:\(name)", "--mode", mode]).check()
            try Self.checkCopy(home, remote: "h2", name: name)
            // The source is untouched by a copy.
            #expect(try home.lxc(["list", "h1:", "--format", "csv", "-c", "ns"]).check().stdout == "\(name),STOPPED\n")
            // A move takes it away from h1.
            let moved = f1.name("moved")
            try home.lxc(["move", "h1:\(name)", "h2:\(moved)", "--mode", mode]).check()
            #expect(try home.lxc(["list", "h1:", "--format", "csv", "-c", "n"]).check().stdout.isEmpty)
            try Self.checkCopy(home, remote: "h2", name: moved)
            // The same name again on the target: LXD's error, nothing else changes.
            try home.lxc(["copy", "h2:\(moved)", "h1:\(moved)", "--mode", mode]).check()
            let clash = try home.lxc(["copy", "h2:\(moved)", "h1:\(moved)", "--mode", mode])
            #expect(clash.status != 0)
            // The target refuses the create itself (LXD 5.0.2: a 500 before any operation); the
            // client prefixes "Failed instance creation: " in pull mode only.
            let refusal = "Failed creating instance record: Add instance info to the database: This \"instances\" entry already exists"
            #expect(clash.stderr == "Error: " + (mode == "pull" ? "Failed instance creation: " : "") + refusal + "\n")
            #expect(try home.lxc(["list", "h1:", "--format", "csv", "-c", "n"]).check().stdout == "\(moved)\n")
        }
    }

    /// `lxc copy h1:c1/snap0 h2:c2`: the snapshot arrives as an instance of its own, with the
    /// snapshot's files and none of the source's snapshots.
    @Test(arguments: [
        (TestEnvironment.debianLXC, "pull"), (TestEnvironment.ourLXC, "pull"), (TestEnvironment.ourLXC, "push"),
        (TestEnvironment.ourLXC, "relay"),
    ])
    func snapshotCopiedToAnotherServer(_ client: String, _ mode: String) async throws {
        try await RemoteInstancesSerialTests.withTwoHosts(client: client) { f1, f2, home in
            let name = f1.name("snapsrc")
            try Self.makeSource(f1, home, remote: "h1", name: name)
            let copy = f2.name("fromsnap")
            try home.lxc(["copy", "h1:\(name)/snap0", "h2:\(copy)", "--mode", mode]).check()
            try home.lxc(["start", "h2:\(copy)"]).check()
            #expect(try home.lxc(["exec", "h2:\(copy)", "--", "cat", "/root/marker"]).check().stdout == "one\n")
            #expect(try home.lxc(["exec", "h2:\(copy)", "--", "stat", "-c", "%u:%g", "/root/marker"]).check().stdout == "0:0\n")
            #expect(try f2.get("/1.0/instances/\(copy)/snapshots", as: [String].self).isEmpty)
            // A snapshot that is not there: an error, and nothing made on the target.
            let missing = try home.lxc(["copy", "h1:\(name)/nosuch", "h2:\(f2.name("none"))", "--mode", mode])
            #expect(missing.status == 1)
            #expect(try f2.get("/1.0/instances", as: [String].self) == ["/1.0/instances/\(copy)"])
        }
    }

    /// `lxc copy --refresh` onto the copy another server has: the snapshots the source gained
    /// arrive, those it lost go, the volume becomes the source's (a deleted file is gone).
    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC])
    func refreshBetweenServers(_ client: String) async throws {
        try await RemoteInstancesSerialTests.withTwoHosts(client: client) { f1, f2, home in
            let name = f1.name("fresh")
            try Self.makeSource(f1, home, remote: "h1", name: name)
            try home.lxc(["copy", "h1:\(name)", "h2:\(name)"]).check()
            try home.lxc(["start", "h1:\(name)"]).check()
            try home.lxc(["exec", "h1:\(name)", "--", "sh", "-c", "echo four > /root/other; rm /root/marker"]).check()
            try home.lxc(["stop", "--force", "h1:\(name)"]).check()
            try home.lxc(["delete", "h1:\(name)/snap0"]).check()
            try home.lxc(["snapshot", "h1:\(name)", "snap2"]).check()

            try home.lxc(["copy", "h1:\(name)", "h2:\(name)", "--refresh"]).check()
            let snapshots = try f2.get("/1.0/instances/\(name)/snapshots", as: [String].self).sorted()
            #expect(snapshots == ["/1.0/instances/\(name)/snapshots/snap1", "/1.0/instances/\(name)/snapshots/snap2"])
            try home.lxc(["start", "h2:\(name)"]).check()
            #expect(try home.lxc(["exec", "h2:\(name)", "--", "cat", "/root/other"]).check().stdout == "four\n")
            #expect(try home.lxc(["exec", "h2:\(name)", "--", "test", "-e", "/root/marker"]).status == 1)
            // A running target is refused, as LXD does.
            let running = try home.lxc(["copy", "h1:\(name)", "h2:\(name)", "--refresh"])
            #expect(running.status == 1)
            #expect(running.stderr.contains("Instance is running"))
            try home.lxc(["stop", "--force", "h2:\(name)"]).check()
            try home.lxc(["restore", "h2:\(name)", "snap1"]).check()
            try home.lxc(["start", "h2:\(name)"]).check()
            let restored = try home.lxc(["exec", "h2:\(name)", "--", "cat", "/root/marker", "/root/other"])
            #expect(restored.stdout == "two\n", "\(restored)")
        }
    }

    /// Running: a live transfer needs CRIU (not installed here: LXD's message); `--stateless`
    /// stops, transfers and starts the instance on the target.
    @Test func runningInstanceNeedsStateless() async throws {
        try await RemoteInstancesSerialTests.withTwoHosts(client: TestEnvironment.ourLXC) { f1, f2, home in
            let name = f1.name("run")
            try home.lxc(["launch", "h1:\(f1.imageAlias)", "h1:\(name)"]).check()
            try home.lxc(["exec", "h1:\(name)", "--", "sh", "-c", "echo alive > /root/state"]).check()
            for client in [TestEnvironment.ourLXC, TestEnvironment.debianLXC] {
                let live = try home.lxc(["copy", "h1:\(name)", "h2:\(name)"], client: client)
                #expect(live.status != 0)
                #expect(live.stderr.contains("Unable to perform container live migration. CRIU isn't installed on the source server"))
            }
            #expect(try home.lxc(["list", "h2:", "--format", "csv"]).check().stdout.isEmpty)
            try home.lxc(["move", "h1:\(name)", "h2:\(name)", "--stateless"]).check()
            #expect(try home.lxc(["list", "h1:", "--format", "csv"]).check().stdout.isEmpty)
            #expect(try home.lxc(["list", "h2:", "--format", "csv", "-c", "ns"]).check().stdout == "\(name),RUNNING\n")
            #expect(try home.lxc(["exec", "h2:\(name)", "--", "cat", "/root/state"]).check().stdout == "alive\n")
        }
    }

    /// A source that stops in the middle of the transfer (after the headers, inside rsync's
    /// stream): the sink reports the failure and removes the instance, its volume and snapshots.
    @Test func interruptedTransferLeavesNothingBehind() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let name = f.name("cut")
            let body = #"{"name":"\#(name)","architecture":"x86_64","profiles":["default"],"source":{"type":"migration","mode":"push"}}"#
            let created = try LXDJSON.decode(
                ResponseRaw.self, from: try f.http.request("POST", "/1.0/instances", body: Data(body.utf8)).body)
            let operation = try created.metadata.decode(LXDAPI.Operation.self)
            let secrets = try operation.metadata.decode([String: String].self)
            let control = try f.http.webSocket("/1.0/operations/\(operation.id)/websocket?secret=\(try #require(secrets["control"]))")
            let fs = try f.http.webSocket("/1.0/operations/\(operation.id)/websocket?secret=\(try #require(secrets["fs"]))")
            // Offer: rsync (field 1 = 0), one snapshot name "s0" (field 4).
            try control.sendBinary(Data([0x08, 0x00, 0x22, 0x02, 0x73, 0x30]))
            guard case .binary(let answer)? = try control.receive() else { throw TestFailure("no answer header") }
            #expect(answer.starts(with: [0x08, 0x00]))
            // The instance exists while receiving...
            #expect(try f.get("/1.0/instances", as: [String].self) == ["/1.0/instances/\(name)"])
            // ...then the source sends garbage and goes away.
            try fs.sendBinary(Data(repeating: 0x5A, count: 4096))
            fs.close()
            control.close()
            let waited = try LXDJSON.decode(
                ResponseRaw.self, from: try f.http.request("GET", "/1.0/operations/\(operation.id)/wait?timeout=60").body)
            #expect(try waited.metadata.decode(LXDAPI.Operation.self).status == "Failure")
            #expect(try f.get("/1.0/instances", as: [String].self).isEmpty)
            let pool = f.directory + "/storage-pools/default"
            #expect(!FileManager.default.fileExists(atPath: pool + "/containers/\(name)"))
            #expect(!FileManager.default.fileExists(atPath: pool + "/containers-snapshots/\(name)"))
            #expect(!FileManager.default.fileExists(atPath: f.directory + "/containers/\(name)"))
        }
    }
}

/// The same protocol against the real LXD 5.0.2, both directions, both clients' worth of
/// configuration (Debian's lxc drives it; ours in the other direction).
@Suite(.serialized, .enabled(if: containersAvailable && ReferenceDaemon.isInstalled))
struct MigrationInteropSerialTests {
    @Test func copyBetweenOursAndLXDBothWays() async throws {
        try await DaemonFixture.with { f in
            try await ReferenceDaemon.with { lxd in
                let ours = try f.listenHTTPS(password: "ours")
                let theirs = try lxd.listenHTTPS(password: "theirs")
                try lxd.lxc(["image", "import", try TestImage.busybox(), "--alias", "bb"]).check()
                let home = try ClientHome()
                defer { home.remove() }
                try home.lxc(["remote", "add", "ours", ours, "--accept-certificate", "--password", "ours"]).check()
                try home.lxc(["remote", "add", "lxd", theirs, "--accept-certificate", "--password", "theirs"]).check()
                // Ours → LXD (Debian's client), snapshots included; LXD starts it.
                let name = f.name("tolxd")
                try MigrationSerialTests.makeSource(f, home, remote: "ours", name: name)
                try home.lxc(["copy", "ours:\(name)", "lxd:\(name)"]).check()
                try MigrationSerialTests.checkCopy(home, remote: "lxd", name: name)
                // LXD → ours (our client), an instance LXD never started (unshifted files).
                try home.lxc(["init", "lxd:bb", "lxd:fromlxd"]).check()
                try home.lxc(["snapshot", "lxd:fromlxd", "first"]).check()
                try home.lxc(["copy", "lxd:fromlxd", "ours:fromlxd"], client: TestEnvironment.ourLXC).check()
                try home.lxc(["start", "ours:fromlxd"]).check()
                #expect(try home.lxc(["exec", "ours:fromlxd", "--", "cat", "/etc/hostname"]).check().stdout == "fromlxd\n")
                #expect(try home.lxc(["info", "ours:fromlxd"]).check().stdout.contains("| first |"))
                // Our client trusts the real LXD by password on its own and lists it.
                let ourHome = try ClientHome(client: TestEnvironment.ourLXC)
                defer { ourHome.remove() }
                try ourHome.lxc(["remote", "add", "lxd", theirs, "--accept-certificate", "--password", "theirs"]).check()
                #expect(try ourHome.lxc(["list", "lxd:", "--format", "csv", "-c", "n"]).check().stdout.contains("fromlxd\n"))
                let stranger = try ClientHome(client: TestEnvironment.ourLXC)
                defer { stranger.remove() }
                let refused = try stranger.lxc(["remote", "add", "lxd", theirs, "--accept-certificate", "--password", "wrong"])
                #expect(refused.stderr == "Generating a client certificate. This may take a minute...\nError: not authorized\n")
                // And back with a move through our client's push mode.
                try home.lxc(["stop", "--force", "ours:fromlxd"]).check()
                try home.lxc(["move", "ours:fromlxd", "lxd:roundtrip", "--mode", "push"], client: TestEnvironment.ourLXC).check()
                try home.lxc(["start", "lxd:roundtrip"]).check()
                #expect(try home.lxc(["exec", "lxd:roundtrip", "--", "cat", "/etc/hostname"]).check().stdout == "roundtrip\n")
            }
        }
    }
}
