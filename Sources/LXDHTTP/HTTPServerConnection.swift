import Foundation
import Glibc
import TLS

/// One request on an accepted connection, handed to the handler on the connection's own thread.
///
/// Confined to that thread: read the body, send exactly one response (or upgrade), return.
/// The connection loop then answers 500 if nothing was sent, drains an unread body (bounded) and
/// either waits for the next request (keep-alive) or closes.
public final class HTTPServerConnection {
    public let head: HTTPRequestHead
    /// SO_PEERCRED of a unix-socket peer; nil on other transports.
    public let peer: PeerCredentials?
    /// The client certificate of a TLS peer (nil on the unix socket, or when none was sent).
    public internal(set) var peerCertificate: X509Certificate?
    /// True on a TLS listener (never the unix socket).
    public internal(set) var isTLS = false
    /// "host:port" of a TCP peer.
    public internal(set) var remoteAddress: String?

    let stream: any ByteStream
    var input: InputBuffer
    private var body: BodyReader
    private var sentContinue = false
    private(set) var isResponseSent = false
    private(set) var isUpgraded = false
    /// The response was sent with keep-alive (no `Connection: close`).
    private(set) var keepsAlive = false
    /// An I/O error or a half-read body left the connection unusable.
    private(set) var isBroken = false

    init(head: HTTPRequestHead, peer: PeerCredentials?, stream: any ByteStream, input: InputBuffer, framing: BodyFraming) {
        self.head = head
        self.peer = peer
        self.stream = stream
        self.input = input
        self.body = BodyReader(framing: framing)
    }

    /// True when the request has a body still unread.
    public var hasUnreadBody: Bool { !body.isDone }

    /// Trailer fields of a chunked request body, once it has been read.
    public var trailers: HTTPHeaders { body.trailers }

    /// Reads the whole body (Content-Length or chunked, decoded).
    public func readBody(limit: Int = 64 << 20) throws -> Data {
        try prepareBodyRead()
        do {
            let bytes = try body.collect(buffer: &input, stream: stream, limit: limit)
            return Data(bytes)
        } catch {
            isBroken = true
            throw error
        }
    }

    /// Streams the body to `consume` piece by piece, without buffering it whole.
    public func streamBody(_ consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        try prepareBodyRead()
        do {
            try body.readAll(buffer: &input, stream: stream, consume: consume)
        } catch {
            isBroken = true
            throw error
        }
    }

    /// Answers `Expect: 100-continue` (curl sends it before large uploads) once.
    private func prepareBodyRead() throws {
        guard !isUpgraded else { throw HTTPError.responseAlreadySent }
        guard !sentContinue, !body.isDone, !isResponseSent else { return }
        sentContinue = true
        if head.headers["Expect"]?.lowercased() == "100-continue" {
            try write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
    }

    /// Sends a complete response; adds Content-Length, and `Connection: close` unless keep-alive.
    public func send(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data) throws {
        var headers = try responseHeaders(headers)
        let hasBody = !(status == 204 || status == 304 || (100..<200).contains(status))
        if hasBody {
            headers["Content-Length"] = String(body.count)
        }
        var bytes = HTTPWire.responseHead(status: status, headers: headers)
        let includeBody = hasBody && head.method != "HEAD" && !body.isEmpty
        if includeBody && body.count <= 64 << 10 {
            bytes.append(contentsOf: body)
            try write(bytes)
        } else {
            try write(bytes)
            if includeBody {
                try guardIO { try body.withUnsafeBytes { try stream.write($0) } }
            }
        }
    }

    /// Convenience for text and JSON bodies.
    public func send(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: String) throws {
        try send(status: status, headers: headers, body: Data(body.utf8))
    }

    /// Sends the whole file behind `fd` (from offset 0); Content-Length comes from fstat.
    /// The caller keeps ownership of `fd`.
    public func sendFile(status: Int, headers: HTTPHeaders = HTTPHeaders(), fd: Int32) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw HTTPError.io(operation: "fstat", errno: errno) }
        let size = Int64(info.st_size)
        var headers = try responseHeaders(headers)
        headers["Content-Length"] = String(size)
        try write(HTTPWire.responseHead(status: status, headers: headers))
        guard head.method != "HEAD" else { return }
        var offset: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 256 << 10)
        while offset < size {
            let want = Int(min(Int64(chunk.count), size - offset))
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                // The file shrank or failed: the promised length cannot be kept, so the
                // connection must not be reused.
                isBroken = true
                throw n < 0 ? HTTPError.io(operation: "read", errno: errno) : HTTPError.unexpectedEOF
            }
            try guardIO { try chunk.withUnsafeBytes { try stream.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
            offset += Int64(n)
        }
    }

    /// Sends a chunked response, `produce` writing pieces with the given writer (e.g. a streamed
    /// export whose size is not known up front).
    public func sendChunked(status: Int, headers: HTTPHeaders = HTTPHeaders(), produce: (ChunkWriter) throws -> Void) throws {
        var headers = try responseHeaders(headers)
        headers["Content-Length"] = nil
        headers["Transfer-Encoding"] = "chunked"
        try write(HTTPWire.responseHead(status: status, headers: headers))
        guard head.method != "HEAD" else { return }
        let writer = ChunkWriter(stream: stream)
        do {
            try produce(writer)
            try stream.write(ChunkedEncoder.terminator)
        } catch {
            isBroken = true
            throw error
        }
    }

    /// Validates the RFC 6455 handshake, answers 101 and hands the socket (and any bytes already
    /// read past the request) to the returned `WebSocket`. From then on the connection loop does
    /// not touch the socket: the WebSocket owns it and closes it on `close()` (or deinit).
    /// A bad handshake is answered with 400 and throws.
    public func upgradeToWebSocket() throws -> WebSocket {
        guard !isResponseSent else { throw HTTPError.responseAlreadySent }
        let headers = head.headers
        var problem: String?
        if head.method != "GET" {
            problem = "method is not GET"
        } else if !headers.hasToken("websocket", in: "Upgrade") {
            problem = "'websocket' token not found in 'Upgrade' header"
        } else if !headers.hasToken("upgrade", in: "Connection") {
            problem = "'upgrade' token not found in 'Connection' header"
        } else if headers["Sec-WebSocket-Version"]?.trimmingSpaces() != "13" {
            problem = "unsupported version: 13 not found in 'Sec-Websocket-Version' header"
        } else if !WebSocketHandshake.isValidKey(headers["Sec-WebSocket-Key"]) {
            problem = "'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte in length"
        }
        if let problem {
            var answer = HTTPHeaders([("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")])
            if problem.hasPrefix("unsupported version") { answer["Sec-WebSocket-Version"] = "13" }
            try? send(status: 400, headers: answer, body: "Bad Request\n")
            throw HTTPError.webSocketHandshake(problem)
        }
        let accept = try WebSocketHandshake.acceptValue(for: headers["Sec-WebSocket-Key"] ?? "")
        let response = HTTPHeaders([("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)])
        isResponseSent = true
        isUpgraded = true
        try guardIO { try stream.write(HTTPWire.responseHead(status: 101, headers: response)) }
        return WebSocket(stream: stream, role: .server, buffered: input.takeAll())
    }

    // MARK: - Internals

    private func responseHeaders(_ headers: HTTPHeaders) throws -> HTTPHeaders {
        guard !isResponseSent, !isUpgraded else { throw HTTPError.responseAlreadySent }
        isResponseSent = true
        var headers = headers
        headers["Transfer-Encoding"] = nil
        let handlerCloses = headers.hasToken("close", in: "Connection")
        keepsAlive = head.keepAlive && !handlerCloses && !isBroken
        if !keepsAlive {
            headers["Connection"] = "close"
        } else if head.version.minor == 0 {
            headers["Connection"] = "keep-alive"
        }
        return headers
    }

    private func write(_ bytes: [UInt8]) throws {
        try guardIO { try stream.write(bytes) }
    }

    private func guardIO(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            isBroken = true
            throw error
        }
    }

    /// After the handler: drains an unread body (up to `limit` bytes) so that the connection can
    /// carry another request; false when the connection must close.
    func finishBody(limit: Int) -> Bool {
        guard !isBroken else { return false }
        guard !body.isDone else { return true }
        if case .length(let n) = body.framing, n - body.bytesRead > UInt64(limit) { return false }
        var drained = 0
        do {
            try body.readAll(buffer: &input, stream: stream) { piece in
                drained += piece.count
                if drained > limit { throw HTTPError.bodyTooLarge(limit: limit) }
            }
            return true
        } catch {
            isBroken = true
            return false
        }
    }
}

/// Writes the pieces of a chunked response.
public struct ChunkWriter {
    let stream: any ByteStream

    /// Writes one chunk (an empty piece is skipped: it would end the body).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        var frame = ChunkedEncoder.chunkHeader(bytes.count)
        frame.append(contentsOf: bytes)
        frame.append(contentsOf: ChunkedEncoder.crlf)
        try stream.write(frame)
    }

    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }
}
