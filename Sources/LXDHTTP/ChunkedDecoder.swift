/// Incremental decoder of `Transfer-Encoding: chunked` bodies (RFC 9112 §7.1): chunk
/// extensions are ignored, trailer fields are collected. Lines may end in CRLF or a bare LF.
struct ChunkedDecoder {
    private enum State {
        case size  // hex digits of the chunk size
        case sizeSpace  // whitespace after the size
        case extensions  // ";name=value" up to the end of the line
        case sizeLF  // saw CR after the size line
        case data(remaining: UInt64)
        case dataCR
        case dataLF
        case trailerStart  // start of a trailer line (or the final empty line)
        case trailer  // inside a trailer line
        case trailerLF  // saw CR in a trailer line
        case finalLF  // saw CR of the final empty line
        case done
    }

    private var state = State.size
    private var size: UInt64 = 0
    private var digits = 0
    private var lineLength = 0
    private var trailerBytes = 0
    private var trailerLine: [UInt8] = []
    private(set) var trailers = HTTPHeaders()

    /// Longest size line (with extensions) and total trailer section accepted.
    static let maxLineLength = 8 << 10
    static let maxTrailerBytes = 64 << 10

    var isDone: Bool {
        if case .done = state { return true }
        return false
    }

    /// Decodes from `input`, handing chunk data to `emit`; returns the bytes consumed. Stops right
    /// after the last CRLF of the body, leaving any following request in the input.
    mutating func decode(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var i = 0
        let count = input.count
        while i < count {
            let c = input[i]
            switch state {
            case .size:
                if let v = URLCoding.hexValue(c) {
                    digits += 1
                    guard digits <= 15 else { throw HTTPError.invalidChunkedBody("chunk size too large") }
                    size = size << 4 | UInt64(v)
                    lineLength += 1
                    i += 1
                    continue
                }
                guard digits > 0 else { throw HTTPError.invalidChunkedBody("invalid chunk size") }
                state = .sizeSpace
            case .sizeSpace:
                if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") {
                    try countLine()
                    i += 1
                } else if c == UInt8(ascii: ";") {
                    state = .extensions
                } else if c == UInt8(ascii: "\r") {
                    state = .sizeLF
                    i += 1
                } else if c == UInt8(ascii: "\n") {
                    i += 1
                    endSizeLine()
                } else {
                    throw HTTPError.invalidChunkedBody("invalid chunk size line")
                }
            case .extensions:
                if c == UInt8(ascii: "\r") {
                    state = .sizeLF
                } else if c == UInt8(ascii: "\n") {
                    endSizeLine()
                } else if c < 0x20 && c != UInt8(ascii: "\t") || c == 0x7F {
                    throw HTTPError.invalidChunkedBody("invalid chunk extension")
                } else {
                    try countLine()
                }
                i += 1
            case .sizeLF:
                guard c == UInt8(ascii: "\n") else { throw HTTPError.invalidChunkedBody("missing LF after chunk size") }
                i += 1
                endSizeLine()
            case .data(let remaining):
                let n = Int(min(remaining, UInt64(count - i)))
                try emit(UnsafeRawBufferPointer(rebasing: input[i..<(i + n)]))
                i += n
                state = remaining == UInt64(n) ? .dataCR : .data(remaining: remaining - UInt64(n))
            case .dataCR:
                if c == UInt8(ascii: "\r") {
                    state = .dataLF
                } else if c == UInt8(ascii: "\n") {
                    startChunk()
                } else {
                    throw HTTPError.invalidChunkedBody("missing CRLF after chunk data")
                }
                i += 1
            case .dataLF:
                guard c == UInt8(ascii: "\n") else { throw HTTPError.invalidChunkedBody("missing LF after chunk data") }
                i += 1
                startChunk()
            case .trailerStart:
                if c == UInt8(ascii: "\r") {
                    state = .finalLF
                    i += 1
                } else if c == UInt8(ascii: "\n") {
                    state = .done
                    return i + 1
                } else {
                    state = .trailer
                }
            case .trailer:
                if c == UInt8(ascii: "\r") {
                    state = .trailerLF
                } else if c == UInt8(ascii: "\n") {
                    try endTrailerLine()
                } else {
                    trailerBytes += 1
                    guard trailerBytes <= Self.maxTrailerBytes else { throw HTTPError.invalidChunkedBody("trailers too large") }
                    trailerLine.append(c)
                }
                i += 1
            case .trailerLF:
                guard c == UInt8(ascii: "\n") else { throw HTTPError.invalidChunkedBody("missing LF in trailer") }
                i += 1
                try endTrailerLine()
            case .finalLF:
                guard c == UInt8(ascii: "\n") else { throw HTTPError.invalidChunkedBody("missing final LF") }
                state = .done
                return i + 1
            case .done:
                return i
            }
        }
        return i
    }

    private mutating func countLine() throws {
        lineLength += 1
        guard lineLength <= Self.maxLineLength else { throw HTTPError.invalidChunkedBody("chunk size line too long") }
    }

    private mutating func endSizeLine() {
        state = size == 0 ? .trailerStart : .data(remaining: size)
    }

    private mutating func startChunk() {
        state = .size
        size = 0
        digits = 0
        lineLength = 0
    }

    private mutating func endTrailerLine() throws {
        guard let colon = trailerLine.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            throw HTTPError.invalidChunkedBody("invalid trailer field")
        }
        let name = String(decoding: trailerLine[..<colon], as: UTF8.self)
        let value = String(decoding: trailerLine[(colon + 1)...], as: UTF8.self).trimmingSpaces()
        trailers.add(name, String(value))
        trailerLine.removeAll(keepingCapacity: true)
        state = .trailerStart
    }
}

/// Encoding side of chunked bodies.
enum ChunkedEncoder {
    /// "1f4\r\n" for a chunk of 500 bytes.
    static func chunkHeader(_ count: Int) -> [UInt8] {
        Array((String(count, radix: 16) + "\r\n").utf8)
    }

    static let terminator: [UInt8] = Array("0\r\n\r\n".utf8)
    static let crlf: [UInt8] = [0x0D, 0x0A]
}
