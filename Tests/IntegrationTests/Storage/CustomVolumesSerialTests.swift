import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// `lxc storage volume ...` on custom volumes, with both clients, on dir and btrfs: what is
/// attached is mounted inside the container and writable by its root.
@Suite(.serialized, .enabled(if: containersAvailable))
struct CustomVolumesSerialTests {
    static let cases: [(String, String)] = bothClients.flatMap { client in [(client, "dir"), (client, "btrfs")] }

    @Test(arguments: cases) func customVolumeLifecycle(client: String, driver: String) async throws {
        try await DaemonFixture.with(client: client) { f in
            let pool = f.name(driver)
            try f.lxc(["storage", "create", pool, driver] + (driver == "btrfs" ? ["size=1GiB"] : [])).check()
            let volume = f.name("data")
            #expect(try f.lxc(["storage", "volume", "create", pool, volume]).check().stdout == "Storage volume \(volume) created\n")
            try f.lxc(["storage", "volume", "set", pool, volume, "user.purpose=tests"]).check()
            #expect(try f.lxc(["storage", "volume", "get", pool, volume, "user.purpose"]).check().stdout == "tests\n")
            #expect(try f.lxc(["storage", "volume", "show", pool, volume]).check().stdout.contains("type: custom\n"))
            try f.lxc(["storage", "volume", "snapshot", pool, volume]).check()
            try f.lxc(["storage", "volume", "snapshot", pool, volume, "second"]).check()
            let list = try f.lxc(["storage", "volume", "list", pool, "--format", "csv"]).check().stdout
            #expect(
                list.contains(
                    "custom,\(volume),,filesystem,0\ncustom (snapshot),\(volume)/second,,filesystem,0\ncustom (snapshot),\(volume)/snap0,,filesystem,0\n"
                ))

            // Attached: mounted inside, written by the container's root, seen on the host.
            let name = f.name("c")
            try f.lxc(["launch", f.imageAlias, name]).check()
            try f.lxc(["stop", name, "--force"]).check()
            try f.lxc(["storage", "volume", "attach", pool, volume, name, "/mnt/data"]).check()
            let device = try f.get("/1.0/instances/\(name)", as: Instance.self).devices[volume]
            #expect(device == ["type": "disk", "pool": pool, "source": volume, "path": "/mnt/data"])
            try f.lxc(["start", name]).check()
            try f.lxc(["exec", name, "--", "sh", "-c", "echo inside > /mnt/data/file"]).check()
            let hostPath = "\(f.directory)/storage-pools/\(pool)/custom/default_\(volume)/file"
            #expect(try String(contentsOfFile: hostPath, encoding: .utf8) == "inside\n")

            let inUse = try f.lxc(["storage", "volume", "delete", pool, volume])
            #expect(inUse.status == 1 && inUse.stderr == "Error: The storage volume is still in use\n")
            let busyPool = try f.lxc(["storage", "delete", pool])
            #expect(busyPool.stderr == "Error: The storage pool is currently in use\n")

            // A copy carries the data (and, unless --volume-only, the snapshots).
            let copy = f.name("copy")
            #expect(
                try f.lxc(["storage", "volume", "copy", "\(pool)/\(volume)", "\(pool)/\(copy)"]).check().stdout
                    == "\rStorage volume copied successfully!\n")
            #expect(
                try String(contentsOfFile: "\(f.directory)/storage-pools/\(pool)/custom/default_\(copy)/file", encoding: .utf8)
                    == "inside\n")
            #expect(try f.lxc(["storage", "volume", "list", pool, "--format", "csv"]).check().stdout.contains("\(copy)/second"))
            let fromSnapshot = f.name("old")
            try f.lxc(["storage", "volume", "copy", "\(pool)/\(volume)/snap0", "default/\(fromSnapshot)"]).check()
            #expect(!FileManager.default.fileExists(atPath: "\(f.directory)/storage-pools/default/custom/default_\(fromSnapshot)/file"))

            try f.lxc(["stop", name, "--force"]).check()
            try f.lxc(["storage", "volume", "detach", pool, volume, name]).check()
            #expect(try f.get("/1.0/instances/\(name)", as: Instance.self).devices[volume] == nil)
            let detached = try f.lxc(["storage", "volume", "detach", pool, volume, name])
            #expect(detached.stderr == "Error: No device found for this storage volume\n")
            try f.lxc(["storage", "volume", "delete", pool, "\(volume)/snap0"]).check()
            try f.lxc(["storage", "volume", "rename", pool, copy, f.name("renamed")]).check()
            for name in [volume, f.name("renamed")] { try f.lxc(["storage", "volume", "delete", pool, name]).check() }
            try f.lxc(["storage", "volume", "delete", "default", fromSnapshot]).check()
            #expect(try f.lxc(["storage", "volume", "list", pool, "--format", "csv"]).check().stdout.contains("custom") == false)
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: "\(f.directory)/storage-pools/\(pool)/custom")) ?? []).isEmpty)
        }
    }

    /// Attached to a running container, the volume is mounted at once; detached, it goes.
    @Test func attachAndDetachWhileRunning() async throws {
        try await DaemonFixture.with(client: TestEnvironment.ourLXC) { f in
            let volume = f.name("hot")
            try f.lxc(["storage", "volume", "create", "default", volume]).check()
            let name = f.name("c")
            try f.lxc(["launch", f.imageAlias, name]).check()
            try f.lxc(["storage", "volume", "attach", "default", volume, name, "/mnt/hot"]).check()
            try f.lxc(["exec", name, "--", "sh", "-c", "echo live > /mnt/hot/file"]).check()
            #expect(
                try String(contentsOfFile: "\(f.directory)/storage-pools/default/custom/default_\(volume)/file", encoding: .utf8)
                    == "live\n")
            try f.lxc(["storage", "volume", "detach", "default", volume, name]).check()
            #expect(try f.lxc(["exec", name, "--", "test", "-e", "/mnt/hot/file"]).status == 1)
        }
    }

    @Test func badVolumeInputGetsLXDErrors() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            try f.lxc(["storage", "volume", "create", "default", "v"]).check()
            for (arguments, error) in [
                (["storage", "volume", "create", "default", "v"], "Error: Volume by that name already exists\n"),
                (["storage", "volume", "create", "default", "a/b"], "Error: Storage volume names may not contain slashes\n"),
                (
                    ["storage", "volume", "create", "default", "w", "bad=1"],
                    "Error: Invalid option for volume \"default_w\" option \"bad\"\n"
                ),
                (["storage", "volume", "show", "default", "missing"], "Error: Storage pool volume not found\n"),
                (["storage", "volume", "info", "default", "v"], "Error: Not supported\n"),
            ] {
                for client in bothClients {
                    let result = try f.lxc(arguments, client: client)
                    #expect(result.status == 1, "\(arguments)")
                    #expect(result.stderr == error, "\(arguments) \(client)")
                }
            }
            try f.lxc(["storage", "volume", "snapshot", "default", "v", "s"]).check()
            #expect(try f.lxc(["storage", "volume", "snapshot", "default", "v", "s"]).stderr == "Error: Snapshot \"s\" already in use\n")
            #expect(
                try f.lxc(["storage", "volume", "list", "default", "--format", "csv"]).check().stdout
                    == "custom,v,,filesystem,0\ncustom (snapshot),v/s,,filesystem,0\n")
        }
    }
}
