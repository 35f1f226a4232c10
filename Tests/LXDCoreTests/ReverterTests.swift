import Synchronization
import Testing

@testable import LXDCore

/// A thread-safe log the undo closures append to.
private final class Log: Sendable {
    private let entries = Mutex<[String]>([])
    func append(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

@Suite struct ReverterTests {
    @Test func failUndoesInReverseOrder() {
        let log = Log()
        let reverter = Reverter()
        reverter.add { log.append("folder") }
        reverter.add { log.append("row") }
        reverter.add { log.append("file") }
        reverter.fail()
        #expect(log.all == ["file", "row", "folder"])
    }

    @Test func successDisarms() {
        let log = Log()
        let reverter = Reverter()
        reverter.add { log.append("a") }
        reverter.add { log.append("b") }
        reverter.success()
        reverter.fail()
        #expect(log.all.isEmpty)
    }

    @Test func failRunsOnce() {
        let log = Log()
        let reverter = Reverter()
        reverter.add { log.append("a") }
        reverter.fail()
        reverter.fail()
        #expect(log.all == ["a"])
    }

    @Test func failWithNoStepsDoesNothing() {
        Reverter().fail()
    }

    @Test func deferredFailRunsWhenAStepThrows() {
        struct StepFailed: Error {}
        let log = Log()
        func create() throws {
            let reverter = Reverter()
            defer { reverter.fail() }
            log.append("do 1")
            reverter.add { log.append("undo 1") }
            log.append("do 2")
            reverter.add { log.append("undo 2") }
            throw StepFailed()
        }
        #expect(throws: StepFailed.self) { try create() }
        #expect(log.all == ["do 1", "do 2", "undo 2", "undo 1"])
    }

    @Test func deferredFailAfterSuccessKeepsTheWork() throws {
        let log = Log()
        func create() throws {
            let reverter = Reverter()
            defer { reverter.fail() }
            reverter.add { log.append("undo") }
            reverter.success()
        }
        try create()
        #expect(log.all.isEmpty)
    }
}
