import Foundation
import LXDCore
import LXDTestSupport
import Testing

/// Our `lxc` against the real LXD 5.0.2 daemon: every command of the main job gives the output
/// Debian's `lxc` gives on the same daemon.
@Suite(.serialized, .enabled(if: containersAvailable && ReferenceDaemon.isInstalled))
struct OurClientOnLXDSerialTests {
    @Test func mainJobCommandsMatchDebiansClient() async throws {
        try await ReferenceDaemon.with { lxd in
            let pair = ClientPair(reference: lxd, prefix: "oc")
            let ours = TestEnvironment.ourLXC
            let imported = try lxd.lxc(["image", "import", try TestImage.busybox(), "--alias", "bb"], client: ours).check()
            let fingerprint = try SHA256.hex(ofFile: try TestImage.busybox())
            #expect(imported.stdout.hasSuffix("Image imported with fingerprint: \(fingerprint)\n"))

            for format in ["table", "csv", "json", "yaml", "compact"] {
                try pair.expectSame(["image", "list", "--format", format])
                try pair.expectSame(["image", "alias", "list", "--format", format])
            }
            try pair.expectSame(["image", "show", "bb"])
            try pair.expectSame(["image", "info", "bb"], sortBlock: "Properties:")
            try pair.expectSame(["image", "get-property", "bb", "os"])
            try lxd.lxc(["image", "set-property", "bb", "user.flavour", "plain"], client: ours).check()
            #expect(try lxd.lxc(["image", "get-property", "bb", "user.flavour"]).check().stdout == "plain\n")
            try lxd.lxc(["image", "alias", "create", "extra", fingerprint], client: ours).check()
            try lxd.lxc(["image", "alias", "rename", "extra", "moved"], client: ours).check()
            #expect(try lxd.lxc(["image", "alias", "list", "--format", "csv"]).check().stdout.contains("moved,"))
            try lxd.lxc(["image", "alias", "delete", "moved"], client: ours).check()

            // Export: same file, same name.
            let exports = lxd.directory + "/exports"
            try FileManager.default.createDirectory(atPath: exports, withIntermediateDirectories: true)
            try lxd.lxc(["image", "export", "bb", exports + "/"], client: ours).check()
            let files = try FileManager.default.contentsOfDirectory(atPath: exports)
            #expect(files == ["\(fingerprint).tar.xz"])
            #expect(try SHA256.hex(ofFile: exports + "/\(fingerprint).tar.xz") == fingerprint)

            // Instances.
            try pair.expectSame(["launch", "bb", "@"])
            try pair.expectSame(["init", "bb", "@", "-c", "user.a=b"], base: "i")
            try pair.expectSame(["list", "@", "-c", "nstSPb"])
            try pair.expectSame(["list", "@", "--format", "csv", "-c", "ns,user.a:A"], base: "i")
            try pair.expectSame(["exec", "@", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
            try pair.expectSame(["exec", "@", "--", "/no/such/command"])
            try pair.expectSame(["exec", "@", "--", "sh", "-c", "tr a-z A-Z"], stdin: Data("hello\n".utf8))
            try pair.expectSame(["start", "@"])
            try pair.expectSame(["pause", "@"])
            try pair.expectSame(["start", "@"])
            try pair.expectSame(["restart", "@", "--force"])
            try pair.expectSame(["stop", "@", "--force"])
            try pair.expectSame(["stop", "@"])
            try pair.expectSame(["rename", "@", "@2"])
            try pair.expectSame(["move", "@2", "@3"])
            try pair.expectSame(["delete", "@3"])
            try pair.expectSame(["delete", "@", "--force"], base: "i")
            try pair.expectSame(["info", "nosuch"])
            // The real LXD drops finished operations after a few seconds: the two clients would
            // see different lists, so ours only has to read it.
            try lxd.lxc(["operation", "list"], client: ours).check()
            try pair.expectSame(["version"])
            try lxd.lxc(["image", "delete", "bb"], client: ours).check()
            #expect(try lxd.lxc(["image", "list", "--format", "csv"]).check().stdout == "")
        }
    }
}
