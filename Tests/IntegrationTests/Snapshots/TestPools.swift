import Foundation
import LXDTestSupport

/// The pool the snapshot, copy and publish tests run on: the fixture's `dir` pool, or a btrfs
/// pool on a loop file under the test's `LXD_DIR` (made by the daemon, released by the fixture)
/// that becomes the default profile's root disk.
enum TestPools {
    static let drivers = ["dir", "btrfs"]

    /// Returns the pool's name.
    static func use(_ driver: String, in f: DaemonFixture) throws -> String {
        guard driver != "dir" else { return "default" }
        let pool = f.name(driver)
        try f.lxc(["storage", "create", pool, driver, "size=1GiB"], client: TestEnvironment.debianLXC).check()
        try f.lxc(["profile", "device", "set", "default", "root", "pool=\(pool)"], client: TestEnvironment.debianLXC).check()
        return pool
    }

    static func snapshotsFolder(_ f: DaemonFixture, pool: String, instance: String) -> String {
        f.directory + "/storage-pools/\(pool)/containers-snapshots/\(instance)"
    }
}
