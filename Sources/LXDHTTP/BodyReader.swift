/// How a message body is delimited on the wire.
enum BodyFraming: Equatable {
    case none
    case length(UInt64)
    case chunked
    case untilEOF

    /// Request bodies: chunked, Content-Length, or none (RFC 9112 §6.3).
    static func request(_ head: ParsedHead) -> BodyFraming {
        if head.isChunked { return .chunked }
        if let length = head.contentLength, length > 0 { return .length(length) }
        return .none
    }

    /// Response bodies; `method` is the request's (HEAD has no body).
    static func response(_ head: ParsedHead, method: String) -> BodyFraming {
        if method == "HEAD" || (100..<200).contains(head.status) || head.status == 204 || head.status == 304 {
            return .none
        }
        if head.isChunked { return .chunked }
        if let length = head.contentLength { return length > 0 ? .length(length) : .none }
        return .untilEOF
    }
}

/// Reads one body from a connection's buffer and stream, decoding its framing.
struct BodyReader {
    private(set) var framing: BodyFraming
    private var remaining: UInt64 = 0
    private var decoder = ChunkedDecoder()
    private(set) var isDone = false
    private(set) var bytesRead: UInt64 = 0

    init(framing: BodyFraming) {
        self.framing = framing
        switch framing {
        case .none: isDone = true
        case .length(let n): remaining = n
        case .chunked, .untilEOF: break
        }
    }

    var trailers: HTTPHeaders { decoder.trailers }

    /// Hands the next piece of the body to `consume`, reading from `stream` when `buffer` is empty.
    /// Returns false once the body is complete.
    mutating func next(
        buffer: inout InputBuffer, stream: any ByteStream, consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Bool {
        guard !isDone else { return false }
        if buffer.isEmpty {
            guard try buffer.fill(from: stream, minimumFree: 64 << 10) else {
                if framing == .untilEOF {
                    isDone = true
                    return false
                }
                throw HTTPError.unexpectedEOF
            }
        }
        switch framing {
        case .none:
            isDone = true
        case .length:
            let n = Int(min(UInt64(buffer.readable), remaining))
            try buffer.withReadable { try consume(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            buffer.consume(n)
            remaining -= UInt64(n)
            bytesRead += UInt64(n)
            isDone = remaining == 0
        case .chunked:
            var produced: UInt64 = 0
            let used = try buffer.withReadable { bytes in
                try decoder.decode(bytes) { piece in
                    produced += UInt64(piece.count)
                    try consume(piece)
                }
            }
            buffer.consume(used)
            bytesRead += produced
            isDone = decoder.isDone
        case .untilEOF:
            try buffer.withReadable { try consume($0) }
            bytesRead += UInt64(buffer.readable)
            buffer.consume(buffer.readable)
        }
        return !isDone
    }

    /// Streams the whole body to `consume`.
    mutating func readAll(buffer: inout InputBuffer, stream: any ByteStream, consume: (UnsafeRawBufferPointer) throws -> Void)
        throws
    {
        while try next(buffer: &buffer, stream: stream, consume: consume) {}
    }

    /// Collects the body, throwing `bodyTooLarge` past `limit`.
    mutating func collect(buffer: inout InputBuffer, stream: any ByteStream, limit: Int) throws -> [UInt8] {
        if case .length(let n) = framing, n > UInt64(limit) { throw HTTPError.bodyTooLarge(limit: limit) }
        var out: [UInt8] = []
        if case .length(let n) = framing { out.reserveCapacity(Int(n)) }
        try readAll(buffer: &buffer, stream: stream) { piece in
            guard out.count + piece.count <= limit else { throw HTTPError.bodyTooLarge(limit: limit) }
            out.append(contentsOf: piece)
        }
        return out
    }
}
