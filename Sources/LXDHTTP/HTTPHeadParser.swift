import CHTTPParser

/// What http_parser learnt from a complete request or response head.
struct ParsedHead {
    var method: String
    var url: String
    var status: Int
    var headers: HTTPHeaders
    var versionMajor: Int
    var versionMinor: Int
    var keepAlive: Bool
    var isChunked: Bool
    /// nil when no Content-Length was sent.
    var contentLength: UInt64?
    var isUpgrade: Bool
}

/// Parses one HTTP head (request or response) with Debian's libhttp-parser, then stops: the body
/// is framed by our own code (`BodyReader`), so the bytes after the head stay with the caller.
///
/// on_headers_complete returns 2 ("no body, no further messages"), which makes
/// `http_parser_execute` return exactly the length of the head.
final class HTTPHeadParser {
    enum Kind { case request, response }

    private let parser: UnsafeMutablePointer<http_parser>
    private let settings: UnsafeMutablePointer<http_parser_settings>
    private let kind: Kind
    private let maxHeadBytes: Int
    private var fed = 0

    // Accumulated by the C callbacks (HTTPParserCallbacks.swift).
    var url: [UInt8] = []
    var field: [UInt8] = []
    var value: [UInt8] = []
    var inValue = false
    var headers: [(String, String)] = []
    private(set) var result: ParsedHead?

    init(kind: Kind, maxHeadBytes: Int) {
        self.kind = kind
        self.maxHeadBytes = maxHeadBytes
        parser = .allocate(capacity: 1)
        parser.initialize(to: http_parser())
        settings = .allocate(capacity: 1)
        settings.initialize(to: HTTPParserCallbacks.settings())
        http_parser_init(parser, kind == .request ? HTTP_REQUEST : HTTP_RESPONSE)
    }

    deinit {
        parser.deinitialize(count: 1)
        parser.deallocate()
        settings.deinitialize(count: 1)
        settings.deallocate()
    }

    var isComplete: Bool { result != nil }
    /// True once any byte was fed (an EOF before that is a clean end of connection).
    var hasStarted: Bool { fed > 0 }

    /// Feeds bytes; returns how many belong to the head. Throws on malformed input or overflow.
    func feed(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        guard result == nil, bytes.count > 0, let base = bytes.baseAddress else { return 0 }
        parser.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        let consumed = http_parser_execute(parser, settings, base.assumingMemoryBound(to: CChar.self), bytes.count)
        parser.pointee.data = nil
        fed += consumed
        let code = http_errno(rawValue: parser.pointee.http_errno)
        if code == HPE_HEADER_OVERFLOW || fed > maxHeadBytes {
            throw HTTPError.headersTooLarge(limit: maxHeadBytes)
        }
        if result == nil, code != HPE_OK || consumed < bytes.count {
            let reason = code != HPE_OK ? String(cString: http_errno_description(code)) : "parser stopped early"
            throw kind == .request ? HTTPError.malformedRequest(reason) : HTTPError.malformedResponse(reason)
        }
        return consumed
    }

    /// Called from on_header_field / on_headers_complete: stores the finished field.
    func flushHeader() {
        guard !field.isEmpty || !value.isEmpty else { return }
        headers.append((String(decoding: field, as: UTF8.self), String(decoding: value, as: UTF8.self).trimmingSpaces().description))
        field.removeAll(keepingCapacity: true)
        value.removeAll(keepingCapacity: true)
        inValue = false
    }

    /// Called from on_headers_complete, while the parser still knows the framing.
    func complete(_ p: UnsafeMutablePointer<http_parser>) {
        flushHeader()
        let flags = UInt32(p.pointee.flags)
        let hasLength = flags & F_CONTENTLENGTH.rawValue != 0
        let method =
            p.pointee.type == HTTP_REQUEST.rawValue
            ? String(cString: http_method_str(http_method(rawValue: UInt32(p.pointee.method)))) : ""
        result = ParsedHead(
            method: method,
            url: String(decoding: url, as: UTF8.self),
            status: Int(p.pointee.status_code),
            headers: HTTPHeaders(headers),
            versionMajor: Int(p.pointee.http_major),
            versionMinor: Int(p.pointee.http_minor),
            keepAlive: http_should_keep_alive(p) != 0,
            isChunked: flags & F_CHUNKED.rawValue != 0,
            contentLength: hasLength ? p.pointee.content_length : nil,
            isUpgrade: p.pointee.upgrade != 0)
    }
}
