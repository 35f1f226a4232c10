import Synchronization

/// LXD's `revert`: collect undo steps while a multi-step change proceeds; unless `success()`
/// is called, `fail()` runs them in reverse order.
///
///     let reverter = Reverter()
///     defer { reverter.fail() }
///     try createFolder(); reverter.add { removeFolder() }
///     try insertRow();    reverter.add { deleteRow() }
///     reverter.success()
public final class Reverter: Sendable {
    private let steps = Mutex<[@Sendable () -> Void]?>([])

    public init() {}

    public func add(_ undo: @escaping @Sendable () -> Void) {
        steps.withLock { $0?.append(undo) }
    }

    /// Keeps everything done so far; later `fail()` calls do nothing.
    public func success() {
        steps.withLock { $0 = nil }
    }

    /// Runs the undo steps, newest first, once.
    public func fail() {
        let pending = steps.withLock { current -> [@Sendable () -> Void] in
            let taken = current ?? []
            current = nil
            return taken
        }
        for undo in pending.reversed() { undo() }
    }
}
