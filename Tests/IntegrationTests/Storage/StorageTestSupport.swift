import Foundation
import LXDTestSupport

/// Host tools the storage tests use, by path.
enum StorageTools {
    static let btrfs = "/usr/bin/btrfs"
    static let losetup = "/sbin/losetup"

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> CommandResult {
        try runCommand(tool, arguments, timeout: 120).check()
    }

    /// A btrfs filesystem on a loop file in `folder`, mounted at `folder/<name>`; released by
    /// `HostCleanup.release(under: folder)` (the fixture does it for its own folder).
    static func scratchBtrfs(in folder: String, name: String = "scratch-btrfs", size: String = "1G") throws -> String {
        let image = folder + "/\(name).img"
        let mount = folder + "/\(name)"
        try run("/usr/bin/truncate", ["-s", size, image])
        try run("/usr/sbin/mkfs.btrfs", ["-q", "-f", image])
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try run("/bin/mount", ["-o", "loop", image, mount])
        return mount
    }

    /// A loop block device over a new file in `folder` (a "disk" for pools on block devices).
    static func loopDevice(in folder: String, size: String = "1G") throws -> String {
        let image = folder + "/disk-\(UUID().uuidString.prefix(8)).img"
        try run("/usr/bin/truncate", ["-s", size, image])
        return try run(losetup, ["--find", "--show", image]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// True when `path` is the root of a btrfs subvolume.
    static func isSubvolume(_ path: String) -> Bool {
        (try? runCommand(btrfs, ["subvolume", "show", path]))?.status == 0
    }

    /// A field of `btrfs subvolume show` ("UUID", "Parent UUID", ...).
    static func subvolumeField(_ path: String, _ field: String) throws -> String {
        let output = try run(btrfs, ["subvolume", "show", path]).stdout
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == field {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return ""
    }
}

/// What a rejected request must leave unchanged: the pools, the loop files and the mounts.
struct StorageSnapshot: Equatable {
    let pools: String
    let disks: [String]
    let mounts: [String]

    init(_ f: DaemonFixture) throws {
        pools = try f.lxc(["storage", "list", "--format", "csv"]).check().stdout
        disks = ((try? FileManager.default.contentsOfDirectory(atPath: f.directory + "/disks")) ?? []).sorted()
        mounts = HostCleanup.mounts(under: f.directory)
    }
}

/// The two clients every storage command is tried with.
let bothClients = [TestEnvironment.debianLXC, TestEnvironment.ourLXC]
