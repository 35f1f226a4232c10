import Foundation
import LXDAPI
import LXDCore
import LXDTestSupport
import Testing

/// `lxc publish` through Debian's `lxc` and ours: the image launches on ours and on the real LXD.
@Suite(.serialized, .enabled(if: containersAvailable))
struct PublishSerialTests {
    func image(_ f: DaemonFixture, alias: String) throws -> LXDAPI.Image {
        let target = try #require(try f.get("/1.0/images/aliases/\(alias)", as: [String: String].self)["target"])
        return try f.get("/1.0/images/\(target)", as: LXDAPI.Image.self)
    }

    /// An instance's files (owners inside the container kept), templates and metadata make an
    /// image that launches; `--force` stops a running instance and starts it again.
    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC], TestPools.drivers)
    func publishRunningInstanceWithForceAndLaunch(client: String, driver: String) async throws {
        try await DaemonFixture.with(client: client) { f in
            _ = try TestPools.use(driver, in: f)
            let source = f.name("src")
            try f.lxc(["launch", f.imageAlias, source]).check()
            try f.lxc(["exec", source, "--", "sh", "-c", "echo published > /root/p; chown 1000:1000 /root/p"]).check()
            let refused = try f.lxc(["publish", source, "--alias", "pub"])
            #expect(refused.status == 1)
            #expect(refused.stderr == "Error: The instance is currently running. Use --force to have it stopped and restarted\n")

            let published = try f.lxc(["publish", source, "--alias", "pub", "--force", "user.origin=test"]).check()
            let image = try image(f, alias: "pub")
            #expect(published.stdout.hasSuffix("Instance published with fingerprint: \(image.fingerprint)\n"))
            #expect(image.properties == ["user.origin": "test"])
            #expect(try f.get("/1.0/instances/\(source)", as: Instance.self).status == "Running")

            let copy = f.name("new")
            try f.lxc(["launch", "pub", copy]).check()
            #expect(try f.lxc(["exec", copy, "--", "cat", "/root/p"]).check().stdout == "published\n")
            #expect(try f.lxc(["exec", copy, "--", "stat", "-c", "%u:%g", "/root/p"]).check().stdout == "1000:1000\n")
            // The image kept the hostname templates of the image the instance came from.
            #expect(try f.lxc(["exec", copy, "--", "hostname"]).check().stdout == "\(copy)\n")
        }
    }

    /// A snapshot, every compression, `--public`, `--expire`, properties and the tarball's layout.
    @Test func publishSnapshotCompressionsAndProperties() async throws {
        try await DaemonFixture.with(client: TestEnvironment.ourLXC) { f in
            let source = f.name("src")
            try f.lxc(["init", f.imageAlias, source]).check()
            try f.lxc(["snapshot", source, "s0"]).check()
            for compression in ["none", "gzip", "bzip2", "xz", "zstd"] {
                try f.lxc(["publish", "\(source)/s0", "--alias", compression, "--compression", compression, "user.c=\(compression)"])
                    .check()
                let image = try image(f, alias: compression)
                #expect(image.properties == ["user.c": compression])
                let exported = f.directory + "/export-\(compression)"
                try f.lxc(["image", "export", compression, exported]).check()
                let file = try #require(
                    try FileManager.default.contentsOfDirectory(atPath: f.directory).first { $0.hasPrefix("export-\(compression)") })
                #expect(try SHA256.hex(ofFile: f.directory + "/" + file) == image.fingerprint)
                let listing = try runCommand("/bin/tar", ["-tf", f.directory + "/" + file]).check().stdout
                #expect(listing.hasPrefix("metadata.yaml\n"))
                #expect(listing.contains("\ntemplates/hostname.tpl\n") && listing.contains("\nrootfs/bin/busybox\n"))
            }
            try f.lxc(["publish", source, "--alias", "public", "--public", "--expire", "2040-01-02T03:04:05Z"]).check()
            let image = try image(f, alias: "public")
            #expect(image.isPublic && image.expiresAt == Timestamp(seconds: 2_209_086_245))
            // Without properties, the instance's image properties are kept.
            #expect(image.properties["os"] == "busybox")
        }
    }

    /// Bad input: LXD's messages through both clients; no image or temporary file is left.
    @Test func badInputMatchesLXDAndChangesNothing() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            let source = f.name("src")
            try f.lxc(["init", f.imageAlias, source]).check()
            try f.lxc(["snapshot", source, "s0"]).check()
            let before = try f.get("/1.0/images", as: [String].self)
            let cases: [[String]] = [
                ["publish", "nosuch"], ["publish", "\(source)/nosuch"], ["publish", source, "--compression", "bogus"],
                ["publish", source, "a=b", "c"], ["publish", source, "x:"], ["publish", source, "--expire", "bad"], ["publish"],
                ["publish", "--help"],
            ]
            for arguments in cases { try pair.expectSame(arguments) }
            #expect(try f.get("/1.0/images", as: [String].self) == before)
            let temporary = (try? FileManager.default.contentsOfDirectory(atPath: f.directory + "/images/tmp")) ?? []
            #expect(temporary.isEmpty)

            // The same content twice: LXD's message through the failed operation.
            try f.lxc(["publish", "\(source)/s0", "--alias", "first"]).check()
            let again = try f.lxc(["publish", "\(source)/s0"], client: f.ourLXC)
            #expect(again.status == 1 && again.stderr.hasPrefix("Error: The image already exists: "))
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: f.directory + "/images/tmp")) ?? []).isEmpty)
        }
    }

    /// The image we publish imports into the real LXD 5.0.2 and launches there.
    @Test(.enabled(if: ReferenceDaemon.isInstalled))
    func publishedImageLaunchesOnLXD() async throws {
        try await DaemonFixture.with(client: TestEnvironment.ourLXC) { f in
            try await ReferenceDaemon.with { lxd in
                let source = f.name("src")
                try f.lxc(["launch", f.imageAlias, source]).check()
                try f.lxc(["exec", source, "--", "sh", "-c", "echo ours > /root/p; chown 1000:1000 /root/p"]).check()
                try f.lxc(["stop", "--force", source]).check()
                try f.lxc(["publish", source, "--alias", "pub"]).check()
                let fingerprint = try image(f, alias: "pub").fingerprint
                try f.lxc(["image", "export", "pub", f.directory + "/pub"]).check()
                let imported = try lxd.lxc(["image", "import", f.directory + "/pub.tar.gz", "--alias", "fromours"]).check()
                #expect(imported.stdout.contains(fingerprint))
                try lxd.lxc(["launch", "fromours", "pub1"]).check()
                #expect(try lxd.lxc(["exec", "pub1", "--", "cat", "/root/p"]).check().stdout == "ours\n")
                #expect(try lxd.lxc(["exec", "pub1", "--", "stat", "-c", "%u:%g", "/root/p"]).check().stdout == "1000:1000\n")
                #expect(try lxd.lxc(["exec", "pub1", "--", "cat", "/etc/hostname"]).check().stdout == "pub1\n")
            }
        }
    }

    /// `lxc image edit` from stdin (a published image's properties, public and auto-update
    /// flags): ours leaves the image as Debian's does, and bad YAML fails the same way.
    @Test func imageEditFromStdinAsLXD() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            let source = f.name("src")
            try f.lxc(["init", f.imageAlias, source]).check()
            try f.lxc(["publish", source, "--alias", "pub"]).check()
            let input = Data("auto_update: true\nproperties:\n  description: edited\n  user.k: v\npublic: true\n".utf8)
            let reset = Data("properties: {}\n".utf8)
            var shown: [String] = []
            for client in [TestEnvironment.debianLXC, TestEnvironment.ourLXC] {
                try f.lxc(["image", "edit", "pub"], stdin: reset, client: client).check()
                try f.lxc(["image", "edit", "pub"], stdin: input, client: client).check()
                shown.append(try f.lxc(["image", "show", "pub"]).check().stdout)
            }
            #expect(shown[0] == shown[1])
            #expect(shown[1].hasPrefix("auto_update: true\nproperties:\n  description: edited\n  user.k: v\npublic: true\n"))
            for bad in ["bad: [", "expires_at: bad\n", "public: maybe\n", "properties: [a]\n", "profiles: x\n", "auto_update: 3\n"] {
                try pair.expectSame(["image", "edit", "pub"], stdin: Data(bad.utf8))
            }
            try pair.expectSame(["image", "edit", "nosuch"], stdin: Data())
            try pair.expectSame(["image", "edit", "--help"])
            #expect(try f.lxc(["image", "show", "pub"]).check().stdout == shown[1])
        }
    }
}
