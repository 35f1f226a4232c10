import Foundation
import LXDAPI

extension InstanceManager {
    /// Runs one `forkfile` operation in the instance's own view of its files: through its init's
    /// namespaces when it runs (so its own mounts count), on its rootfs through its idmap when
    /// stopped. The instance lock keeps a start or stop from racing the choice between the two.
    /// `owner` are the ids a push asks for (-1: none): an id the container does not map fails
    /// the push as LXD's does, before anything is created.
    func fileOperation(
        _ name: String, _ operation: String, path: String, arguments: [String] = [], owner: (uid: Int64, gid: Int64) = (-1, -1),
        errorExtra: String = ""
    ) async throws -> ForkFileReply {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        let record = try await record(name)
        let forkFile = ForkFile(executable: executable, helpers: helpers)
        let target: ForkFile.Target
        let map: ContainerIdmap
        if await status(name) != .stopped, let pid = await lxc.initPID(name) {
            map = record.config["volatile.idmap.current"].flatMap(ContainerIdmap.fromVolatile) ?? diskIdmap(record)
            target = .running(pid: pid, idmap: map)
        } else {
            map = diskIdmap(record)
            target = .stopped(rootfs: try await rootfsPath(record), idmap: map)
        }
        let idsMapped =
            (owner.uid < 0 || map.hostID(forContainerID: owner.uid, isUID: true) != nil)
            && (owner.gid < 0 || map.hostID(forContainerID: owner.gid, isUID: false) != nil)
        return try await forkFile.run(
            operation, path: path, arguments: arguments, target: target, idsMapped: idsMapped, errorExtra: errorExtra)
    }

    /// Where a stopped instance's rootfs is on the host (its root disk's pool, `dir` layout).
    func rootfsPath(_ record: InstanceRecord) async throws -> String {
        let pool = try rootPool(try await expanded(record).devices)
        return volumePath(record.name, pool: pool) + "/rootfs"
    }
}
