import Foundation
import LXDAPI
import LXDHTTP

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
        let events = state.events
        let types = requestedTypes
        return .webSocket { socket in
            let sink = WebSocketEventSink(socket: socket)
            let id = events.subscribe(types: types, sink: sink)
            defer { events.unsubscribe(id) }
            try? socket.sendPing()
            // The client never sends anything but pongs; receive() returns nil when it goes away.
            while (try? socket.receive()) != nil {}
            socket.close()
        }
    }
}

struct WebSocketEventSink: EventSink {
    let socket: WebSocket

    func send(text: String) throws {
        try socket.sendText(text)
    }
}
