import Foundation
import LXDAPI
import LXDClient
import LXDCore
import LXDHTTP
import Synchronization

/// The `control` and `fs` websockets of a migration, either served by our operation (the
/// source in pull mode, the sink in push mode: the peer connects with the secrets) or dialled
/// to the peer's operation (the other two cases).
final class MigrationWebSockets: OperationWebSocketHandler, Sendable {
    private struct State {
        var sockets: [String: WebSocket] = [:]
        var waiter: CheckedContinuation<Void, Never>?
        var isFinished = false
    }

    let secrets: [String: String]
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    init() {
        secrets = ["control": Hex.random(), "fs": Hex.random()]
    }

    /// The operation's metadata: the secrets the peer connects with.
    var metadata: JSONValue { .object(secrets.mapValues { .string($0) }) }

    func accepts(secret: String) -> Bool {
        guard let key = secrets.first(where: { $0.value == secret })?.key else { return false }
        return state.withLock { !$0.isFinished && $0.sockets[key] == nil }
    }

    /// Keeps the connection's thread (and the socket) until the migration is over.
    func serve(secret: String, socket: WebSocket) {
        guard let key = secrets.first(where: { $0.value == secret })?.key else { return }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.sockets[key] = socket
            guard state.sockets.count == secrets.count else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        finished.wait()
        finished.signal()
        socket.close()
    }

    /// Waits (bounded) until the peer connected both sockets.
    func waitForConnections(timeout: Duration = .seconds(30)) async throws -> (control: MigrationChannel, fs: MigrationChannel) {
        let timer = Task {
            try await Task.sleep(for: timeout)
            let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.sockets.count == secrets.count { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        timer.cancel()
        let sockets = state.withLock { $0.sockets }
        guard let control = sockets["control"], let fs = sockets["fs"] else {
            throw LXDError.internalError("Timed out waiting for migration connections")
        }
        return (MigrationChannel(socket: control), MigrationChannel(socket: fs))
    }

    /// Releases the connections' threads and closes the sockets.
    func finish() {
        let sockets = state.withLock { state -> [WebSocket] in
            state.isFinished = true
            return Array(state.sockets.values)
        }
        for socket in sockets { socket.close() }
        finished.signal()
    }

    /// Dials the peer's operation websockets (`operation` is its https URL), presenting our
    /// server certificate and checking the peer's against `certificate`.
    static func dial(operation: String, certificate: String, secrets: [String: String], identity: ServerCertificate) throws -> (
        control: MigrationChannel, fs: MigrationChannel
    ) {
        guard let range = operation.range(of: "/1.0/operations/") else {
            throw LXDError.badRequest("Invalid operation URL \"\(operation)\"")
        }
        let base = String(operation[..<range.lowerBound])
        let path = String(operation[range.lowerBound...])
        let args = TLSConnectionArgs(
            clientCertificatePEM: identity.certificatePEM, clientKeyPEM: identity.keyPEM,
            serverCertificatePEM: certificate.isEmpty ? nil : certificate, acceptAnyServer: certificate.isEmpty)
        let http = try LXDServer.httpsClient(url: base, args: args)
        func open(_ name: String) throws -> MigrationChannel {
            guard let secret = secrets[name] else { throw LXDError.badRequest("Missing migration secret \"\(name)\"") }
            do {
                return MigrationChannel(socket: try http.webSocket(path + "/websocket?secret=" + LXDServer.escape(secret)))
            } catch {
                throw LXDError.internalError("Failed connecting to the migration \(name) websocket: \(error)")
            }
        }
        let control = try open("control")
        do {
            return (control, try open("fs"))
        } catch {
            control.close()
            throw error
        }
    }
}
