import Foundation
import LXDAPI
import Synchronization

/// Removing a volume's files is most of what deleting an instance costs on a `dir` pool: ~7 ms
/// for the busybox image's 300 inodes on this host (`rm -rf` is no faster), seconds for a
/// distribution's rootfs. So a deleted volume's folders are renamed into the pool's `.deleting`
/// folder (one rename each, on the pool's own filesystem): its path and name are free at once
/// and the request returns, while its files are removed in the background.
///
/// What an interrupted daemon leaves in `.deleting`, or a removal that failed, is removed when
/// the pool is mounted again; deleting the pool waits for what is still being removed and fails
/// if some of it cannot be.
final class DeferredRemoval: Sendable {
    static let shared = DeferredRemoval()

    /// The pool's folder for volumes being removed.
    static func folder(_ poolRoot: String) -> String { poolRoot + "/.deleting" }

    /// The removals still running, by pool root.
    private let running = Mutex<[String: [UUID: Task<Void, Never>]]>([:])

    /// Moves `paths` (those that exist) out of the way now, all or none, and removes them in the
    /// background.
    func remove(_ paths: [String], in pool: PoolContext) throws {
        let existing = paths.filter(HostStorage.exists)
        guard !existing.isEmpty else { return }
        let trash = Self.folder(pool.mountPath)
        // Two first deletes may race to make it.
        guard mkdir(trash, 0o700) == 0 || errno == EEXIST else {
            throw LXDError.internalError("Failed creating \"\(trash)\": \(String(cString: strerror(errno)))")
        }
        var moved: [(from: String, to: String)] = []
        for path in existing {
            // A name of its own length: the original's with a suffix could pass NAME_MAX.
            let target = trash + "/" + UUID().uuidString
            do {
                try HostStorage.rename(path, target)
            } catch {
                for move in moved.reversed() { _ = rename(move.to, move.from) }
                throw error
            }
            moved.append((path, target))
        }
        start(moved.map(\.to), in: pool)
    }

    /// Removes whatever an earlier daemon, or a failed removal, left in the pool's `.deleting` folder.
    func removeLeftovers(in pool: PoolContext) {
        let trash = Self.folder(pool.mountPath)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: trash)) ?? []
        guard !names.isEmpty else { return }
        start(names.map { trash + "/" + $0 }, in: pool)
    }

    /// Returns when nothing of the pool is being removed.
    func wait(poolRoot: String) async {
        while let tasks = running.withLock({ $0[poolRoot].map { Array($0.values) } }), !tasks.isEmpty {
            for task in tasks { await task.value }
        }
    }

    /// Waits for the pool's removals, tries once more what they could not remove, and removes
    /// the `.deleting` folder; throws if something is left.
    func drain(_ pool: PoolContext) async throws {
        await wait(poolRoot: pool.mountPath)
        let trash = Self.folder(pool.mountPath)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: trash)) ?? [] {
            try await HostStorage.removeTreeBlocking(trash + "/" + name)
        }
        rmdir(trash)
    }

    private func start(_ trees: [String], in pool: PoolContext) {
        let id = UUID()
        let poolRoot = pool.mountPath
        let logger = pool.logger
        // Registered under the lock before the task can take it to unregister itself.
        running.withLock { pools in
            let task = Task.detached { [self] in
                for tree in trees {
                    do {
                        try await HostStorage.removeTreeBlocking(tree)
                    } catch {
                        logger.error("Failed removing a deleted volume's files", ["err": "\(error)"])
                    }
                }
                running.withLock { pools in
                    pools[poolRoot]?[id] = nil
                    if pools[poolRoot]?.isEmpty == true { pools[poolRoot] = nil }
                }
            }
            pools[poolRoot, default: [:]][id] = task
        }
    }
}
