import Synchronization
import Testing

@testable import LXDCore

/// Counts how many bodies are inside the lock at once, and in which order they entered.
private final class Probe: Sendable {
    private struct State {
        var inside = 0
        var maxInside = 0
        var order: [Int] = []
    }
    private let state = Mutex(State())

    func enter(_ id: Int) {
        state.withLock {
            $0.inside += 1
            $0.maxInside = max($0.maxInside, $0.inside)
            $0.order.append(id)
        }
    }

    func leave() { state.withLock { $0.inside -= 1 } }
    var maxInside: Int { state.withLock { $0.maxInside } }
    var order: [Int] { state.withLock { $0.order } }
}

@Suite struct AsyncLockTests {
    @Test func excludesAcrossSuspensionPoints() async {
        let lock = AsyncLock()
        let probe = Probe()
        await withTaskGroup(of: Void.self) { group in
            for id in 0..<20 {
                group.addTask {
                    await lock.withLock {
                        probe.enter(id)
                        await Task.yield()
                        try? await Task.sleep(for: .milliseconds(1))
                        await Task.yield()
                        probe.leave()
                    }
                }
            }
        }
        #expect(probe.maxInside == 1)
        #expect(probe.order.count == 20)
    }

    @Test func waitersRunInArrivalOrder() async throws {
        let lock = AsyncLock()
        let probe = Probe()
        await lock.lock()
        var tasks: [Task<Void, Never>] = []
        for id in 0..<5 {
            tasks.append(
                Task {
                    await lock.lock()
                    probe.enter(id)
                    probe.leave()
                    lock.unlock()
                })
            // Give each waiter time to queue before the next one starts.
            try await Task.sleep(for: .milliseconds(30))
        }
        #expect(probe.order.isEmpty)
        lock.unlock()
        for task in tasks { await task.value }
        #expect(probe.order == [0, 1, 2, 3, 4])
    }

    @Test func withLockReturnsTheBodysValue() async {
        let lock = AsyncLock()
        let value = await lock.withLock { 42 }
        #expect(value == 42)
    }

    @Test func withLockReleasesWhenTheBodyThrows() async throws {
        struct Failed: Error {}
        let lock = AsyncLock()
        await #expect(throws: Failed.self) {
            try await lock.withLock { throw Failed() }
        }
        // Would hang if the lock were still held.
        let value = await lock.withLock { "free" }
        #expect(value == "free")
    }

    @Test func unlockWithoutWaitersFreesTheLock() async {
        let lock = AsyncLock()
        await lock.lock()
        lock.unlock()
        await lock.lock()
        lock.unlock()
    }
}

@Suite struct KeyedAsyncLocksTests {
    @Test func sameKeyGivesTheSameLock() {
        let locks = KeyedAsyncLocks()
        #expect(locks.lock(for: "c1") === locks.lock(for: "c1"))
        #expect(locks.lock(for: "c1") !== locks.lock(for: "c2"))
    }

    @Test func differentKeysDoNotBlockEachOther() async {
        let locks = KeyedAsyncLocks()
        await locks.lock(for: "c1").lock()
        // Would hang if "c2" shared "c1"'s lock.
        await locks.lock(for: "c2").lock()
        locks.lock(for: "c2").unlock()
        locks.lock(for: "c1").unlock()
    }

    @Test func sameKeyExcludes() async {
        let locks = KeyedAsyncLocks()
        let probe = Probe()
        await withTaskGroup(of: Void.self) { group in
            for id in 0..<10 {
                group.addTask {
                    await locks.lock(for: "c1").withLock {
                        probe.enter(id)
                        try? await Task.sleep(for: .milliseconds(1))
                        probe.leave()
                    }
                }
            }
        }
        #expect(probe.maxInside == 1)
    }
}
