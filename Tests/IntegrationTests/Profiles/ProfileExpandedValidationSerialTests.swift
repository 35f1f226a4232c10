import Foundation
import LXDTestSupport
import Testing

/// A profile change checked against the expanded config of every instance using it, and an
/// instance change checked against its profiles, compared step by step with the real LXD 5.0.2.
/// As 5.0.2 does, a profile change that an instance cannot take is still saved and the instance
/// is listed as failed; the instance itself is left as it was.
@Suite(.serialized, .enabled(if: containersAvailable && ReferenceDaemon.isInstalled))
struct ProfileExpandedValidationSerialTests {
    /// The steps, run through `lxc` against one daemon; each step's status and output make a
    /// transcript line.
    static func transcript(image: String, _ lxc: ([String]) throws -> CommandResult) throws -> [String] {
        let steps: [[String]] = [
            ["profile", "create", "pv"],
            ["init", image, "cv"],
            ["profile", "add", "cv", "pv"],
            // The instance's own key against the profile's: refused either way round.
            ["config", "set", "cv", "security.syscalls.allow=read"],
            ["profile", "set", "pv", "raw.seccomp=x"],
            ["profile", "get", "pv", "raw.seccomp"],
            ["profile", "unset", "pv", "raw.seccomp"],
            ["config", "unset", "cv", "security.syscalls.allow"],
            ["profile", "set", "pv", "security.syscalls.allow=read"],
            ["config", "set", "cv", "raw.seccomp=x"],
            ["config", "get", "cv", "raw.seccomp"],
            ["profile", "unset", "pv", "security.syscalls.allow"],
            // A second root disk.
            ["config", "device", "add", "cv", "root2", "disk", "path=/", "pool=default"],
            ["config", "device", "show", "cv"],
            // A missing bind source.
            ["profile", "device", "add", "pv", "gone", "disk", "source=/nonexistent-swiftlxd", "path=/mnt"],
            ["profile", "device", "remove", "pv", "gone"],
            // NICs are checked on the profile itself.
            ["profile", "device", "add", "pv", "n1", "nic", "network=nonexistent"],
            ["profile", "device", "add", "pv", "n1", "nic", "nictype=bogus"],
            ["profile", "device", "add", "pv", "n1", "nic", "nictype=bridged"],
            ["profile", "device", "add", "pv", "n1", "nic", "nictype=p2p", "ipv4.address=10.0.0.3"],
            ["profile", "device", "add", "pv", "n1", "nic", "nictype=p2p", "hwaddr=zz"],
            ["profile", "show", "pv"],
            // Removing the profile that gives the only root disk: refused while the instance has
            // other devices, accepted (5.0.2) when it is left with none.
            ["config", "device", "add", "cv", "tmp", "disk", "source=/tmp", "path=/mnt"],
            ["profile", "remove", "cv", "default"],
            ["config", "device", "remove", "cv", "tmp"],
            ["profile", "remove", "cv", "default"],
            ["config", "show", "cv"],
            ["profile", "add", "cv", "default"],
            ["config", "set", "cv", "security.syscalls.allow=read"],
        ]
        var lines: [String] = []
        for step in steps {
            let result = try lxc(step)
            var output = result.stdout + result.stderr
            // Creation progress and volatile values differ between daemons.
            output = output.components(separatedBy: "\n").filter { !$0.contains("\r") && !$0.contains("volatile.") }
                .joined(separator: "\n")
            let command = step.map { $0 == image ? "IMAGE" : $0 }.joined(separator: " ")
            lines.append("\(command) -> \(result.status)\n\(output)")
        }
        return lines
    }

    @Test func profileAndInstanceChangesAreCheckedAsLXDChecksThem() async throws {
        let expected = try await ReferenceDaemon.with { lxd in
            try lxd.lxc(["image", "import", try TestImage.busybox(), "--alias", "bb"]).check()
            return try Self.transcript(image: "bb") { try lxd.lxc($0) }
        }
        try await DaemonFixture.with { f in
            let ours = try Self.transcript(image: f.imageAlias) { try f.lxc($0) }
            #expect(ours.count == expected.count)
            for (our, their) in zip(ours, expected) { #expect(our == their) }

            // The failure reports name the instance and the change stays saved (5.0.2).
            let failed = try f.lxc(["profile", "set", "pv", "raw.seccomp=x"], client: f.ourLXC)
            #expect(failed.status == 1)
            #expect(failed.stderr.contains("(profile change still saved)"))
            #expect(
                failed.stderr.contains("Instance: cv: Invalid expanded config: raw.seccomp is mutually exclusive with security.syscalls*"))
            #expect(try f.lxc(["profile", "get", "pv", "raw.seccomp"]).check().stdout == "x\n")
            #expect(try f.lxc(["config", "get", "cv", "security.syscalls.allow"]).check().stdout == "read\n")
        }
    }

    @Test func aProfileThatIsolatesGivesItsInstancesTheirOwnMaps() async throws {
        try await DaemonFixture.with { f in
            try f.lxc(["profile", "create", "iso"]).check()
            for name in ["i1", "i2"] {
                try f.lxc(["init", f.imageAlias, name, "-p", "default", "-p", "iso"]).check()
            }
            #expect(try f.lxc(["config", "get", "i1", "volatile.idmap.base"]).check().stdout == "0\n")
            try f.lxc(["profile", "set", "iso", "security.idmap.isolated=true"], client: f.ourLXC).check()
            let bases = try ["i1", "i2"].map { try f.lxc(["config", "get", $0, "volatile.idmap.base"]).check().stdout }
            #expect(!bases.contains("0\n"))
            #expect(Set(bases).count == 2)
            // The first start runs with the new map: root inside is the block's first id.
            try f.lxc(["start", "i1"]).check()
            f.addCleanup { _ = try? f.lxc(["stop", "i1", "--force"]) }
            let base = bases[0].trimmingCharacters(in: .whitespacesAndNewlines)
            let map = try f.lxc(["exec", "i1", "--", "cat", "/proc/self/uid_map"]).check().stdout
            #expect(map.split(whereSeparator: \.isWhitespace).dropFirst().first.map(String.init) == base)
        }
    }
}
