import Foundation
import Glibc
import TLS

/// A response read by `HTTPClient`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders, body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Where an `HTTPClient` connects: a unix socket, or TLS over TCP.
public enum HTTPTransport: Sendable {
    case unix(path: String)
    /// `verifyPeer` sees the server's certificate after each handshake and throws to refuse it
    /// (LXD pins the server certificate instead of using a CA).
    case tls(host: String, port: Int, context: TLSContext, verifyPeer: @Sendable (X509Certificate?) throws -> Void)
}

/// An HTTP/1.1 client over a unix socket or TLS. Like LXD's Go client every request uses its own
/// connection (`Connection: close`, `Host: lxd`). Calls block the calling thread: call them
/// from a dedicated thread (or `Blocking.run`), never on the cooperative pool.
public final class HTTPClient: Sendable {
    public let transport: HTTPTransport
    /// Largest response head accepted.
    public let maxHeadBytes: Int

    public init(unixSocketPath: String, maxHeadBytes: Int = 1 << 20) {
        self.transport = .unix(path: unixSocketPath)
        self.maxHeadBytes = maxHeadBytes
    }

    public init(transport: HTTPTransport, maxHeadBytes: Int = 1 << 20) {
        self.transport = transport
        self.maxHeadBytes = maxHeadBytes
    }

    /// The unix socket's path ("" over TCP).
    public var unixSocketPath: String {
        if case .unix(let path) = transport { return path }
        return ""
    }

    /// "unix.socket" or "host:port", for messages and the Host header.
    public var hostDescription: String {
        switch transport {
        case .unix: return "unix.socket"
        case .tls(let host, let port, _, _): return TCPSocket.join(host: host, port: port)
        }
    }

    /// Opens one connection (and runs the TLS handshake and the peer check).
    public func connect() throws -> any ByteStream {
        switch transport {
        case .unix(let path):
            return try UnixSocket.connect(path: path)
        case .tls(let host, let port, let context, let verifyPeer):
            let socket = try TCPSocket.connect(host: host, port: port)
            let stream = try TLSStream(socket: socket, context: context, serverName: host.contains(":") ? nil : host)
            do {
                try verifyPeer(stream.peerCertificate)
            } catch {
                stream.close()
                throw error
            }
            return stream
        }
    }

    /// Sends one request and reads the whole response (Content-Length, chunked or until EOF).
    public func request(_ method: String, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: Data? = nil) throws
        -> HTTPResponse
    {
        let stream = try connect()
        defer { stream.close() }
        var headers = requestHeaders(headers)
        if let body {
            headers["Content-Length"] = String(body.count)
        }
        var bytes = HTTPWire.requestHead(method: method, target: target, headers: headers)
        if let body { bytes.append(contentsOf: body) }
        var writeError: Error?
        do {
            try stream.write(bytes)
        } catch {
            writeError = error  // the server may have answered before reading everything
        }
        do {
            var input = InputBuffer()
            let head = try readResponseHead(stream: stream, input: &input)
            var reader = BodyReader(framing: BodyFraming.response(head, method: method))
            var data = Data()
            try reader.readAll(buffer: &input, stream: stream) { data.append(contentsOf: $0) }
            return HTTPResponse(status: head.status, headers: head.headers, body: data)
        } catch {
            throw writeError ?? error
        }
    }

    /// Streams `fd` (from its current offset to EOF) as a chunked request body, calling
    /// `progress(bytesSent)` after each chunk. The caller keeps ownership of `fd`.
    public func upload(
        _ method: String, _ target: String, headers: HTTPHeaders, fd: Int32, progress: ((Int64) -> Void)? = nil
    ) throws -> HTTPResponse {
        let stream = try connect()
        defer { stream.close() }
        var headers = requestHeaders(headers)
        headers["Content-Length"] = nil
        headers["Transfer-Encoding"] = "chunked"
        var writeError: Error?
        do {
            try stream.write(HTTPWire.requestHead(method: method, target: target, headers: headers))
            try writeChunks(from: fd, to: stream, progress: progress)
        } catch let error as HTTPError {
            if case .io(let operation, _) = error, operation == "read file" { throw error }
            writeError = error
        }
        do {
            var input = InputBuffer()
            let head = try readResponseHead(stream: stream, input: &input)
            var reader = BodyReader(framing: BodyFraming.response(head, method: method))
            var data = Data()
            try reader.readAll(buffer: &input, stream: stream) { data.append(contentsOf: $0) }
            return HTTPResponse(status: head.status, headers: head.headers, body: data)
        } catch {
            throw writeError ?? error
        }
    }

    /// GETs `target` and streams a 2xx body to `consume` instead of buffering it. Any other status
    /// throws `HTTPError.unexpectedStatus` with (up to 1 MiB of) the body, so that an LXD error
    /// envelope never lands in the caller's file. `head` sees a 2xx response's headers before the body.
    public func download(
        _ target: String, headers: HTTPHeaders = HTTPHeaders(), head onHead: (HTTPHeaders) throws -> Void = { _ in },
        consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> (status: Int, headers: HTTPHeaders) {
        let stream = try connect()
        defer { stream.close() }
        try stream.write(HTTPWire.requestHead(method: "GET", target: target, headers: requestHeaders(headers)))
        var input = InputBuffer()
        let head = try readResponseHead(stream: stream, input: &input)
        var reader = BodyReader(framing: BodyFraming.response(head, method: "GET"))
        guard (200..<300).contains(head.status) else {
            let body = (try? reader.collect(buffer: &input, stream: stream, limit: 1 << 20)) ?? []
            throw HTTPError.unexpectedStatus(head.status, body: Data(body))
        }
        try onHead(head.headers)
        try reader.readAll(buffer: &input, stream: stream, consume: consume)
        return (head.status, head.headers)
    }

    /// Opens a websocket: sends the RFC 6455 handshake, checks the 101 and its accept key.
    /// Another status throws `HTTPError.unexpectedStatus` with the body (an LXD error envelope).
    public func webSocket(_ target: String, headers: HTTPHeaders = HTTPHeaders()) throws -> WebSocket {
        let stream = try connect()
        do {
            let key = WebSocketHandshake.newKey()
            var headers = headers
            headers["Host"] = isUnix ? headers["Host"] ?? hostHeader : hostHeader
            headers["Upgrade"] = "websocket"
            headers["Connection"] = "Upgrade"
            headers["Sec-WebSocket-Key"] = key
            headers["Sec-WebSocket-Version"] = "13"
            try stream.write(HTTPWire.requestHead(method: "GET", target: target, headers: headers))
            var input = InputBuffer()
            let head = try readResponseHead(stream: stream, input: &input)
            guard head.status == 101 else {
                var reader = BodyReader(framing: BodyFraming.response(head, method: "GET"))
                let body = (try? reader.collect(buffer: &input, stream: stream, limit: 1 << 20)) ?? []
                throw HTTPError.unexpectedStatus(head.status, body: Data(body))
            }
            guard head.headers.hasToken("websocket", in: "Upgrade"), head.headers.hasToken("upgrade", in: "Connection") else {
                throw HTTPError.webSocketHandshake("missing Upgrade headers in 101 response")
            }
            guard head.headers["Sec-WebSocket-Accept"]?.trimmingSpaces() == (try WebSocketHandshake.acceptValue(for: key))[...] else {
                throw HTTPError.webSocketHandshake("bad Sec-WebSocket-Accept")
            }
            return WebSocket(stream: stream, role: .client, buffered: input.takeAll())
        } catch {
            stream.close()
            throw error
        }
    }

    // MARK: - Internals

    private var isUnix: Bool {
        if case .unix = transport { return true }
        return false
    }

    private var hostHeader: String {
        if case .unix = transport { return "lxd" }
        return hostDescription
    }

    private func requestHeaders(_ headers: HTTPHeaders) -> HTTPHeaders {
        var headers = headers
        if headers["Host"] == nil || !isUnix { headers["Host"] = hostHeader }
        headers["Connection"] = "close"
        return headers
    }

    /// Reads a response head, skipping interim 1xx responses (but not 101).
    private func readResponseHead(stream: any ByteStream, input: inout InputBuffer) throws -> ParsedHead {
        while true {
            let parser = HTTPHeadParser(kind: .response, maxHeadBytes: maxHeadBytes)
            while parser.result == nil {
                if !input.isEmpty {
                    let used = try input.withReadable { try parser.feed($0) }
                    input.consume(used)
                    if parser.result != nil { break }
                }
                guard try input.fill(from: stream) else {
                    throw parser.hasStarted
                        ? HTTPError.unexpectedEOF : HTTPError.malformedResponse("server closed the connection without a response")
                }
            }
            guard let head = parser.result else { continue }
            if (100..<200).contains(head.status) && head.status != 101 { continue }
            return head
        }
    }

    private func writeChunks(from fd: Int32, to stream: any ByteStream, progress: ((Int64) -> Void)?) throws {
        // One write per chunk: [hex size CRLF][data][CRLF], the size line right-aligned into
        // a fixed prefix so that the data is read straight into place.
        let prefix = 18
        let chunkSize = 1 << 20
        var buffer = [UInt8](repeating: 0, count: prefix + chunkSize + 2)
        var sent: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress.map { $0 + prefix }, chunkSize) }
            if n < 0 {
                if errno == EINTR { continue }
                throw HTTPError.io(operation: "read file", errno: errno)
            }
            if n == 0 { break }
            let line = ChunkedEncoder.chunkHeader(n)
            let start = prefix - line.count
            buffer.replaceSubrange(start..<prefix, with: line)
            buffer[prefix + n] = 0x0D
            buffer[prefix + n + 1] = 0x0A
            try buffer.withUnsafeBytes { try stream.write(UnsafeRawBufferPointer(rebasing: $0[start..<(prefix + n + 2)])) }
            sent += Int64(n)
            progress?(sent)
        }
        try stream.write(ChunkedEncoder.terminator)
    }
}
