import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// `lxc storage ...` on dir and btrfs (a loop file the pool makes), with Debian's client and
/// ours; LXD's errors for bad input, which leave nothing behind.
@Suite(.serialized, .enabled(if: containersAvailable))
struct StoragePoolsSerialTests {
    @Test(arguments: bothClients) func poolCommandsOnDirAndBtrfs(client: String) async throws {
        try await DaemonFixture.with(client: client, withImage: false) { f in
            let dir = f.name("dir")
            #expect(try f.lxc(["storage", "create", dir, "dir"]).check().stdout == "Storage pool \(dir) created\n")
            #expect(
                try f.lxc(["storage", "list", "--format", "csv"]).check().stdout.contains(
                    "\(dir),dir,\(f.directory)/storage-pools/\(dir),,0,CREATED"))
            try f.lxc(["storage", "set", dir, "user.colour", "blue"]).check()
            #expect(try f.lxc(["storage", "get", dir, "user.colour"]).check().stdout == "blue\n")
            try f.lxc(["storage", "set", dir, "user.size=big"]).check()
            try f.lxc(["storage", "unset", dir, "user.colour"]).check()
            #expect(try f.lxc(["storage", "get", dir, "user.colour"]).check().stdout == "")
            let edited = "config:\n  source: \(f.directory)/storage-pools/\(dir)\n  user.size: small\ndescription: edited\n"
            try f.lxc(["storage", "edit", dir], stdin: Data(edited.utf8)).check()
            let show = try f.lxc(["storage", "show", dir]).check().stdout
            #expect(show.contains("user.size: small") && show.contains("description: edited") && show.contains("driver: dir"))
            let info = try f.lxc(["storage", "info", dir]).check().stdout
            #expect(info.hasPrefix("info:\n  description: edited\n  driver: dir\n  name: \(dir)\n  space used: "))
            #expect(info.hasSuffix("used by: {}\n"))

            let btrfs = f.name("btr")
            try f.lxc(["storage", "create", btrfs, "btrfs", "size=1GiB"]).check()
            let image = "\(f.directory)/disks/\(btrfs).img"
            #expect(FileManager.default.fileExists(atPath: image))
            #expect(HostCleanup.mounts(under: f.directory).contains("\(f.directory)/storage-pools/\(btrfs)"))
            #expect(HostCleanup.loopDevices(under: f.directory).count == 1)
            #expect(try f.lxc(["storage", "get", btrfs, "source"]).check().stdout == image + "\n")
            #expect(try f.lxc(["storage", "info", btrfs]).check().stdout.contains("  total space: 1.00GiB\n"))
            for folder in ["containers", "containers-snapshots", "custom", "custom-snapshots", "images"] {
                #expect(FileManager.default.fileExists(atPath: "\(f.directory)/storage-pools/\(btrfs)/\(folder)"))
            }
            #expect(try f.lxc(["storage", "show", btrfs, "--resources"]).check().stdout.contains("total: 1073741824"))

            #expect(try f.lxc(["storage", "delete", btrfs]).check().stdout == "Storage pool \(btrfs) deleted\n")
            try f.lxc(["storage", "delete", dir]).check()
            #expect(!FileManager.default.fileExists(atPath: image))
            #expect(HostCleanup.mounts(under: f.directory).isEmpty)
            #expect(HostCleanup.loopDevices(under: f.directory).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: "\(f.directory)/storage-pools/\(dir)"))
        }
    }

    /// Our client prints what Debian's prints, on the same daemon.
    @Test func ourClientMatchesDebian() async throws {
        try await DaemonFixture.with { f in
            let pool = f.name("btr")
            try f.lxc(["storage", "create", pool, "btrfs", "size=1GiB"]).check()
            try f.lxc(["storage", "set", pool, "user.k", "v"]).check()
            try f.lxc(["storage", "volume", "create", pool, "vol", "size=20MiB"]).check()
            try f.lxc(["storage", "volume", "snapshot", pool, "vol"]).check()
            try f.lxc(["init", f.imageAlias, f.name("c"), "-s", pool]).check()
            for command in [
                ["storage", "list"], ["storage", "list", "-f", "csv"], ["storage", "list", "-f", "json"],
                ["storage", "list", "-f", "yaml"],
                ["storage", "show", pool], ["storage", "show", "default"], ["storage", "info", pool],
                ["storage", "info", pool, "--bytes"],
                ["storage", "get", pool, "user.k"], ["storage", "volume", "list", pool], ["storage", "volume", "list", pool, "-f", "json"],
                ["storage", "volume", "list", pool, "-c", "tnU"], ["storage", "volume", "show", pool, "vol"],
                ["storage", "volume", "show", pool, "vol/snap0"], ["storage", "volume", "show", pool, "container/\(f.name("c"))"],
                ["storage", "volume", "info", pool, "vol"], ["storage", "volume", "get", pool, "vol", "size"], ["storage", "show", "nope"],
            ] {
                let debian = try f.lxc(command)
                let ours = try f.lxc(command, client: f.ourLXC)
                #expect(debian.status == ours.status, "\(command)")
                #expect(debian.stdout == ours.stdout, "\(command)")
                #expect(debian.stderr == ours.stderr, "\(command)")
            }
        }
    }

    @Test(arguments: bothClients) func badInputGetsLXDErrorsAndChangesNothing(client: String) async throws {
        try await DaemonFixture.with(client: client, withImage: false) { f in
            let before = try StorageSnapshot(f)
            let notBtrfs = f.directory + "/plain"
            try FileManager.default.createDirectory(atPath: notBtrfs, withIntermediateDirectories: true)
            for (arguments, error) in [
                (["storage", "create", f.name("x"), "nosuchdriver"], "Error: Unknown driver\n"),
                (["storage", "create", f.name("x"), "dir", "bad.key=1"], "Error: Invalid option \"bad.key\"\n"),
                (["storage", "create", f.name("x"), "dir", "source=/no/such/path"], "Error: Source path '/no/such/path' doesn't exist\n"),
                (
                    ["storage", "create", f.name("x"), "btrfs", "source=\(notBtrfs)"],
                    "Error: Provided path does not reside on a btrfs filesystem\n"
                ),
                (
                    ["storage", "create", f.name("x"), "btrfs", "size=lots"],
                    "Error: Invalid value for option \"size\": Invalid value: lots\n"
                ),
                (["storage", "create", "default", "dir"], "Error: The storage pool already exists: The record already exists\n"),
                (["storage", "delete", "default"], "Error: The storage pool is currently in use\n"),
                (["storage", "set", "default", "nope", "1"], "Error: Invalid option \"nope\"\n"),
                (["storage", "delete", f.name("missing")], "Error: Storage pool not found\n"),
            ] {
                let result = try f.lxc(arguments)
                #expect(result.status == 1, "\(arguments)")
                #expect(result.stderr == error, "\(arguments)")
                #expect(try StorageSnapshot(f) == before, "\(arguments)")
            }
            #expect(HostCleanup.loopDevices(under: f.directory).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: "\(f.directory)/storage-pools/\(f.name("x"))"))
        }
    }

    @Test func restErrorsAndStatusCodes() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            func post(_ body: String) throws -> (Int, String) {
                let response = try f.http.request("POST", "/1.0/storage-pools", body: Data(body.utf8))
                let envelope = try LXDJSON.decode(ResponseRaw.self, from: response.body)
                return (response.status, envelope.error)
            }
            #expect(try post(#"{"name":"x","driver":"nope"}"#) == (500, "Unknown driver"))
            #expect(try post(#"{"name":"","driver":"dir"}"#) == (400, "No name provided"))
            #expect(try post(#"{"name":"x"}"#) == (400, "No driver provided"))
            #expect(try post(#"{"name":"default","driver":"dir"}"#) == (409, "The storage pool already exists: The record already exists"))
            let put = try f.http.request("PUT", "/1.0/storage-pools/default", body: Data(#"{"config":{}}"#.utf8))
            #expect(put.status == 500)
            let resources = try f.get("/1.0/storage-pools/default/resources", as: ResourcesStoragePool.self)
            #expect(resources.space.total > 0)
            let pool = try f.http.request("GET", "/1.0/storage-pools/\(f.name("none"))")
            #expect(pool.status == 404)
        }
    }
}
