import Foundation
import LXDAPI
import LXDCore
import Synchronization

/// Where an event subscriber's messages go (an events websocket, or a test's collector).
protocol EventSink: Sendable {
    /// Sends one JSON text message; throws when the subscriber is gone.
    func send(text: String) throws
}

/// Fans events out to the subscribers of `GET /1.0/events`, each with its type filter.
final class EventHub: Sendable {
    private struct Subscriber {
        let types: Set<String>?
        let sink: any EventSink
    }

    private let subscribers = Mutex<[UInt64: Subscriber]>([:])
    private let nextID = Atomic<UInt64>(1)
    // Serialises publishing so every subscriber sees events in one order.
    private let publishLock = Mutex(())

    /// Subscribes `sink` to events whose type is in `types` (nil: every type).
    func subscribe(types: Set<String>?, sink: any EventSink) -> UInt64 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        subscribers.withLock { $0[id] = Subscriber(types: types, sink: sink) }
        return id
    }

    func unsubscribe(_ id: UInt64) {
        _ = subscribers.withLock { $0.removeValue(forKey: id) }
    }

    var subscriberCount: Int { subscribers.withLock { $0.count } }

    func publish(_ event: Event) {
        publishLock.withLock { _ in
            let targets = subscribers.withLock { subscribers in
                subscribers.filter { $0.value.types?.contains(event.type) ?? true }
            }
            guard !targets.isEmpty, let data = try? LXDJSON.encode(event) else { return }
            let text = String(decoding: data, as: UTF8.self)
            var gone: [UInt64] = []
            for (id, subscriber) in targets {
                do {
                    try subscriber.sink.send(text: text)
                } catch {
                    gone.append(id)
                }
            }
            if !gone.isEmpty {
                subscribers.withLock { subscribers in
                    for id in gone { subscribers.removeValue(forKey: id) }
                }
            }
        }
    }

    /// A `lifecycle` event, as LXD sends after each change (`instance-started`, `image-created`, ...).
    func lifecycle(
        _ action: String, source: String, context: [String: JSONValue]? = nil, requestor: EventLifecycleRequestor? = nil
    ) {
        let lifecycle = EventLifecycle(action: action, source: source, context: context, requestor: requestor)
        guard let metadata = try? JSONValue.from(lifecycle) else { return }
        publish(Event(type: "lifecycle", metadata: metadata, project: "default"))
    }

    func operation(_ operation: LXDAPI.Operation) {
        guard let metadata = try? JSONValue.from(operation) else { return }
        publish(Event(type: "operation", metadata: metadata, project: "default"))
    }
}
