import Foundation
import LXDCore
import Synchronization

/// Removing a volume's files is most of what deleting an instance costs on a `dir` pool: ~7 ms
/// for the busybox image's 300 inodes on this host (`rm -rf` is no faster), seconds for a
/// distribution's rootfs. So a deleted volume's folders are renamed into the pool's `.deleting`
/// folder (one rename each, on the pool's own filesystem): its path and name are free at once
/// and the request returns, while its files are removed in the background.
///
/// What an interrupted daemon leaves in `.deleting` is removed when the pool is mounted again;
/// deleting the pool waits for what is still being removed.
final class DeferredRemoval: Sendable {
    static let shared = DeferredRemoval()

    /// The pool's folder for volumes being removed.
    static func folder(_ poolRoot: String) -> String { poolRoot + "/.deleting" }

    /// The removals still running, by pool root.
    private let running = Mutex<[String: [UUID: Task<Void, Never>]]>([:])

    /// Moves `paths` (those that exist) out of the way now and removes them in the background.
    func remove(_ paths: [String], poolRoot: String) throws {
        let existing = paths.filter(HostStorage.exists)
        guard !existing.isEmpty else { return }
        let trash = Self.folder(poolRoot)
        if !HostStorage.exists(trash) {
            try FileManager.default.createDirectory(atPath: trash, withIntermediateDirectories: false)
            chmod(trash, 0o700)
        }
        var moved: [String] = []
        for path in existing {
            let target = trash + "/" + (path as NSString).lastPathComponent + "-" + UUID().uuidString
            try HostStorage.rename(path, target)
            moved.append(target)
        }
        start(moved, poolRoot: poolRoot)
    }

    /// Removes whatever an earlier daemon left in the pool's `.deleting` folder.
    func removeLeftovers(poolRoot: String) {
        let trash = Self.folder(poolRoot)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: trash)) ?? []
        guard !names.isEmpty else { return }
        start(names.map { trash + "/" + $0 }, poolRoot: poolRoot)
    }

    /// Waits until nothing of the pool is being removed, then removes its `.deleting` folder.
    func drain(poolRoot: String) async {
        while let tasks = running.withLock({ $0[poolRoot].map { Array($0.values) } }), !tasks.isEmpty {
            for task in tasks { await task.value }
        }
        rmdir(Self.folder(poolRoot))
    }

    private func start(_ trees: [String], poolRoot: String) {
        let id = UUID()
        // Registered under the lock before the task can take it to unregister itself.
        running.withLock { pools in
            let task = Task.detached { [self] in
                for tree in trees { await HostStorage.removeTreeBlocking(tree) }
                running.withLock { pools in
                    pools[poolRoot]?[id] = nil
                    if pools[poolRoot]?.isEmpty == true { pools[poolRoot] = nil }
                }
            }
            pools[poolRoot, default: [:]][id] = task
        }
    }
}
