import Foundation
import LXDAPI
import LXDCore
import LXDHTTP
import Synchronization

/// Where an operation's websockets meet the work they serve (exec's command, the console):
/// one secret per socket (the operation's `fds`), the operation waits until the sockets it needs
/// are connected, and each socket's thread waits until the work has started (`Work`: what the
/// socket needs from it) or never will.
final class WebSocketRendezvous<Work: Sendable>: Sendable {
    private struct State {
        var sockets: [String: WebSocket] = [:]
        var allConnected: CheckedContinuation<Void, Never>?
        var isAllConnected = false
        var work: Work?
        var isAbandoned = false
    }

    let secrets: [String: String]
    /// The sockets the operation waits for (the others may come or not).
    private let required: Set<String>
    private let state = Mutex(State())
    private let started = NSCondition()

    init(keys: [String], required: Set<String>? = nil) {
        secrets = Dictionary(uniqueKeysWithValues: keys.map { ($0, Hex.random()) })
        self.required = required ?? Set(keys)
    }

    /// `fds` in the operation's metadata.
    var fdsMetadata: JSONValue { .object(secrets.mapValues { .string($0) }) }

    func key(for secret: String) -> String? {
        secrets.first { $0.value == secret }?.key
    }

    /// A known secret whose socket has not connected yet.
    func accepts(secret: String) -> Bool {
        guard let key = key(for: secret) else { return false }
        return state.withLock { $0.sockets[key] == nil }
    }

    /// Registers a connected socket; the last required one releases `waitForSockets`.
    func connected(_ socket: WebSocket, as key: String) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.sockets[key] = socket
            guard required.allSatisfy({ state.sockets[$0] != nil }), !state.isAllConnected else { return nil }
            state.isAllConnected = true
            defer { state.allConnected = nil }
            return state.allConnected
        }
        continuation?.resume()
    }

    /// Waits until every required socket is connected (LXD's `wait-for-websocket`).
    func waitForSockets() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.isAllConnected { return true }
                state.allConnected = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Blocks a socket's thread until the work started (nil if it never will).
    func waitForStart() -> Work? {
        started.lock()
        defer { started.unlock() }
        while true {
            let (work, abandoned) = state.withLock { ($0.work, $0.isAbandoned) }
            if let work { return work }
            if abandoned { return nil }
            started.wait()
        }
    }

    /// The work started: waiting sockets get `work`.
    func start(_ work: Work) {
        state.withLock { $0.work = work }
        wakeWaiters()
    }

    /// The work will not start: waiting sockets get nil.
    func abandon() {
        state.withLock { $0.isAbandoned = true }
        wakeWaiters()
    }

    private func wakeWaiters() {
        started.lock()
        started.broadcast()
        started.unlock()
    }

    var sockets: [String: WebSocket] { state.withLock { $0.sockets } }
}
