import Foundation
import LXDAPI
import LXDTestSupport
import Synchronization
import Testing

@testable import LXDDaemon

/// `DeferredRemoval` on a scratch pool root, without a daemon.
@Suite struct DeferredRemovalTests {
    static func context(_ root: String) -> PoolContext { PoolContext(name: "p", config: [:], mountPath: root, disksPath: root + "/disks") }

    /// The first deletes on a pool race to make its `.deleting` folder; all of them must win.
    @Test func concurrentFirstRemovalsAllMoveTheirFolders() async throws {
        for _ in 0..<20 {
            let pool = try TemporaryDirectory()
            defer { pool.remove() }
            let folders = (0..<8).map { pool.path + "/v\($0)" }
            for folder in folders { try FileManager.default.createDirectory(atPath: folder + "/rootfs", withIntermediateDirectories: true) }
            let failures = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: folders.count) { index in
                do {
                    try DeferredRemoval.shared.remove([folders[index]], in: Self.context(pool.path))
                } catch {
                    failures.withLock { $0 += 1 }
                }
            }
            #expect(failures.withLock { $0 } == 0)
            await DeferredRemoval.shared.wait(poolRoot: pool.path)
            #expect(folders.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
            #expect((try? FileManager.default.contentsOfDirectory(atPath: DeferredRemoval.folder(pool.path))) == [])
        }
    }

    /// All or none: when one folder cannot be moved, those already moved go back.
    @Test(.enabled(if: geteuid() == 0)) func aPartialMoveIsUndone() throws {
        let pool = try TemporaryDirectory()
        defer { pool.remove() }
        let volume = pool.path + "/containers/c1"
        try FileManager.default.createDirectory(atPath: volume + "/rootfs", withIntermediateDirectories: true)
        // A snapshots folder on another filesystem cannot be renamed into the pool's `.deleting`.
        let other = pool.path + "/containers-snapshots/c1"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try #require(mount("tmpfs", other, "tmpfs", 0, "size=1m") == 0)
        defer { umount2(other, Int32(MNT_DETACH)) }

        #expect(throws: LXDError.self) {
            try DeferredRemoval.shared.remove([volume, other], in: Self.context(pool.path))
        }
        #expect(FileManager.default.fileExists(atPath: volume + "/rootfs"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: DeferredRemoval.folder(pool.path))) == [])
    }
}
