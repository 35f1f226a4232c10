import Foundation
import Testing

@testable import LXDDaemon

@Suite struct StorageTests {
    let pool = PoolContext(name: "p", config: [:], mountPath: "/lxd/storage-pools/p", disksPath: "/lxd/disks")

    @Test func volumePathsFollowLXDsLayout() {
        #expect(pool.path(Volume(.container, "c1")) == "/lxd/storage-pools/p/containers/c1")
        #expect(pool.path(Volume(.custom, "data")) == "/lxd/storage-pools/p/custom/default_data")
        #expect(pool.path(Volume(.image, "abc")) == "/lxd/storage-pools/p/images/abc")
        #expect(pool.snapshotPath(Volume(.container, "c1"), "snap0") == "/lxd/storage-pools/p/containers-snapshots/c1/snap0")
        #expect(pool.snapshotPath(Volume(.custom, "data"), "s") == "/lxd/storage-pools/p/custom-snapshots/default_data/s")
    }

    @Test func lvmNamesDoubleHyphens() {
        let driver = LVMDriver(pool: pool)
        #expect(driver.lvName(Volume(.container, "web-1")) == "containers_web--1")
        #expect(driver.lvName(Volume(.custom, "my-data"), snapshot: "snap-0") == "custom_default_my--data-snap--0")
        #expect(driver.vgName == "p")
        #expect(driver.thinPool == "LXDThinPool")
    }

    @Test func driversByName() throws {
        #expect(try StorageDrivers.type(named: "btrfs").info.name == "btrfs")
        #expect(throws: (any Error).self) { try StorageDrivers.type(named: "zfs") }
    }

    @Test(arguments: [
        ("dir", ["user.a": "b"], true), ("dir", ["source": "/x"], true), ("dir", ["bad": "1"], false), ("btrfs", ["size": "3GiB"], true),
        ("btrfs", ["size": "three"], false), ("btrfs", ["btrfs.mount_options": "noatime"], true), ("lvm", ["lvm.vg_name": "vg"], true),
        ("lvm", ["volume.block.filesystem": "ext4"], true), ("dir", ["volume.size": "1GiB"], true), ("dir", ["volume.bad": "1"], false),
    ])
    func poolConfigKeys(_ driver: String, _ config: [String: String], _ isValid: Bool) throws {
        let type = try StorageDrivers.type(named: driver)
        if isValid {
            try StorageDrivers.validatePoolConfig(config, driver: type)
        } else {
            #expect(throws: (any Error).self) { try StorageDrivers.validatePoolConfig(config, driver: type) }
        }
    }

    @Test func volumeTypesFromAPINames() {
        #expect(VolumeType(apiName: "containers") == .container)
        #expect(VolumeType(apiName: "custom") == .custom)
        #expect(VolumeType(apiName: "virtual-machine") == nil)
    }

    @Test func dirDriverVolumesOnATemporaryFolder() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let context = PoolContext(
            name: "t", config: ["source": folder.path + "/pool"], mountPath: folder.path + "/pool", disksPath: folder.path)
        let driver = DirDriver(pool: context)
        try await driver.create()
        let volume = Volume(.custom, "v")
        try await driver.createVolume(volume) { path in try Data("one".utf8).write(to: URL(fileURLWithPath: path + "/f")) }
        try await driver.createSnapshot(volume, name: "s")
        try Data("two".utf8).write(to: URL(fileURLWithPath: context.path(volume) + "/f"))
        try await driver.restoreSnapshot(volume, name: "s")
        #expect(try String(contentsOfFile: context.path(volume) + "/f", encoding: .utf8) == "one")
        try await driver.renameVolume(volume, to: "w")
        #expect(FileManager.default.fileExists(atPath: context.snapshotPath(volume.renamed("w"), "s") + "/f"))
        try await driver.deleteVolume(volume.renamed("w"), snapshots: ["s"])
        try await driver.delete()
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/pool"))
    }

    @Test func initConfigPreseedRoundTrip() throws {
        var setup = InitConfig()
        setup.config = ["images.auto_update_interval": "0"]
        setup.pools = [InitConfig.Pool(name: "default", driver: "btrfs", config: ["size": "3GiB"])]
        setup.profiles = [InitConfig.Profile(name: "default", devices: ["root": ["path": "/", "pool": "default", "type": "disk"]])]
        #expect(
            setup.yaml == """
                config:
                  images.auto_update_interval: "0"
                networks: []
                storage_pools:
                - config:
                    size: 3GiB
                  description: ""
                  name: default
                  driver: btrfs
                profiles:
                - config: {}
                  description: ""
                  devices:
                    root:
                      path: /
                      pool: default
                      type: disk
                  name: default
                projects: []
                cluster: null

                """)
        let parsed = try InitConfig.parse(setup.yaml)
        #expect(parsed.pools.first?.config == ["size": "3GiB"])
        #expect(parsed.profiles.first?.devices["root"]?["pool"] == "default")
        #expect(parsed.config == setup.config)
    }

    @Test func askerTakesDefaultsAndAsksAgain() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let answers = "\nmaybe\nno\n\nbtrfs\r\n"
        _ = answers.withCString { write(fds[1], $0, strlen($0)) }
        close(fds[1])
        defer { close(fds[0]) }
        final class Collected: @unchecked Sendable { var text = "" }
        let collected = Collected()
        let asker = InitAsker(input: fds[0]) { collected.text += $0 }
        #expect(try asker.askBool("A? ", default: true))
        #expect(try !asker.askBool("B? ", default: true))
        #expect(try asker.askChoice("C? ", choices: ["dir", "btrfs"], default: "dir") == "dir")
        #expect(try asker.askChoice("D? ", choices: ["dir", "btrfs"], default: "dir") == "btrfs")
        #expect(collected.text == "A? B? Invalid input, try again.\n\nB? C? D? ")
        #expect(throws: (any Error).self) { try asker.askBool("E? ", default: true) }
    }
}
