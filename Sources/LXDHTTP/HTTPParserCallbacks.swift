import CHTTPParser

/// The C callbacks of http_parser, kept apart from any `main.swift` (a callback defined there is
/// main-actor isolated). Each one finds its `HTTPHeadParser` through `parser.data`.
enum HTTPParserCallbacks {
    static func settings() -> http_parser_settings {
        var s = http_parser_settings()
        s.on_url = { p, at, length in
            guard let parser = owner(p), let at else { return 1 }
            parser.url.append(contentsOf: UnsafeRawBufferPointer(start: at, count: length))
            return 0
        }
        s.on_header_field = { p, at, length in
            guard let parser = owner(p), let at else { return 1 }
            if parser.inValue { parser.flushHeader() }
            parser.field.append(contentsOf: UnsafeRawBufferPointer(start: at, count: length))
            return 0
        }
        s.on_header_value = { p, at, length in
            guard let parser = owner(p), let at else { return 1 }
            parser.inValue = true
            parser.value.append(contentsOf: UnsafeRawBufferPointer(start: at, count: length))
            return 0
        }
        s.on_headers_complete = { p in
            guard let p, let parser = owner(p) else { return -1 }
            parser.complete(p)
            return 2  // stop after the head: bodies are framed by BodyReader
        }
        return s
    }
}

private func owner(_ p: UnsafeMutablePointer<http_parser>?) -> HTTPHeadParser? {
    guard let data = p?.pointee.data else { return nil }
    return Unmanaged<HTTPHeadParser>.fromOpaque(data).takeUnretainedValue()
}
