import CShim
import Foundation
import LXDAPI
import LXDCore
import LXDHTTP
import Synchronization

/// One `POST /1.0/instances/NAME/console` (LXD's `consoleWs`): a data websocket mirrored with the
/// container's console pty and a control websocket for window sizes. The session ends when the
/// client closes either socket (`lxc console` closes the control one on ctrl+a q) or the console
/// goes away (the container stopped).
///
/// Threads: each websocket is served on its own connection thread; the console's output is read
/// by one more thread, which polls a wake pipe so that it can be stopped before the pty closes.
final class ConsoleSession: OperationWebSocketHandler {
    private struct State {
        var isFinished = false
        var finished: CheckedContinuation<Void, Never>?
    }

    /// Both sockets are needed; the work they wait for is the console's pty.
    private let rendezvous = WebSocketRendezvous<Int32>(keys: ["0", "control"])
    private let state = Mutex(State())
    /// The threads that touch the pty; it is closed only once they are done.
    private let pumps = DispatchGroup()
    private let wake: (read: Int32, write: Int32)

    init() throws {
        var fds: [Int32] = [-1, -1]
        let status = lxd_os_pipe_cloexec(&fds)
        guard status == 0 else { throw LXDError.internalError("Failed creating pipe: \(String(cString: strerror(-status)))") }
        wake = (fds[0], fds[1])
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    var fdsMetadata: JSONValue { rendezvous.fdsMetadata }

    func accepts(secret: String) -> Bool { rendezvous.accepts(secret: secret) }

    /// Waits until both sockets are connected.
    func waitForSockets() async { await rendezvous.waitForSockets() }

    func serve(secret: String, socket: WebSocket) {
        guard let key = rendezvous.key(for: secret) else { return }
        try? socket.sendPing()
        rendezvous.connected(socket, as: key)
        guard let ptx = rendezvous.waitForStart() else {
            socket.close()
            return
        }
        if key == "control" { serveControl(socket, ptx: ptx) } else { serveData(socket, ptx: ptx) }
    }

    /// Mirrors the console until the session ends; the caller then closes `ptx`.
    func run(ptx: Int32) async {
        rendezvous.start(ptx)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.isFinished { return true }
                state.finished = continuation
                return false
            }
            if done { continuation.resume() }
        }
        let sockets = rendezvous.sockets
        // As LXD: a line break for the client's terminal, then both sockets go.
        try? sockets["0"]?.sendBinary(Data("\n\r".utf8))
        for socket in sockets.values { socket.close() }
        let pumps = self.pumps
        _ = try? await Blocking.run("lxd-console-drain") { pumps.wait(timeout: .now() + 10) }
    }

    /// The console could not be attached: release the waiting sockets.
    func abandon() {
        rendezvous.abandon()
        for socket in rendezvous.sockets.values { socket.close() }
    }

    private func finish() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.isFinished else { return nil }
            state.isFinished = true
            defer { state.finished = nil }
            return state.finished
        }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        continuation?.resume()
    }

    private var isFinished: Bool { state.withLock { $0.isFinished } }

    // MARK: Pumps

    private func serveControl(_ socket: WebSocket, ptx: Int32) {
        pumps.enter()
        defer {
            finish()
            pumps.leave()
        }
        while let message = try? socket.receive() {
            guard case .text(let text) = message, !isFinished,
                let control = try? LXDJSON.decode(InstanceConsoleControl.self, from: Data(text.utf8)), control.command == "window-resize",
                let width = UInt16(control.args["width"] ?? ""), let height = UInt16(control.args["height"] ?? "")
            else { continue }
            _ = lxd_os_set_winsize(ptx, width, height)
        }
    }

    private func serveData(_ socket: WebSocket, ptx: Int32) {
        pumps.enter()
        pumps.enter()
        let wakeRead = wake.read
        let reader = Thread { [self] in
            defer {
                finish()
                pumps.leave()
            }
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                var fds = [pollfd(fd: ptx, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
                let ready = poll(&fds, 2, -1)
                if ready < 0 && errno == EINTR { continue }
                guard ready > 0, fds[1].revents == 0 else { return }
                let count = buffer.withUnsafeMutableBytes { read(ptx, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                guard count > 0 else { return }
                guard (try? socket.sendBinary(Data(buffer[0..<count]))) != nil else { return }
            }
        }
        reader.stackSize = 256 << 10
        reader.start()
        defer {
            finish()
            pumps.leave()
        }
        while let message = try? socket.receive() {
            guard !isFinished else { return }
            switch message {
            case .binary(let data):
                guard FileDescriptorIO.writeAll(ptx, data) else { return }
            case .text(let text):
                guard FileDescriptorIO.writeAll(ptx, Data(text.utf8)) else { return }
            }
        }
    }
}
