import Foundation
import LXDTestSupport
import Testing

/// `lxc storage volume attach-profile` / `detach-profile` through Debian's client and ours: the same
/// output and errors, and a profile's volume reaches the instances using it, live.
@Suite(.serialized, .enabled(if: containersAvailable))
struct VolumeProfileAttachSerialTests {
    @Test func attachAndDetachThroughProfiles() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            let volume = f.name("vol")
            try f.lxc(["storage", "volume", "create", "default", volume]).check()
            for client in ["d", "o"] { try f.lxc(["profile", "create", pair.name(client, "x")]).check() }
            for arguments in [
                ["storage", "volume", "attach-profile", "--help"], ["storage", "volume", "detach-profile", "--help"],
                ["storage", "volume", "attach-profile", "default", volume],
                ["storage", "volume", "attach-profile", "default", "nosuch", "@", "/mnt"],
                ["storage", "volume", "attach-profile", "default", "container/c1", "@", "/mnt"],
                ["storage", "volume", "attach-profile", "default", volume, "nosuch-profile", "/mnt"],
                ["storage", "volume", "attach-profile", "default", volume, "@", "data", "/mnt/data"],
                ["storage", "volume", "attach-profile", "default", volume, "@", "data", "/mnt/other"],
                ["storage", "volume", "attach-profile", "default", volume, "@", "/mnt/two"],
                ["profile", "device", "show", "@"],
                ["storage", "volume", "detach-profile", "default", volume, "@"],
                ["storage", "volume", "detach-profile", "default", volume, "@", "nosuch"],
                ["storage", "volume", "detach-profile", "default", volume, "@", volume],
                ["storage", "volume", "detach-profile", "default", "other", "@"],
                ["profile", "device", "show", "@"],
            ] {
                try pair.expectSame(arguments)
            }

            // A running instance gets the volume when its profile does, and loses it again.
            let profile = pair.name("o", "x")
            let instance = f.name("c")
            try f.lxc(["launch", f.imageAlias, instance, "-p", "default", "-p", profile]).check()
            f.addCleanup { _ = try? f.lxc(["delete", instance, "--force"]) }
            try f.lxc(["storage", "volume", "attach-profile", "default", volume, profile, "shared", "/mnt/shared"], client: f.ourLXC)
                .check()
            try f.lxc(["exec", instance, "--", "touch", "/mnt/shared/written"]).check()
            #expect(try f.lxc(["exec", instance, "--", "ls", "/mnt/shared"]).check().stdout.contains("written"))
            try f.lxc(["storage", "volume", "detach-profile", "default", volume, profile, "shared"], client: f.ourLXC).check()
            #expect(try f.lxc(["exec", instance, "--", "test", "-e", "/mnt/shared/written"]).status != 0)
            // The file stayed on the volume: attached to the instance itself, it is there.
            try f.lxc(["storage", "volume", "attach", "default", volume, instance, "/mnt/again"], client: f.ourLXC).check()
            #expect(try f.lxc(["exec", instance, "--", "ls", "/mnt/again"]).check().stdout.contains("written"))
        }
    }
}
