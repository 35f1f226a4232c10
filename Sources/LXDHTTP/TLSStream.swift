import Glibc
import Synchronization
import TLS

/// A `ByteStream` of TLS over a TCP socket. The socket is non-blocking: each OpenSSL step runs
/// under a lock and the socket is waited for outside it, so that one thread can block reading a
/// websocket while another writes to it, and `close()` from any thread wakes both.
public final class TLSStream: ByteStream {
    private let socket: SocketStream
    private let session: Mutex<TLSSession>
    /// The certificate the peer presented, if any.
    public let peerCertificate: X509Certificate?
    /// "host:port" of the peer.
    public let remoteAddress: String?
    public let protocolVersion: String

    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Takes ownership of `socket` and runs the handshake (bounded by `handshakeTimeoutMilliseconds`
    /// of silence); the socket is closed if it fails.
    public init(socket: SocketStream, context: TLSContext, serverName: String? = nil, handshakeTimeoutMilliseconds: Int32 = 30_000)
        throws
    {
        // OpenSSL writes with write(2): a peer gone away must be an error, not a signal.
        _ = Self.ignoreSIGPIPE
        self.socket = socket
        do {
            let made: TLSSession? = try socket.withFD { fd in
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                return try TLSSession(context: context, fd: fd, serverName: serverName)
            }
            guard let made else { throw HTTPError.tls("connection closed") }
            while true {
                switch try made.handshakeStep() {
                case .done: break
                case .wantRead:
                    guard try Self.wait(socket, events: POLLIN, timeout: handshakeTimeoutMilliseconds) else {
                        throw HTTPError.tls("TLS handshake timeout")
                    }
                    continue
                case .wantWrite:
                    guard try Self.wait(socket, events: POLLOUT, timeout: handshakeTimeoutMilliseconds) else {
                        throw HTTPError.tls("TLS handshake timeout")
                    }
                    continue
                case .closed: throw HTTPError.tls("TLS handshake: connection closed")
                }
                break
            }
            peerCertificate = made.peerCertificate
            protocolVersion = made.protocolVersion
            remoteAddress = socket.withFD { TCPSocket.peerAddress($0) } ?? nil
            session = Mutex(made)
        } catch let error as TLSError {
            socket.close()
            throw HTTPError.tls(error.description)
        } catch {
            socket.close()
            throw error
        }
    }

    /// Polls the socket for `events`; false on timeout. A closed stream counts as ready (the next
    /// OpenSSL call then sees the end).
    private static func wait(_ socket: SocketStream, events: Int32, timeout: Int32) throws -> Bool {
        let ready: Bool? = try socket.withFD { fd in
            var pfd = pollfd(fd: fd, events: Int16(events), revents: 0)
            while true {
                let n = poll(&pfd, 1, timeout)
                if n >= 0 { return n > 0 }
                if errno == EINTR { continue }
                throw HTTPError.io(operation: "poll", errno: errno)
            }
        }
        return ready ?? true
    }

    /// Runs one OpenSSL step with the socket held open; nil once the stream is closed.
    private func step(_ body: (TLSSession) throws -> TLSSession.Step) throws -> TLSSession.Step? {
        do {
            return try socket.withFD { _ in try session.withLock { try body($0) } }
        } catch let error as TLSError {
            if socket.isClosed { return .closed }
            throw HTTPError.tls(error.description)
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            switch try step({ try $0.read(into: buffer) }) {
            case .done(let n): return n
            case .wantRead: _ = try Self.wait(socket, events: POLLIN, timeout: -1)
            case .wantWrite: _ = try Self.wait(socket, events: POLLOUT, timeout: -1)
            case .closed, nil: return 0
            }
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0, let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let piece = UnsafeRawBufferPointer(start: base + offset, count: min(bytes.count - offset, 1 << 20))
            switch try step({ try $0.write(piece) }) {
            case .done(let n): offset += n
            case .wantRead: _ = try Self.wait(socket, events: POLLIN, timeout: -1)
            case .wantWrite: _ = try Self.wait(socket, events: POLLOUT, timeout: -1)
            case .closed, nil: throw HTTPError.io(operation: "write", errno: EPIPE)
            }
        }
    }

    public func waitReadable(timeoutMilliseconds: Int32) throws -> Bool {
        if session.withLock({ $0.pending }) > 0 { return true }
        return try Self.wait(socket, events: POLLIN, timeout: timeoutMilliseconds)
    }

    /// Sends close_notify (once) while the socket is still open: a TLS peer then sees a clean end
    /// and may still write to us (Go does this on every Close; Python's ssl treats a bare EOF as
    /// an error and refuses to send afterwards).
    private func sendCloseNotify() {
        _ = socket.withFD { _ in session.withLock { $0.shutdown() } }
    }

    public func shutdown() {
        sendCloseNotify()
        socket.shutdown()
    }

    /// Sends close_notify, then half-closes the socket.
    public func shutdownWrite() {
        sendCloseNotify()
        socket.shutdownWrite()
    }

    public func close() {
        sendCloseNotify()
        socket.close()
    }

    public var isClosed: Bool { socket.isClosed }
}
