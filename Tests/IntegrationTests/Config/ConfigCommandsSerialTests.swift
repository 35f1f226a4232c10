import Foundation
import LXDTestSupport
import Testing

/// `lxc config` through Debian's `lxc` 5.0.2 and ours on our daemon, and the seed's profiles
/// intermezzo end to end.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ConfigCommandsSerialTests {
    @Test func helpAndArgumentErrorsMatch() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let pair = ClientPair(fixture: f)
            var cases: [[String]] = [["config"], ["config", "--help"], ["config", "device"], ["config", "uefi", "--help"]]
            cases += ["edit", "get", "set", "show", "unset"].map { ["config", $0, "--help"] }
            cases += ["add", "get", "list", "override", "remove", "set", "show", "unset"].map { ["config", "device", $0, "--help"] }
            cases += [
                ["config", "get"], ["config", "set"], ["config", "unset"], ["config", "show", "a", "b"], ["config", "edit", "a", "b"],
                ["config", "device", "add", "x"], ["config", "device", "override", "x"], ["config", "show", "--expanded"],
                ["config", "get", "--expanded", "core.https_address"], ["config", "show", "--target", "m1"], ["config", "show", "nosuch"],
                ["config", "show", "nosuch/snap"], ["config", "get", "nosuch", "user.a"],
            ]
            for arguments in cases { try pair.expectSame(arguments) }
        }
    }

    @Test func instanceConfigAndDevicesMatch() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            for client in ["d", "o"] { try f.lxc(["init", f.imageAlias, pair.name(client, "x")]).check() }
            try pair.expectSame(["config", "set", "@", "user.a", "b"])
            try pair.expectSame(["config", "set", "@", "user.b=1", "limits.memory=128MB"])
            try pair.expectSame(["config", "set", "@", "a=b", "c"])
            try pair.expectSame(["config", "set", "@", "limits.memory=lots"])
            try pair.expectSame(["config", "set", "@", "nosuch.key=1"])
            try pair.expectSame(["config", "get", "@", "user.a"])
            try pair.expectSame(["config", "get", "@", "limits.memory"])
            try pair.expectSame(["config", "get", "@", "user.nosuch"])
            try pair.expectSame(["config", "get", "-e", "@", "image.os"])
            try pair.expectSame(["config", "unset", "@", "user.a"])
            try pair.expectSame(["config", "unset", "@", "user.a"])
            try pair.expectSame(["config", "device", "add", "@", "data", "disk", "source=\(f.directory)", "path=/mnt"])
            try pair.expectSame(["config", "device", "add", "@", "data", "disk", "source=\(f.directory)", "path=/mnt"])
            try pair.expectSame(["config", "device", "add", "@", "gone", "disk", "source=/no/such/dir", "path=/gone"])
            try pair.expectSame(["config", "device", "get", "@", "data", "path"])
            try pair.expectSame(["config", "device", "get", "@", "root", "path"])
            try pair.expectSame(["config", "device", "set", "@", "root", "size=1GB"])
            try pair.expectSame(["config", "device", "remove", "@", "root"])
            try pair.expectSame(["config", "device", "override", "@", "nosuch"])
            try pair.expectSame(["config", "device", "override", "@", "root", "size=1GB"])
            try pair.expectSame(["config", "device", "override", "@", "root"])
            try pair.expectSame(["config", "device", "set", "@", "data", "readonly", "true"])
            try pair.expectSame(["config", "device", "unset", "@", "root", "size"])
            try pair.expectSame(["config", "device", "show", "@"])
            try pair.expectSame(["config", "device", "remove", "@", "data", "root"])
            try pair.expectSame(["config", "device", "list", "@"])
            try pair.expectSame(["config", "show", "@"], sortBlock: nil, ignoringVolatile: true)
            try pair.expectSame(["config", "show", "@", "--expanded"], sortBlock: nil, ignoringVolatile: true)
        }
    }

    /// `lxc config show c1 | lxc config edit c1` is a no-op (volatile keys included), and bad
    /// YAML or bad values change nothing.
    @Test func editRoundTripAndBadInputLeaveTheInstanceAlone() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            for client in ["d", "o"] {
                let name = pair.name(client, "x")
                try f.lxc(["init", f.imageAlias, name]).check()
                try f.lxc(["config", "set", name, "user.note=kept"]).check()
            }
            for client in ["d", "o"] {
                let name = pair.name(client, "x")
                let binary = client == "d" ? TestEnvironment.debianLXC : f.ourLXC
                let shown = try f.lxc(["config", "show", name]).check().stdout
                try f.lxc(["config", "edit", name], stdin: Data(shown.utf8), client: binary).check()
                #expect(try f.lxc(["config", "show", name]).check().stdout == shown)
                for bad in ["config: [\n", "profiles: abc\n", "ephemeral: \"yes\"\n", "config:\n  limits.memory: lots\n", "- 1\n"] {
                    let result = try f.lxc(["config", "edit", name], stdin: Data(bad.utf8), client: binary)
                    #expect(result.status == 1, "\(bad)")
                    #expect(try f.lxc(["config", "show", name]).check().stdout == shown, "\(bad)")
                }
            }
            for bad in ["config: [\n", "profiles: abc\nstateful: 3\n", "ephemeral: \"yes\"\n", "config:\n  limits.memory: lots\n"] {
                try pair.expectSame(["config", "edit", "@"], stdin: Data(bad.utf8))
            }
        }
    }

    @Test func serverConfigMatches() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let pair = ClientPair(fixture: f)
            try pair.expectSame(["config", "show"])
            try pair.expectSame(["config", "set", "images.auto_update_interval", "0"])
            try pair.expectSame(["config", "set", "images.auto_update_interval=12"])
            try pair.expectSame(["config", "get", "images.auto_update_interval"])
            try pair.expectSame(["config", "get", "core.nosuch"])
            try pair.expectSame(["config", "set", "core.bogus", "1"])
            try pair.expectSame(["config", "unset", "images.auto_update_interval"])
            try pair.expectSame(["config", "show"])
            // Quoted: Debian's client sends a bare 6 as a JSON number, which the server config
            // decoding here takes once the remotes work lands.
            try pair.expectSame(["config", "edit"], stdin: Data("config:\n  images.auto_update_interval: \"6\"\n".utf8))
            try pair.expectSame(["config", "show"])
            try pair.expectSame(["config", "edit"], stdin: Data("config: [\n".utf8))
        }
    }

    /// The seed's "Profiles intermezzo": create prf-funtoo, edit it from stdin with raw.lxc and a
    /// disk device, add it to c1, start c1: the host folder is visible inside.
    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC])
    func seedProfilesIntermezzo(client: String) async throws {
        try await DaemonFixture.with { f in
            let git = f.directory + "/var-git"
            try FileManager.default.createDirectory(atPath: git + "/meta-repo", withIntermediateDirectories: true)
            try Data("funtoo\n".utf8).write(to: URL(fileURLWithPath: git + "/meta-repo/README"))
            try f.lxc(["init", f.imageAlias, "c1"], client: client).check()
            #expect(try f.lxc(["profile", "list"], client: client).check().stdout.contains("| default | Default LXD profile | 1       |"))
            #expect(try f.lxc(["profile", "show", "default"], client: client).check().stdout.hasSuffix("used_by:\n- /1.0/instances/c1\n"))
            #expect(try f.lxc(["profile", "create", "prf-funtoo"], client: client).check().stdout == "Profile prf-funtoo created\n")
            let edited = """
                config:
                  raw.lxc: lxc.mount.auto = proc sys cgroup
                description: "LXD profile for Funtoo-based containers"
                devices:
                  portage:
                    path: var/git
                    source: \(git)
                    type: disk
                name: prf-funtoo
                used_by: []

                """
            try f.lxc(["profile", "edit", "prf-funtoo"], stdin: Data(edited.utf8), client: client).check()
            #expect(try f.lxc(["profile", "add", "c1", "prf-funtoo"], client: client).check().stdout == "Profile prf-funtoo added to c1\n")
            #expect(try f.lxc(["config", "show", "c1"], client: client).check().stdout.contains("profiles:\n- default\n- prf-funtoo\n"))
            try f.lxc(["start", "c1"], client: client).check()
            #expect(try f.lxc(["exec", "c1", "--", "cat", "/var/git/meta-repo/README"], client: client).check().stdout == "funtoo\n")
            // raw.lxc reached liblxc: proc and sys are mounted as it says.
            let mounts = try f.lxc(["exec", "c1", "--", "cat", "/proc/self/mounts"], client: client).check().stdout
            #expect(mounts.contains(" /proc proc ") && mounts.contains(" /sys sysfs "))
            let profile = try f.lxc(["profile", "show", "prf-funtoo"], client: client).check().stdout
            #expect(profile.contains("description: LXD profile for Funtoo-based containers\n"))
            #expect(profile.hasSuffix("used_by:\n- /1.0/instances/c1\n"))
        }
    }
}

extension ClientPair {
    /// `expectSame`, optionally without the lines of volatile keys (uuids and ids differ between
    /// two instances).
    func expectSame(
        _ arguments: [String], sortBlock: String?, ignoringVolatile: Bool, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let (debian, ours) = try run(arguments)
        let clean = { (text: String) in
            normalise(text).split(separator: "\n", omittingEmptySubsequences: false).filter {
                !ignoringVolatile || !$0.contains("volatile.")
            }.joined(separator: "\n")
        }
        #expect(ours.status == debian.status, "\(arguments)", sourceLocation: sourceLocation)
        #expect(clean(ours.stdout) == clean(debian.stdout), "\(arguments)", sourceLocation: sourceLocation)
        #expect(clean(ours.stderr) == clean(debian.stderr), "\(arguments)", sourceLocation: sourceLocation)
    }
}
