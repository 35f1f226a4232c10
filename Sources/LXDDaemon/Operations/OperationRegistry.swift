import Foundation
import LXDAPI
import Synchronization

/// The daemon's operations by id. Finished ones stay readable for a few seconds, as in LXD
/// (the client does one GET after the final event), then disappear.
final class OperationRegistry: Sendable {
    static let retention: Duration = .seconds(5)

    private let operations = Mutex<[String: BackgroundOperation]>([:])
    let events: EventHub

    init(events: EventHub) {
        self.events = events
    }

    /// Creates, registers and starts an operation.
    @discardableResult
    func run(
        _ operationClass: BackgroundOperation.OperationClass = .task, description: String, resources: [String: [String]]?,
        metadata: JSONValue = .null, webSocketHandler: (any OperationWebSocketHandler)? = nil, mayCancel: Bool = false,
        _ body: @escaping @Sendable (BackgroundOperation) async throws -> JSONValue?
    ) -> BackgroundOperation {
        let operation = BackgroundOperation(
            operationClass: operationClass, description: description, resources: resources, metadata: metadata,
            webSocketHandler: webSocketHandler, events: events, mayCancel: mayCancel)
        operations.withLock { $0[operation.id] = operation }
        operation.start { operation in
            defer { self.scheduleRemoval(operation.id) }
            return try await body(operation)
        }
        return operation
    }

    func operation(id: String) -> BackgroundOperation? {
        operations.withLock { $0[id] }
    }

    var all: [BackgroundOperation] {
        operations.withLock { Array($0.values) }.sorted { $0.createdAt < $1.createdAt }
    }

    /// Waits for every running operation (used at shutdown).
    func waitAll(timeout: Double) async {
        for operation in all where !operation.status.isFinal {
            await operation.wait(timeout: timeout)
        }
    }

    private func scheduleRemoval(_ id: String) {
        Task {
            try? await Task.sleep(for: Self.retention)
            _ = self.operations.withLock { $0.removeValue(forKey: id) }
        }
    }

    /// LXD's `resources` map for an operation on one instance.
    static func instanceResources(_ name: String, includeContainers: Bool = true) -> [String: [String]] {
        var resources = ["instances": ["/1.0/instances/\(name)"]]
        if includeContainers { resources["containers"] = ["/1.0/containers/\(name)"] }
        return resources
    }
}
