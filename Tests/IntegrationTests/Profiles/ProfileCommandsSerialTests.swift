import Foundation
import LXDTestSupport
import Testing

/// `lxc profile` through Debian's `lxc` 5.0.2 and ours on our daemon: same output, same state.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ProfileCommandsSerialTests {
    static let helpCases: [[String]] =
        [
            ["profile"], ["profile", "--help"], ["profile", "device"], ["profile", "device", "--help"], ["profile", "nosuch", "--help"],
        ]
        + ["add", "assign", "apply", "copy", "create", "delete", "edit", "get", "list", "remove", "rename", "set", "show", "unset"].map {
            ["profile", $0, "--help"]
        } + ["add", "get", "list", "remove", "set", "show", "unset"].map { ["profile", "device", $0, "--help"] }

    @Test func helpAndArgumentErrorsMatch() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let pair = ClientPair(fixture: f)
            for arguments in Self.helpCases { try pair.expectSame(arguments) }
            for arguments in [
                ["profile", "create"], ["profile", "create", "a", "b"], ["profile", "show"], ["profile", "set", "default"],
                ["profile", "unset", "default"], ["profile", "add", "x"], ["profile", "assign", "x"], ["profile", "copy", "default"],
                ["profile", "rename", "default"], ["profile", "delete"], ["profile", "device", "add", "default", "d"],
                ["profile", "device", "get", "default", "root"], ["profile", "device", "remove", "default"], ["profile", "list", "a", "b"],
                ["profile", "list", "--format", "xml"],
            ] {
                try pair.expectSame(arguments)
            }
        }
    }

    @Test func createShowSetAndDeleteMatch() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let pair = ClientPair(fixture: f)
            try pair.expectSame(["profile", "create", "@"])
            try pair.expectSame(["profile", "create", "@"])  // duplicate: LXD's 500 text
            for format in ["table", "csv", "json", "yaml", "compact"] { try pair.expectSame(["profile", "list", "--format", format]) }
            try pair.expectSame(["profile", "show", "@"])
            try pair.expectSame(["profile", "set", "@", "user.a", "b"])
            try pair.expectSame(["profile", "set", "@", "user.b=1", "user.c=two words"])
            try pair.expectSame(["profile", "set", "@", "user.x"])
            try pair.expectSame(["profile", "get", "@", "user.c"])
            try pair.expectSame(["profile", "get", "@", "user.nosuch"])
            try pair.expectSame(["profile", "unset", "@", "user.a"])
            try pair.expectSame(["profile", "unset", "@", "user.never"])
            try pair.expectSame(["profile", "show", "@"])
            #expect(try f.lxc(["profile", "get", pair.name("o", "x"), "user.c"]).check().stdout == "two words\n")
            #expect(try f.lxc(["profile", "get", pair.name("o", "x"), "user.a"]).check().stdout == "\n")

            // Devices.
            try pair.expectSame(["profile", "device", "add", "@", "data", "disk", "source=\(f.directory)", "path=/mnt/data"])
            try pair.expectSame(["profile", "device", "add", "@", "data", "disk"])
            try pair.expectSame(["profile", "device", "add", "@", "bad", "disk", "source"])
            try pair.expectSame(["profile", "device", "set", "@", "data", "readonly", "true"])
            try pair.expectSame(["profile", "device", "set", "@", "data", "x"])
            try pair.expectSame(["profile", "device", "set", "@", "nosuch", "a=b"])
            try pair.expectSame(["profile", "device", "get", "@", "data", "readonly"])
            try pair.expectSame(["profile", "device", "get", "@", "nosuch", "path"])
            try pair.expectSame(["profile", "device", "list", "@"])
            try pair.expectSame(["profile", "device", "show", "@"])
            try pair.expectSame(["profile", "device", "unset", "@", "data", "readonly"])
            try pair.expectSame(["profile", "device", "show", "@"])
            try pair.expectSame(["profile", "device", "remove", "@", "data", "nosuch"])
            try pair.expectSame(["profile", "device", "remove", "@", "data"])
            try pair.expectSame(["profile", "device", "list", "@"])
            try pair.expectSame(["profile", "device", "add", "nosuch", "d", "disk"])

            // Copy, rename, delete and their refusals.
            try pair.expectSame(["profile", "copy", "@", "@c"])
            try pair.expectSame(["profile", "copy", "@", "@c"])
            try pair.expectSame(["profile", "copy", "nosuch", "@n"])
            try pair.expectSame(["profile", "show", "@c"])
            try pair.expectSame(["profile", "rename", "@c", "@r"])
            try pair.expectSame(["profile", "rename", "@r", "@"])
            try pair.expectSame(["profile", "rename", "nosuch", "@n"])
            try pair.expectSame(["profile", "rename", "default", "@d"])
            try pair.expectSame(["profile", "delete", "default"])
            try pair.expectSame(["profile", "delete", "nosuch"])
            try pair.expectSame(["profile", "delete", "@r"])
            try pair.expectSame(["profile", "list"])
            try pair.expectSame(["profile", "create", "a/b"])
            try pair.expectSame(["--quiet", "profile", "create", "@q"])
        }
    }

    @Test func editFromStdinReplacesOrRefusesAsLXD() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let pair = ClientPair(fixture: f)
            try pair.expectSame(["profile", "create", "@"])
            let good = Data(
                "config:\n  user.n: 12\n  user.b: yes\ndescription: 7\ndevices:\n  d:\n    type: none\nname: ignored\nused_by: [x]\n".utf8)
            try pair.expectSame(["profile", "edit", "@"], stdin: good)
            try pair.expectSame(["profile", "show", "@"])
            let ours = pair.name("o", "x")
            #expect(try f.lxc(["profile", "get", ours, "user.b"]).check().stdout == "yes\n")
            let before = try f.lxc(["profile", "show", ours]).check().stdout
            for bad in [
                "config: [\n", "config:\n  - a\n", "config:\n  - a\ndevices:\n  x: 5\ndescription: [1]\n", "- a\n", "devices: 5\n",
                "config:\n  bogus.key: 1\n",
            ] {
                try pair.expectSame(["profile", "edit", "@"], stdin: Data(bad.utf8))
                #expect(try f.lxc(["profile", "show", ours]).check().stdout == before, "\(bad)")
            }
            try pair.expectSame(["profile", "edit", "nosuch"], stdin: good)
            // Empty stdin wipes the profile, as LXD's client does.
            try pair.expectSame(["profile", "edit", "@"], stdin: Data())
            try pair.expectSame(["profile", "show", "@"])
        }
    }

    @Test func instancesUseProfilesInOrder() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            for client in ["d", "o"] { try f.lxc(["init", f.imageAlias, pair.name(client, "x") + "c"]).check() }
            try pair.expectSame(["profile", "create", "@"])
            try pair.expectSame(["profile", "create", "@2"])
            try pair.expectSame(["profile", "set", "@", "user.who=first"])
            try pair.expectSame(["profile", "set", "@2", "user.who=second"])
            // The instances are "<name>c" next to the profiles "<name>" and "<name>2".
            try pair.expectSame(["profile", "add", "@c", "@"])
            try pair.expectSame(["profile", "add", "@c", "@2"])
            try pair.expectSame(["profile", "add", "@c", "nosuch"])
            try pair.expectSame(["profile", "add", "nosuch", "@"])
            try pair.expectSame(["config", "get", "@c", "user.who", "--expanded"])
            try pair.expectSame(["profile", "list"])
            try pair.expectSame(["profile", "show", "@"])
            try pair.expectSame(["profile", "delete", "@"])
            try pair.expectSame(["profile", "remove", "@c", "@2"])
            try pair.expectSame(["profile", "remove", "@c", "@2"])
            try pair.expectSame(["config", "get", "@c", "user.who", "-e"])
            try pair.expectSame(["profile", "assign", "@c", "default,@2"])
            try pair.expectSame(["profile", "apply", "@c", ""])
            try pair.expectSame(["config", "show", "@c"], sortBlock: nil, ignoringVolatile: true)
            try pair.expectSame(["profile", "assign", "@c", "default,nosuch"])
            try pair.expectSame(["profile", "assign", "@c", "default"])
            try pair.expectSame(["profile", "list"])
            // The instance's own keys win over its profiles.
            let ours = pair.name("o", "x") + "c"
            try f.lxc(["profile", "add", ours, pair.name("o", "x")], client: f.ourLXC).check()
            try f.lxc(["config", "set", ours, "user.who", "own"], client: f.ourLXC).check()
            #expect(try f.lxc(["config", "get", ours, "user.who", "-e"]).check().stdout == "own\n")
        }
    }

    /// A profile change reaches the running instances that use it: limits in the container's
    /// cgroup and a disk device mounted, both seen from inside.
    @Test func profileChangesReachRunningInstances() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("run")
            let profile = f.name("prof")
            let share = f.directory + "/share"
            try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
            try Data("shared by the profile\n".utf8).write(to: URL(fileURLWithPath: share + "/file"))
            try f.lxc(["profile", "create", profile], client: f.ourLXC).check()
            try f.lxc(["launch", f.imageAlias, name, "-p", "default", "-p", profile], client: f.ourLXC).check()
            try f.lxc(["profile", "set", profile, "limits.memory=64MB"], client: f.ourLXC).check()
            #expect(try hostMemoryLimit(f, name) == "64000000")
            try f.lxc(["profile", "device", "add", profile, "share", "disk", "source=\(share)", "path=/mnt/share"], client: f.ourLXC)
                .check()
            #expect(try f.lxc(["exec", name, "--", "cat", "/mnt/share/file"]).check().stdout == "shared by the profile\n")
            try f.lxc(["profile", "device", "remove", profile, "share"], client: f.ourLXC).check()
            #expect(try f.lxc(["exec", name, "--", "cat", "/mnt/share/file"]).status != 0)
            try f.lxc(["profile", "unset", profile, "limits.memory"], client: f.ourLXC).check()
            #expect(try hostMemoryLimit(f, name) != "64000000")

            // A change an instance cannot take is saved all the same, and reported as LXD does.
            let failed = try f.lxc(["profile", "device", "add", profile, "gone", "disk", "source=/no/such/folder", "path=/mnt/gone"])
            #expect(failed.status == 1)
            #expect(
                failed.stderr
                    == "Error: The following instances failed to update (profile change still saved):\n - Project: default, Instance: \(name): Failed add validation for device \"gone\": Missing source path \"/no/such/folder\" for disk \"gone\"\n\n"
            )
            #expect(try f.lxc(["profile", "device", "list", profile]).check().stdout == "gone\n")
        }
    }

    /// The memory limit of a running container's cgroup, read on the host through its init's cgroup.
    func hostMemoryLimit(_ f: DaemonFixture, _ name: String) throws -> String? {
        guard let pid = try infoPID(f, name), let cgroups = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else {
            return nil
        }
        for line in cgroups.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count == 3, fields[1] == "memory" else { continue }
            let file = "/sys/fs/cgroup/memory\(fields[2])/memory.limit_in_bytes"
            return (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }
}
