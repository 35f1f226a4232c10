import Foundation
import LXDAPI
import LXDHTTP

/// `GET /1.0/events` as a websocket (LXD's `client.EventListener`). `next()` blocks.
public final class EventListener: Sendable {
    let socket: WebSocket

    public init(http: HTTPClient, types: [String] = []) throws {
        let target = types.isEmpty ? "/1.0/events" : "/1.0/events?type=" + types.joined(separator: ",")
        socket = try http.webSocket(target, headers: LXDServer.headers(json: false))
    }

    /// The next event's raw text, or nil once the stream ended.
    public func nextText() throws -> String? {
        while let message = try socket.receive() {
            switch message {
            case .text(let text): return text
            case .binary(let data): return String(decoding: data, as: UTF8.self)
            }
        }
        return nil
    }

    public func next() throws -> Event? {
        while let text = try nextText() {
            if let event = try? LXDJSON.decode(Event.self, from: Data(text.utf8)) { return event }
        }
        return nil
    }

    public func close() { socket.close() }
}

/// An operation being waited for (LXD's `client.operation`).
public final class RemoteOperation: @unchecked Sendable {
    // Used by one thread: the command that started the operation.
    public let server: LXDServer
    public private(set) var operation: LXDAPI.Operation
    let listener: EventListener?

    init(server: LXDServer, operation: LXDAPI.Operation, listener: EventListener?) {
        self.server = server
        self.operation = operation
        self.listener = listener
    }

    public var id: String { operation.id }

    /// LXD's first look at a new operation (the refresh in its `AddHandler`): an operation that
    /// has already failed throws its error here, which LXD's client reports as it is, without
    /// the hints it adds to failures seen while waiting.
    public func throwIfAlreadyFailed() throws {
        guard let refreshed = try? server.getOperation(operation.id).operation else { return }
        operation = refreshed
        if operation.code.isFinal && operation.code != .success {
            listener?.close()
            throw LXDError(.internalServerError, operation.err.isEmpty ? operation.status : operation.err)
        }
    }

    /// Waits for the final state: one GET of the operation (to avoid races), then `operation`
    /// events until this one is final. `progress` sees every update. A failed operation throws
    /// its `err` (after `operation` is updated, so that callers can still read its metadata).
    @discardableResult
    public func wait(progress: ((LXDAPI.Operation) -> Void)? = nil) throws -> LXDAPI.Operation {
        defer { listener?.close() }
        if let refreshed = try? server.getOperation(operation.id).operation {
            operation = refreshed
        }
        while !operation.code.isFinal {
            guard let listener else { throw LXDError(.internalServerError, "Failed to connect to the events API") }
            guard let text = try listener.nextText() else {
                // The stream died: take the operation's word for it, as a last resort.
                operation = try server.getOperation(operation.id).operation
                if operation.code.isFinal { break }
                throw LXDError(.internalServerError, "websocket: close 1006 (abnormal closure): unexpected EOF")
            }
            guard let event = try? LXDJSON.decode(OperationEvent.self, from: Data(text.utf8)),
                let updated = event.operation, updated.id == operation.id
            else { continue }
            operation = updated
            progress?(updated)
        }
        if operation.code != .success {
            throw LXDError(.internalServerError, operation.err.isEmpty ? operation.status : operation.err)
        }
        return operation
    }
}

/// An event as `RemoteOperation.wait` reads it: the metadata is decoded as an operation, and
/// only for `operation` events (no `JSONValue` for the others).
private struct OperationEvent: Decodable {
    var operation: LXDAPI.Operation?

    enum CodingKeys: String, CodingKey { case type, metadata }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.lenient(.type, "")
        operation = type == "operation" ? try c.decodeIfPresent(LXDAPI.Operation.self, forKey: .metadata) : nil
    }
}
