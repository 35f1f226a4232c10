import CShim
import Foundation
import Glibc
import Synchronization
import TLS

/// An HTTP/1.1 server on a unix socket, or over TLS on TCP: one accept thread, one thread per
/// connection (the TLS handshake runs on the connection's thread).
///
/// The handler runs on the connection's thread and may block there (read a big upload, run an
/// upgraded websocket for minutes). Requests on a keep-alive connection are handled in turn.
public final class HTTPServer: Sendable {
    private struct State {
        var acceptThread: pthread_t?
        var isStarted = false
        var isStopped = false
        var listenFD: Int32
        var connections: [ObjectIdentifier: any ByteStream] = [:]
    }

    /// The unix socket's path ("" for TCP).
    public let socketPath: String
    /// The bound "host:port" for TCP (the real port when 0 was asked for), else the socket path.
    public let address: String
    /// TLS for TCP listeners; the peer's certificate reaches the handler.
    public let tls: TLSContext?
    /// Largest request head accepted (431 past it).
    public let maxHeadBytes: Int
    /// How long a connection may sit idle waiting for (the rest of) a request head.
    public let idleTimeoutMilliseconds: Int32
    private let handler: @Sendable (HTTPServerConnection) -> Void
    private let state: Mutex<State>
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Removes a stale socket file, binds, listens (backlog 128), chmods to `mode`, chowns to
    /// `group` if given. Refuses (EADDRINUSE) when something still answers on the path.
    public init(
        unixSocketPath: String, mode: mode_t = 0o660, group: gid_t? = nil, maxHeadBytes: Int = 64 << 10,
        idleTimeout: Duration = .seconds(120), handler: @escaping @Sendable (HTTPServerConnection) -> Void
    ) throws {
        socketPath = unixSocketPath
        address = unixSocketPath
        tls = nil
        self.maxHeadBytes = maxHeadBytes
        let (seconds, attoseconds) = idleTimeout.components
        idleTimeoutMilliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        self.handler = handler

        var info = stat()
        if lstat(unixSocketPath, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK {
            if let probe = try? UnixSocket.connect(path: unixSocketPath) {
                probe.close()
                throw HTTPError.listen(path: unixSocketPath, call: "bind", errno: EADDRINUSE)
            }
            unlink(unixSocketPath)
        }
        let fd = try UnixSocket.listen(path: unixSocketPath, backlog: 128)
        var pipeFDs: [Int32] = [-1, -1]
        let pipeResult = pipeFDs.withUnsafeMutableBufferPointer { lxd_os_pipe_cloexec($0.baseAddress) }
        do {
            guard pipeResult == 0 else {
                throw HTTPError.listen(path: unixSocketPath, call: "pipe", errno: pipeResult < 0 ? -pipeResult : errno)
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            guard chmod(unixSocketPath, mode) == 0 else { throw HTTPError.listen(path: unixSocketPath, call: "chmod", errno: errno) }
            if let group, chown(unixSocketPath, uid_t.max, group) != 0 {
                throw HTTPError.listen(path: unixSocketPath, call: "chown", errno: errno)
            }
        } catch {
            Glibc.close(fd)
            for p in pipeFDs where p >= 0 { Glibc.close(p) }
            unlink(unixSocketPath)
            throw error
        }
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        state = Mutex(State(listenFD: fd))
    }

    /// Listens on `tcpAddress` (LXD's `core.https_address` syntax: "127.0.0.1:8443", "[::1]:8443",
    /// ":8443") and speaks TLS with `tls` on every connection.
    public init(
        tcpAddress: String, tls: TLSContext, maxHeadBytes: Int = 64 << 10, idleTimeout: Duration = .seconds(120),
        handler: @escaping @Sendable (HTTPServerConnection) -> Void
    ) throws {
        let (fd, bound) = try TCPSocket.listen(address: tcpAddress, backlog: 128)
        var pipeFDs: [Int32] = [-1, -1]
        let pipeResult = pipeFDs.withUnsafeMutableBufferPointer { lxd_os_pipe_cloexec($0.baseAddress) }
        guard pipeResult == 0 else {
            Glibc.close(fd)
            throw HTTPError.listen(path: tcpAddress, call: "pipe", errno: pipeResult < 0 ? -pipeResult : errno)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        socketPath = ""
        address = bound
        self.tls = tls
        self.maxHeadBytes = maxHeadBytes
        let (seconds, attoseconds) = idleTimeout.components
        idleTimeoutMilliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        self.handler = handler
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        state = Mutex(State(listenFD: fd))
    }

    deinit {
        stop()
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    /// Starts the accept loop on its own thread and returns at once.
    public func start() {
        state.withLock { state in
            guard !state.isStarted, !state.isStopped else { return }
            state.isStarted = true
            let listenFD = state.listenFD
            let result = OSThread.spawn(name: "lxd-http-accept", stackSize: 256 << 10, detached: false) { [self] in
                acceptLoop(listenFD: listenFD)
            }
            if case .success(let thread) = result { state.acceptThread = thread }
        }
    }

    /// Stops accepting, closes the listener and unlinks the socket file. Connections already
    /// accepted run to their end (see `closeConnections()`).
    public func stop() {
        // Only the first caller tears down; the accept thread must be joined before the
        // listener's fd is closed (the number could otherwise be reused under it).
        let (isFirst, thread): (Bool, pthread_t?) = state.withLock { state in
            guard !state.isStopped else { return (false, nil) }
            state.isStopped = true
            return (true, state.acceptThread)
        }
        guard isFirst else { return }
        if let thread {
            var byte: UInt8 = 1
            _ = Glibc.write(wakeWrite, &byte, 1)
            OSThread.join(thread)
        }
        state.withLock { state in
            if state.listenFD >= 0 {
                Glibc.close(state.listenFD)
                state.listenFD = -1
            }
        }
        if !socketPath.isEmpty { unlink(socketPath) }
    }

    /// Shuts down every connection still being served (upgraded websockets whose handler still
    /// runs included): their handlers see EOF or write errors and return.
    public func closeConnections() {
        let streams = state.withLock { Array($0.connections.values) }
        for stream in streams { stream.shutdown() }
    }

    /// Connections whose thread is still running.
    public var activeConnections: Int {
        state.withLock { $0.connections.count }
    }

    private func acceptLoop(listenFD: Int32) {
        var fds = [
            pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let n = poll(&fds, 2, -1)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents != 0 else { continue }
            let fd = lxd_os_accept_cloexec(listenFD)
            if fd < 0 {
                switch -fd {
                case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    usleep(50_000)  // out of fds or memory: back off instead of spinning
                    continue
                default:
                    return
                }
            }
            startConnection(fd: fd)
        }
    }

    private func startConnection(fd: Int32) {
        let stream = SocketStream(fd: fd)
        let id = ObjectIdentifier(stream)
        state.withLock { $0.connections[id] = stream }
        let result = OSThread.spawn(name: "lxd-http-conn", detached: true) { [self] in
            serve(stream: stream)
            state.withLock { _ = $0.connections.removeValue(forKey: id) }
        }
        if case .failure = result {
            state.withLock { _ = $0.connections.removeValue(forKey: id) }
            stream.close()
        }
    }

    private func serve(stream socket: SocketStream) {
        var peer: PeerCredentials?
        let stream: any ByteStream
        var peerCertificate: X509Certificate?
        var remoteAddress: String?
        if let tls {
            guard let secured = try? TLSStream(socket: socket, context: tls, handshakeTimeoutMilliseconds: idleTimeoutMilliseconds) else {
                return  // a failed handshake has nothing to answer; the stream closed the socket
            }
            stream = secured
            peerCertificate = secured.peerCertificate
            remoteAddress = secured.remoteAddress
        } else {
            stream = socket
        }
        if tls == nil, let fd = socket.fileDescriptor {
            var pid: pid_t = 0
            var uid: uid_t = 0
            var gid: gid_t = 0
            if lxd_os_peer_credentials(fd, &pid, &uid, &gid) == 0 {
                peer = PeerCredentials(pid: pid, uid: uid, gid: gid)
            }
        }
        var input = InputBuffer()
        while true {
            let parsed: ParsedHead
            switch RequestHeadReader.read(
                stream: stream, input: &input, maxHeadBytes: maxHeadBytes, idleTimeoutMilliseconds: idleTimeoutMilliseconds)
            {
            case .head(let head):
                parsed = head
            case .closed:
                stream.close()
                return
            case .reject(let status):
                reject(stream: stream, status: status)
                return
            }
            let head: HTTPRequestHead
            do {
                head = try HTTPRequestHead(
                    method: parsed.method, target: parsed.url, headers: parsed.headers, keepAlive: parsed.keepAlive,
                    version: (parsed.versionMajor, parsed.versionMinor))
            } catch {
                reject(stream: stream, status: 400)
                return
            }
            let connection = HTTPServerConnection(
                head: head, peer: peer, stream: stream, input: input, framing: BodyFraming.request(parsed))
            connection.peerCertificate = peerCertificate
            connection.remoteAddress = remoteAddress
            connection.isTLS = tls != nil
            input = InputBuffer(initialCapacity: 0)
            handler(connection)
            if connection.isUpgraded {
                return  // the WebSocket owns the stream now
            }
            if !connection.isResponseSent {
                let body =
                    #"{"type":"error","status":"","status_code":0,"operation":"","error_code":500,"#
                    + #""error":"Internal server error","metadata":null}"# + "\n"
                try? connection.send(
                    status: 500, headers: HTTPHeaders([("Content-Type", "application/json"), ("Connection", "close")]), body: body)
            }
            guard connection.keepsAlive, connection.finishBody(limit: 1 << 20), !connection.isBroken else {
                lingeringClose(stream: stream, unread: connection.hasUnreadBody)
                return
            }
            input = connection.input
        }
    }

    private func reject(stream: any ByteStream, status: Int) {
        let text = "\(status) \(HTTPWire.reasonPhrase(status))"
        let headers = HTTPHeaders([
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(text.utf8.count)), ("Connection", "close"),
        ])
        var bytes = HTTPWire.responseHead(status: status, headers: headers)
        bytes.append(contentsOf: text.utf8)
        try? stream.write(bytes)
        lingeringClose(stream: stream, unread: true)
    }

    /// Closing with unread input would reset the connection on TCP and could destroy the response
    /// in flight: half-close, read a little more (bounded in bytes and time), then close.
    private func lingeringClose(stream: any ByteStream, unread: Bool) {
        if unread {
            stream.shutdownWrite()
            var scratch = [UInt8](repeating: 0, count: 16 << 10)
            var total = 0
            while total < 1 << 20, (try? stream.waitReadable(timeoutMilliseconds: 200)) == true {
                let n = (try? scratch.withUnsafeMutableBytes { try stream.read(into: $0) }) ?? 0
                if n <= 0 { break }
                total += n
            }
        }
        stream.close()
    }
}
