import CShim
import Foundation
import LXDAPI
import LXDCore
import LXDHTTP
import LXDOS
import Synchronization

/// One `POST /1.0/instances/NAME/exec` with websockets (LXD's `execWs`): the client connects the
/// control socket and one socket per stream, then the command runs in the container through
/// `lxd forkexec`, with pipes (or a pty in interactive mode) pumped to and from the sockets.
///
/// Threads: every websocket is served on its own connection thread; the process is spawned by
/// the operation's task once all sockets are there.
final class ExecSession: OperationWebSocketHandler {
    private struct State {
        /// A pidfd of the command (signals without a pid-reuse race), -1 before it runs and once it ended.
        var commandPIDFD: Int32 = -1
    }

    /// The daemon's side of the command's stdio.
    struct Streams {
        var stdinWrite: Int32 = -1
        var stdoutRead: Int32 = -1
        var stderrRead: Int32 = -1
        /// Interactive: the pty master, read and written.
        var ptyMaster: Int32 = -1
    }

    let interactive: Bool
    private let rendezvous: WebSocketRendezvous<Streams>
    private let state = Mutex(State())
    private let finishedStreams = DispatchGroup()

    init(interactive: Bool) {
        self.interactive = interactive
        // As LXD: without a terminal the control socket is optional (pylxd never opens it).
        let streams = interactive ? ["0"] : ["0", "1", "2"]
        rendezvous = WebSocketRendezvous(keys: ["control"] + streams, required: Set(interactive ? ["control", "0"] : streams))
    }

    /// `fds` in the operation metadata.
    var fdsMetadata: JSONValue { rendezvous.fdsMetadata }

    func accepts(secret: String) -> Bool { rendezvous.accepts(secret: secret) }

    /// Waits until every socket is connected (LXD's `wait-for-websocket`).
    func waitForSockets() async { await rendezvous.waitForSockets() }

    func serve(secret: String, socket: WebSocket) {
        guard let key = rendezvous.key(for: secret) else { return }
        defer { socket.close() }  // the client closed its side (or we gave up on it)
        try? socket.sendPing()
        rendezvous.connected(socket, as: key)
        guard let streams = rendezvous.waitForStart() else { return }
        switch key {
        case "control": serveControl(socket, ptyMaster: streams.ptyMaster)
        case "0" where interactive: servePTY(socket, master: streams.ptyMaster)
        case "0": pumpToProcess(socket, fd: streams.stdinWrite)
        case "1": pumpFromProcess(streams.stdoutRead, to: socket)
        case "2": pumpFromProcess(streams.stderrRead, to: socket)
        default: break
        }
    }

    /// Hands the process's streams to the socket threads; `pid` receives control signals.
    func processStarted(_ streams: Streams, pid: Int32) {
        finishedStreams.enter()  // one for the output side, left when the output is drained
        let pidfd = lxd_os_pidfd_open(pid)
        state.withLock { $0.commandPIDFD = pidfd }
        rendezvous.start(streams)
    }

    /// Wakes every waiting socket when the command could not start.
    func abandon() {
        markFinished()
        rendezvous.abandon()
        closeAll()
    }

    /// After the process exited: waits (bounded) for the output to drain, then ends every socket
    /// as LXD does when its exec ends: the client reads the end at once. Each socket's thread
    /// keeps reading until the client closes its side, because pylxd writes close frames after
    /// the operation ended, and a socket closed under them answers with a reset (over TLS an
    /// error pylxd does not catch). A client that never closes loses its sockets after a grace.
    /// False when the output had not ended by then (a background process still holds it): what
    /// it writes later is not sent.
    @discardableResult
    func processExited() async -> Bool {
        let group = finishedStreams
        let drained = (try? await Blocking.run("lxd-exec-drain") { group.wait(timeout: .now() + Self.drainTimeout) == .success }) ?? false
        markFinished()
        for socket in rendezvous.sockets.values { socket.shutdownSending() }
        Task {
            try? await Task.sleep(for: Self.closeGrace)
            self.closeAll()
        }
        return drained
    }

    /// How long the output may stay open after the command ended.
    static let drainTimeout = DispatchTimeInterval.seconds(5)
    /// How long a client may keep its exec sockets open after the command ended.
    static let closeGrace = Duration.seconds(10)

    private func markFinished() {
        state.withLock { state in
            if state.commandPIDFD >= 0 { close(state.commandPIDFD) }
            state.commandPIDFD = -1
        }
    }

    /// Signals the command if it still runs (under the lock: the pidfd cannot be closed meanwhile).
    private func signalCommand(_ signal: Int32) {
        state.withLock { state in
            if state.commandPIDFD >= 0 { _ = lxd_os_pidfd_send_signal(state.commandPIDFD, signal) }
        }
    }

    private func closeAll() {
        for socket in rendezvous.sockets.values { socket.close() }
    }

    // MARK: Pumps (each on a socket's connection thread)

    /// Control messages until the socket ends; a client that goes away while the command runs
    /// (closed, killed, network gone) takes the command with it, as LXD does.
    private func serveControl(_ socket: WebSocket, ptyMaster master: Int32) {
        defer { signalCommand(SIGKILL) }
        while let message = try? socket.receive() {
            guard case .text(let text) = message,
                let control = try? LXDJSON.decode(InstanceExecControl.self, from: Data(text.utf8))
            else { continue }
            switch control.command {
            case "window-resize":
                if master >= 0, let width = UInt16(control.args["width"] ?? ""), let height = UInt16(control.args["height"] ?? "") {
                    _ = lxd_os_set_winsize(master, width, height)
                }
            case "signal":
                if control.signal > 0 { signalCommand(Int32(control.signal)) }
            default:
                break
            }
        }
    }

    /// Client → process stdin; an empty text frame (or a vanished client) is EOF. The socket then
    /// stays until the client (or `closeAll`) closes it, as the output sockets do; what a command
    /// that stopped reading is sent is discarded.
    private func pumpToProcess(_ socket: WebSocket, fd: Int32) {
        var fd = fd
        defer { if fd >= 0 { close(fd) } }
        while let message = try? socket.receive() {
            let data: Data
            switch message {
            case .binary(let bytes): data = bytes
            case .text(let text) where text.isEmpty:
                if fd >= 0 { close(fd) }
                fd = -1
                continue
            case .text(let text): data = Data(text.utf8)
            }
            if fd >= 0, !FileDescriptorIO.writeAll(fd, data) {
                close(fd)
                fd = -1
            }
        }
    }

    /// Process output → client, then the empty text frame that marks EOF. Then keep reading what
    /// the client sends (the pong to our ping, a close frame) until it or `closeAll` closes the
    /// socket: closing a unix socket with unread input resets it, and the client's last read would
    /// fail with ECONNRESET instead of seeing the end of the stream.
    private func pumpFromProcess(_ fd: Int32, to socket: WebSocket) {
        FileDescriptorIO.readChunks(fd) { chunk in (try? socket.sendBinary(chunk)) != nil }
        close(fd)
        try? socket.sendText("")
        drained()
        while case .some(.some) = try? socket.receive() {}
    }

    private let drainedCount = Mutex(0)

    /// The output side is drained when stdout and stderr (or the pty) both reached EOF.
    private func drained() {
        let done = drainedCount.withLock { count -> Bool in
            count += 1
            return count == (interactive ? 1 : 2)
        }
        if done { finishedStreams.leave() }
    }

    /// Interactive: one socket both ways over the pty master.
    private func servePTY(_ socket: WebSocket, master: Int32) {
        let reader = Thread { [self] in
            FileDescriptorIO.readChunks(master) { chunk in (try? socket.sendBinary(chunk)) != nil }
            try? socket.sendText("")
            drained()
        }
        reader.stackSize = 256 << 10
        reader.start()
        while let message = try? socket.receive() {
            switch message {
            case .binary(let data):
                guard FileDescriptorIO.writeAll(master, data) else { return }
            case .text(let text):
                // An empty frame is the client's EOF; in a pty, ^D is the way to say it.
                if text.isEmpty { continue }
                guard FileDescriptorIO.writeAll(master, Data(text.utf8)) else { return }
            }
        }
    }
}

/// Blocking reads and writes on raw fds with EINTR and partial-write handling.
enum FileDescriptorIO {
    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { writeAll(fd, $0) }
    }

    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, buffer.baseAddress?.advanced(by: offset), buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Reads until EOF or error (EIO on a pty whose other side closed), handing each chunk to `consume`
    /// until it returns false.
    static func readChunks(_ fd: Int32, _ consume: (Data) -> Bool) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            guard consume(Data(buffer[0..<count])) else { return }
        }
    }
}
