import Foundation
import LXDAPI

extension InstanceManager {
    /// Runs one `forkfile` operation in the instance's own view of its files: through its init's
    /// namespaces when it runs (so its own mounts count), on its rootfs through its idmap when
    /// stopped. The instance lock keeps a start or stop from racing the choice between the two.
    func fileOperation(_ name: String, _ operation: String, path: String, arguments: [String] = [], errorExtra: String = "")
        async throws -> ForkFileReply
    {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        let record = try await record(name)
        let forkFile = ForkFile(executable: executable, idmap: idmap)
        let target: ForkFile.Target
        if await status(name) != .stopped, let pid = await lxc.initPID(name) {
            target = .running(pid: pid)
        } else {
            target = .stopped(rootfs: try await rootfsPath(record))
        }
        return try await forkFile.run(operation, path: path, arguments: arguments, target: target, errorExtra: errorExtra)
    }

    /// Where a stopped instance's rootfs is on the host (its root disk's pool, `dir` layout).
    func rootfsPath(_ record: InstanceRecord) async throws -> String {
        let pool = try rootPool(try await expanded(record).devices)
        return volumePath(record.name, pool: pool) + "/rootfs"
    }
}
