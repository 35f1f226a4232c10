/// The head of one HTTP request, as parsed by the server.
public struct HTTPRequestHead: Sendable {
    /// "GET", "POST", …
    public var method: String
    /// The raw request target, e.g. "/1.0/instances?recursion=2".
    public var target: String
    /// The percent-decoded path without query, e.g. "/1.0/instances".
    public var path: String
    /// The path as sent (still percent-encoded), for routers that split before decoding.
    public var rawPath: String
    /// The percent-decoded query ("+" is a space); the last value of a repeated key wins.
    public var query: [String: String]
    public var headers: HTTPHeaders
    /// HTTP/1.1 defaults to true unless `Connection: close`; HTTP/1.0 needs `Connection: keep-alive`.
    public var keepAlive: Bool
    public var version: (major: Int, minor: Int)

    public init(
        method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), keepAlive: Bool = true,
        version: (major: Int, minor: Int) = (1, 1)
    ) throws {
        self.method = method
        self.target = target
        self.headers = headers
        self.keepAlive = keepAlive
        self.version = version
        let parts = try Self.split(target: target)
        rawPath = String(parts.path)
        guard let decoded = URLCoding.percentDecode(parts.path, plusIsSpace: false) else {
            throw HTTPError.malformedRequest("invalid escape in path \(parts.path)")
        }
        path = decoded
        query = URLCoding.parseQuery(parts.query)
    }

    /// Splits an origin-form ("/a?b") or absolute-form ("http://host/a?b") target.
    private static func split(target: String) throws -> (path: Substring, query: Substring) {
        var rest = Substring(target)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if !rest.hasPrefix("/") {
            if rest == "*" { return ("*", "") }
            guard let scheme = rest.range(of: "://") else {
                throw HTTPError.malformedRequest("invalid request target \(target)")
            }
            rest = rest[scheme.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return ("/", "") }
            rest = rest[slash...]
        }
        guard let mark = rest.firstIndex(of: "?") else { return (rest, "") }
        return (rest[..<mark], rest[rest.index(after: mark)...])
    }
}

/// Percent-encoding as Go's net/url does it.
public enum URLCoding {
    /// Decodes %XX escapes (and "+" when `plusIsSpace`); nil on a malformed escape.
    public static func percentDecode(_ text: some StringProtocol, plusIsSpace: Bool) -> String? {
        let utf8 = Array(text.utf8)
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let c = utf8[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < utf8.count, let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2]) else { return nil }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(plusIsSpace && c == UInt8(ascii: "+") ? UInt8(ascii: " ") : c)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses "a=1&b=x+y"; pairs with bad escapes are dropped, like Go's `URL.Query()`.
    public static func parseQuery(_ query: some StringProtocol) -> [String: String] {
        var result: [String: String] = [:]
        for pair in Substring(query).split(separator: "&", omittingEmptySubsequences: true) {
            let key: Substring
            let value: Substring
            if let equals = pair.firstIndex(of: "=") {
                key = pair[..<equals]
                value = pair[pair.index(after: equals)...]
            } else {
                key = pair
                value = ""
            }
            guard let k = percentDecode(key, plusIsSpace: true), let v = percentDecode(value, plusIsSpace: true) else {
                continue
            }
            result[k] = v
        }
        return result
    }

    /// Encodes everything but RFC 3986 unreserved characters and, when `keepSlash`, "/".
    public static func percentEncode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
            }
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// SO_PEERCRED of a unix-socket peer.
public struct PeerCredentials: Sendable, Equatable {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}
