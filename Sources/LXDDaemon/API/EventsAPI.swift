import Foundation
import LXDAPI
import LXDHTTP
import Synchronization

/// `GET /1.0/events`: a websocket of JSON events, filtered by `?type=a,b`.
struct EventsAPI: Sendable {
    let state: DaemonState

    static let types: Set<String> = ["operation", "lifecycle", "logging"]

    func eventsGet(_ request: APIRequest) async throws -> APIResponse {
        var requestedTypes: Set<String>?
        if let text = request.query["type"], !text.isEmpty {
            let requested = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            for type in requested where !Self.types.contains(type) {
                throw LXDError.badRequest("\"\(type)\" isn't a supported event type")
            }
            requestedTypes = requested
        }
        // Subscribe before the 101 goes out: the client sends its next request as soon as it has the
        // upgrade, and an event published in between must not be lost.
        let events = state.events
        let sink = PendingWebSocketSink()
        let id = events.subscribe(types: requestedTypes, sink: sink)
        return .webSocket { socket in
            defer { events.unsubscribe(id) }
            try? socket.sendPing()
            sink.attach(socket)
            // The client never sends anything but pongs; receive() returns nil when it goes away.
            while (try? socket.receive()) != nil {}
            socket.close()
        }
    }
}

/// An event sink that queues messages until its websocket is attached, then sends directly.
final class PendingWebSocketSink: EventSink {
    private struct State {
        var socket: WebSocket?
        var queued: [String] = []
    }

    private let state = Mutex(State())

    func attach(_ socket: WebSocket) {
        state.withLock { state in
            for text in state.queued { try? socket.sendText(text) }
            state.queued = []
            state.socket = socket
        }
    }

    func send(text: String) throws {
        try state.withLock { state in
            guard let socket = state.socket else {
                state.queued.append(text)
                return
            }
            try socket.sendText(text)
        }
    }
}
