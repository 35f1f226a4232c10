import Foundation
import LXDAPI

/// `/1.0/operations` and each operation's `wait` and `websocket`.
struct OperationsAPI: Sendable {
    let state: DaemonState

    private func operation(_ request: APIRequest) throws -> BackgroundOperation {
        guard let operation = state.operations.operation(id: request.parameter("id")) else {
            throw LXDError.notFound("Operation not found")
        }
        return operation
    }

    /// Grouped by lower-cased status, as LXD does: `{"running": [...], "success": [...]}`.
    func operationsGet(_ request: APIRequest) async throws -> APIResponse {
        let all = state.operations.all
        if request.recursion > 0 {
            var groups: [String: [LXDAPI.Operation]] = [:]
            for operation in all {
                let snapshot = operation.snapshot
                groups[snapshot.status.lowercased(), default: []].append(snapshot)
            }
            return .sync(groups)
        }
        var groups: [String: [String]] = [:]
        for operation in all {
            groups[operation.status.text.lowercased(), default: []].append(operation.url)
        }
        return .sync(groups)
    }

    func operationGet(_ request: APIRequest) async throws -> APIResponse {
        .sync(try operation(request).snapshot)
    }

    func operationDelete(_ request: APIRequest) async throws -> APIResponse {
        let operation = try operation(request)
        guard operation.snapshot.mayCancel else {
            throw LXDError.badRequest("This operation can't be cancelled")
        }
        operation.cancel()
        return .emptyObject
    }

    func operationWaitGet(_ request: APIRequest) async throws -> APIResponse {
        let operation = try operation(request)
        let timeout = Double(request.query["timeout"] ?? "") ?? -1
        await operation.wait(timeout: timeout)
        return .sync(operation.snapshot)
    }

    func operationWebSocketGet(_ request: APIRequest) async throws -> APIResponse {
        let operation = try operation(request)
        let secret = request.query["secret"] ?? ""
        guard let handler = operation.webSocketHandler else {
            throw LXDError.badRequest("Only websocket operations can be connected")
        }
        guard handler.accepts(secret: secret) else {
            throw LXDError.forbidden()
        }
        return .webSocket { socket in
            handler.serve(secret: secret, socket: socket)
        }
    }
}
