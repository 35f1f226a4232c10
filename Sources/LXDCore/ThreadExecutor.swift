import Foundation

/// A serial executor that runs every job on one dedicated OS thread. Actors that make blocking
/// calls (SQLite, liblxc) use it as their `unownedExecutor`, so that the blocking never happens
/// on Swift's cooperative pool (two threads on a two-core machine).
public final class ThreadExecutor: SerialExecutor, @unchecked Sendable {
    // `condition` guards `jobs`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private let name: String

    public init(name: String) {
        self.name = name
        let thread = Thread { [unowned self] in self.runLoop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        condition.lock()
        jobs.append(unownedJob)
        condition.signal()
        condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch {
                job.runSynchronously(on: asUnownedSerialExecutor())
            }
        }
    }
}

/// Runs blocking work (a `waitpid`, a large extraction, a file copy) on a fresh OS thread and
/// resumes the caller when it is done; the cooperative pool is never blocked.
public enum Blocking {
    public static func run<T: Sendable>(_ name: String = "lxd-blocking", _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = name
            thread.start()
        }
    }
}
