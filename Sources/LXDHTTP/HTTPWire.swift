import CHTTPParser

/// Serialises request and response heads.
enum HTTPWire {
    static func reasonPhrase(_ status: Int) -> String {
        guard status >= 0, status < 1000, let text = http_status_str(http_status(rawValue: UInt32(status))) else {
            return "Status"
        }
        let phrase = String(cString: text)
        return phrase == "<unknown>" ? "Status" : phrase
    }

    static func responseHead(status: Int, headers: HTTPHeaders) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\n"
        append(headers, to: &text)
        return Array(text.utf8)
    }

    static func requestHead(method: String, target: String, headers: HTTPHeaders) -> [UInt8] {
        var text = "\(clean(method)) \(clean(target).replacingSpaces()) HTTP/1.1\r\n"
        append(headers, to: &text)
        return Array(text.utf8)
    }

    private static func append(_ headers: HTTPHeaders, to text: inout String) {
        for (name, value) in headers {
            text += clean(name)
            text += ": "
            text += clean(value)
            text += "\r\n"
        }
        text += "\r\n"
    }

    /// Strips CR, LF and NUL so that no value can inject header lines.
    private static func clean(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else { return s }
        return String(s.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" }.map(Character.init))
    }
}

extension String {
    fileprivate func replacingSpaces() -> String {
        guard utf8.contains(UInt8(ascii: " ")) else { return self }
        return split(separator: " ", omittingEmptySubsequences: false).joined(separator: "%20")
    }
}
