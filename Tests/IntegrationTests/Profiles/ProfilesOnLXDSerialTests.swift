import Foundation
import LXDTestSupport
import Testing

/// Our `lxc profile` and `lxc config` against the real LXD 5.0.2: the output of Debian's `lxc`.
@Suite(.serialized, .enabled(if: containersAvailable && ReferenceDaemon.isInstalled))
struct ProfilesOnLXDSerialTests {
    @Test func profileAndConfigCommandsMatchDebiansClient() async throws {
        try await ReferenceDaemon.with { lxd in
            let pair = ClientPair(reference: lxd, prefix: "pr")
            try lxd.lxc(["image", "import", try TestImage.busybox(), "--alias", "bb"]).check()
            for client in ["d", "o"] { try lxd.lxc(["init", "bb", pair.name(client, "x") + "c"]).check() }
            try pair.expectSame(["profile", "create", "@"])
            try pair.expectSame(["profile", "create", "@"])
            for format in ["table", "csv", "json", "yaml", "compact"] { try pair.expectSame(["profile", "list", "--format", format]) }
            try pair.expectSame(["profile", "set", "@", "user.a=1", "limits.cpu=1"])
            try pair.expectSame(["profile", "set", "@", "bogus.key", "1"])
            try pair.expectSame(["profile", "unset", "@", "user.a"])
            try pair.expectSame(["profile", "device", "add", "@", "tmp", "disk", "source=/tmp", "path=/mnt"])
            try pair.expectSame(["profile", "device", "set", "@", "tmp", "readonly=true"])
            try pair.expectSame(["profile", "device", "show", "@"])
            try pair.expectSame(["profile", "edit", "@"], stdin: Data("config:\n  - a\n".utf8))
            try pair.expectSame(["profile", "edit", "@"], stdin: Data("config:\n  user.e: 5\ndescription: from stdin\n".utf8))
            try pair.expectSame(["profile", "show", "@"])
            try pair.expectSame(["profile", "add", "@c", "@"])
            try pair.expectSame(["profile", "add", "@c", "@"])
            try pair.expectSame(["profile", "delete", "@"])
            try pair.expectSame(["profile", "list"])
            try pair.expectSame(["config", "get", "@c", "user.e", "--expanded"])
            try pair.expectSame(["config", "set", "@c", "user.own", "yes"])
            try pair.expectSame(["config", "unset", "@c", "user.never"])
            try pair.expectSame(["config", "device", "override", "@c", "root", "size=2GB"])
            try pair.expectSame(["config", "device", "show", "@c"])
            try pair.expectSame(["config", "show", "@c", "-e"], sortBlock: nil, ignoringVolatile: true)
            try pair.expectSame(["profile", "remove", "@c", "@"])
            try pair.expectSame(["profile", "assign", "@c", "default,@"])
            try pair.expectSame(["profile", "assign", "@c", "default"])
            try pair.expectSame(["profile", "rename", "@", "@r"])
            try pair.expectSame(["profile", "copy", "@r", "@k"])
            try pair.expectSame(["profile", "delete", "@r"])
            try pair.expectSame(["profile", "delete", "default"])
            try pair.expectSame(["config", "get", "images.auto_update_interval"])
            try pair.expectSame(["config", "set", "core.bogus", "1"])
            try pair.expectSame(["config", "show"])
        }
    }
}
