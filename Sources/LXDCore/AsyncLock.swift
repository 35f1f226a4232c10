import Synchronization

/// A FIFO lock for async code: holds across suspension points, unlike an actor (whose
/// reentrancy lets another call run while one awaits). Used per instance name, as LXD's
/// `operationlock`.
public final class AsyncLock: Sendable {
    private struct State {
        var isLocked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init() {}

    public func lock() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                if state.isLocked {
                    state.waiters.append(continuation)
                    return false
                }
                state.isLocked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    public func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.isLocked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }

    public func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await lock()
        defer { unlock() }
        return try await body()
    }
}

/// One `AsyncLock` per key, created on demand (instance names, image fingerprints).
public final class KeyedAsyncLocks: Sendable {
    private let locks = Mutex<[String: AsyncLock]>([:])

    public init() {}

    public func lock(for key: String) -> AsyncLock {
        locks.withLock { locks in
            if let existing = locks[key] { return existing }
            let created = AsyncLock()
            locks[key] = created
            return created
        }
    }
}
