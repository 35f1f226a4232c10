import Foundation
import LXDAPI
import LXDCore
import LXDHTTP
import Synchronization

/// What an operation does with websockets (exec): serves each connection that presents one
/// of its secrets.
protocol OperationWebSocketHandler: Sendable {
    func accepts(secret: String) -> Bool
    /// Runs on the upgraded connection's own thread until that stream is done.
    func serve(secret: String, socket: WebSocket)
}

/// Thrown by an operation's body to fail with metadata of its own (exec's `return: 127`).
struct OperationFailure: Error {
    let message: String
    let metadata: JSONValue?
}

/// One operation of `/1.0/operations` (LXD's `operations.Operation`): a task running in the
/// background whose every state change is published as an `operation` event.
final class BackgroundOperation: Sendable {
    enum OperationClass: String, Sendable {
        case task
        case websocket
        case token
    }

    private struct State {
        var status: StatusCode = .pending
        var updatedAt: Timestamp
        var metadata: JSONValue
        var err = ""
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
        var expiredWaiters: Set<UInt64> = []
        var task: Task<Void, Never>?
        var lastPercent = -1
    }

    let id: String
    let operationClass: OperationClass
    let description: String
    let createdAt: Timestamp
    let resources: [String: [String]]?
    let webSocketHandler: (any OperationWebSocketHandler)?
    /// DELETE on the operation cancels its task (token operations, long transfers).
    let mayCancel: Bool
    private let state: Mutex<State>
    private let events: EventHub

    init(
        operationClass: OperationClass, description: String, resources: [String: [String]]?, metadata: JSONValue,
        webSocketHandler: (any OperationWebSocketHandler)?, events: EventHub, mayCancel: Bool = false
    ) {
        self.mayCancel = mayCancel
        id = UUID().uuidString.lowercased()
        self.operationClass = operationClass
        self.description = description
        createdAt = .now()
        self.resources = resources
        self.webSocketHandler = webSocketHandler
        self.events = events
        state = Mutex(State(updatedAt: createdAt, metadata: metadata))
    }

    var url: String { "/1.0/operations/\(id)" }

    var status: StatusCode { state.withLock { $0.status } }

    var snapshot: LXDAPI.Operation {
        state.withLock { state in
            var operation = LXDAPI.Operation()
            operation.id = id
            operation.operationClass = operationClass.rawValue
            operation.description = description
            operation.createdAt = createdAt
            operation.updatedAt = state.updatedAt
            operation.status = state.status.text
            operation.statusCode = state.status.rawValue
            operation.resources = resources
            operation.metadata = state.metadata
            operation.mayCancel = mayCancel && !state.status.isFinal
            operation.err = state.err
            operation.location = "none"
            return operation
        }
    }

    /// Announces the operation, then runs `body` in a task; its result becomes the final
    /// metadata (nil keeps the current metadata), a thrown error the failure text.
    func start(_ body: @escaping @Sendable (BackgroundOperation) async throws -> JSONValue?) {
        events.operation(snapshot)
        let task = Task {
            self.setStatus(.running)
            do {
                let result = try await body(self)
                self.finish(.success, metadata: result, err: "")
            } catch is CancellationError {
                self.finish(.cancelled, metadata: nil, err: "")
            } catch let failure as OperationFailure {
                self.finish(.failure, metadata: failure.metadata, err: failure.message)
            } catch {
                self.finish(.failure, metadata: nil, err: LXDError(mapping: error).message)
            }
        }
        state.withLock { $0.task = task }
    }

    /// Cancels the task and ends the operation as "Cancelled" (LXD's `DELETE /1.0/operations/ID`).
    func cancel() {
        let task = state.withLock { $0.task }
        task?.cancel()
        finish(.cancelled, metadata: nil, err: "")
    }

    /// Replaces the metadata while running (progress) and publishes it.
    func updateMetadata(_ metadata: JSONValue) {
        state.withLock { state in
            state.metadata = metadata
            state.updatedAt = .now()
        }
        events.operation(snapshot)
    }

    /// Publishes LXD's progress metadata (`<stage>_progress` text plus a `progress` object), only
    /// when the percentage changes.
    func updateProgress(stage: String, percent: Int, speed: Int64 = 0, text: String) {
        let changed = state.withLock { state -> Bool in
            guard state.lastPercent != percent else { return false }
            state.lastPercent = percent
            return true
        }
        guard changed else { return }
        updateMetadata(
            .object([
                "\(stage)_progress": .string(text),
                "progress": .object(["percent": .string(String(percent)), "speed": .string(String(speed)), "stage": .string(stage)]),
            ]))
    }

    /// Ends the operation as failed with `metadata` (exec's "Command not found" keeps `return`).
    func fail(_ message: String, metadata: JSONValue?) {
        finish(.failure, metadata: metadata, err: message)
    }

    private func setStatus(_ status: StatusCode) {
        state.withLock { state in
            state.status = status
            state.updatedAt = .now()
        }
        events.operation(snapshot)
    }

    private func finish(_ status: StatusCode, metadata: JSONValue?, err: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.status.isFinal else { return [] }
            state.status = status
            if let metadata { state.metadata = metadata }
            state.err = err
            state.updatedAt = .now()
            let waiters = Array(state.waiters.values)
            state.waiters = [:]
            return waiters
        }
        events.operation(snapshot)
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until the operation is final or `timeout` seconds pass (negative: forever).
    func wait(timeout: Double) async {
        let token = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let timer: Task<Void, Never>? =
            timeout < 0
            ? nil
            : Task {
                try? await Task.sleep(for: .seconds(timeout))
                let waiter = self.state.withLock { state in
                    guard let waiter = state.waiters.removeValue(forKey: token) else {
                        state.expiredWaiters.insert(token)
                        return CheckedContinuation<Void, Never>?.none
                    }
                    return waiter
                }
                waiter?.resume()
            }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.status.isFinal || state.expiredWaiters.remove(token) != nil { return true }
                state.waiters[token] = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer?.cancel()
    }
}
