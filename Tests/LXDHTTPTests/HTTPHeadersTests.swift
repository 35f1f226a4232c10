import Testing

@testable import LXDHTTP

@Suite struct HTTPHeadersTests {
    @Test func caseInsensitiveFirstMatch() {
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("X-A", "1"), ("x-a", "2")])
        #expect(headers["content-type"] == "application/json")
        #expect(headers["X-A"] == "1")
        #expect(headers.values("X-a") == ["1", "2"])
        headers.add("X-A", "3")
        #expect(headers.values("x-A") == ["1", "2", "3"])
    }

    @Test func setReplacesAllInPlace() {
        var headers = HTTPHeaders([("A", "1"), ("B", "x"), ("b", "y"), ("C", "3")])
        headers["B"] = "z"
        #expect(headers.map(\.name) == ["A", "B", "C"])
        #expect(headers["b"] == "z")
        headers["b"] = nil
        #expect(headers.map(\.name) == ["A", "C"])
        headers["D"] = "4"
        #expect(headers.map(\.name) == ["A", "C", "D"])
    }

    @Test func tokens() {
        let headers = HTTPHeaders([("Connection", "keep-alive, Upgrade"), ("Upgrade", "WebSocket")])
        #expect(headers.hasToken("upgrade", in: "connection"))
        #expect(headers.hasToken("websocket", in: "Upgrade"))
        #expect(!headers.hasToken("close", in: "Connection"))
    }

    @Test func serialisationStripsLineBreaks() {
        let head = HTTPWire.responseHead(status: 200, headers: ["X-Evil": "a\r\nSet-Cookie: b"])
        let text = String(decoding: head, as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nX-Evil: aSet-Cookie: b\r\n\r\n")
        #expect(HTTPWire.reasonPhrase(431) == "Request Header Fields Too Large")
        #expect(HTTPWire.reasonPhrase(799) == "Status")
    }
}

@Suite struct HTTPRequestHeadTests {
    @Test(arguments: [
        ("/1.0/instances?recursion=2", "/1.0/instances", ["recursion": "2"]),
        ("/1.0/instances/a%20b?project=p%2Bq+r", "/1.0/instances/a b", ["project": "p+q r"]),
        ("/x?a=1&a=2&b&=c&d=%zz&e=5", "/x", ["a": "2", "b": "", "": "c", "e": "5"]),
        ("http://lxd/1.0?x=y#frag", "/1.0", ["x": "y"]),
        ("/1.0/images/aliases/a+b", "/1.0/images/aliases/a+b", [:]),
    ])
    func targets(target: String, path: String, query: [String: String]) throws {
        let head = try HTTPRequestHead(method: "GET", target: target)
        #expect(head.path == path)
        #expect(head.query == query)
        #expect(head.target == target)
    }

    @Test func badEscapeInPathThrows() {
        #expect(throws: HTTPError.self) { try HTTPRequestHead(method: "GET", target: "/a%2") }
        #expect(throws: HTTPError.self) { try HTTPRequestHead(method: "GET", target: "nonsense") }
    }

    @Test func encoding() {
        #expect(URLCoding.percentEncode("a b/c?d") == "a%20b%2Fc%3Fd")
        #expect(URLCoding.percentEncode("/1.0/a b", keepSlash: true) == "/1.0/a%20b")
    }
}

@Suite struct HTTPHeadParserTests {
    private func parse(_ text: String, kind: HTTPHeadParser.Kind = .request, split: Int = Int.max) throws -> (ParsedHead?, Int) {
        let parser = HTTPHeadParser(kind: kind, maxHeadBytes: 64 << 10)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count, parser.result == nil {
            let end = min(bytes.count, offset + split)
            offset += try bytes.withUnsafeBytes { try parser.feed(UnsafeRawBufferPointer(rebasing: $0[offset..<end])) }
        }
        return (parser.result, offset)
    }

    @Test(arguments: [1, 2, 3, 7, 1000])
    func requestFedInPieces(split: Int) throws {
        let text = "POST /1.0/images HTTP/1.1\r\nHost: lxd\r\nX-Empty:\r\nX-Spaced:   v  \r\nTransfer-Encoding: chunked\r\n\r\nBODY"
        let (head, used) = try parse(text, split: split)
        let parsed = try #require(head)
        #expect(parsed.method == "POST")
        #expect(parsed.url == "/1.0/images")
        #expect(parsed.headers.map(\.name) == ["Host", "X-Empty", "X-Spaced", "Transfer-Encoding"])
        #expect(parsed.headers["x-empty"] == "")
        #expect(parsed.headers["x-spaced"] == "v")
        #expect(parsed.isChunked)
        #expect(parsed.keepAlive)
        #expect(used == text.utf8.count - 4)
    }

    @Test func responseFraming() throws {
        let (chunked, _) = try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", kind: .response)
        #expect(try #require(chunked).isChunked)
        let (length, _) = try parse("HTTP/1.1 404 Not Found\r\nContent-Length: 12\r\n\r\n", kind: .response)
        #expect(try #require(length).contentLength == 12)
        #expect(try #require(length).status == 404)
        let (eof, _) = try parse("HTTP/1.0 200 OK\r\n\r\n", kind: .response)
        #expect(BodyFraming.response(try #require(eof), method: "GET") == .untilEOF)
        #expect(BodyFraming.response(try #require(length), method: "HEAD") == BodyFraming.none)
    }

    @Test func connectionClose() throws {
        let (head, _) = try parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(try #require(head).keepAlive == false)
        let (old, _) = try parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try #require(old).keepAlive == true)
    }

    @Test func overflow() throws {
        let parser = HTTPHeadParser(kind: .request, maxHeadBytes: 1000)
        let text = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 2000) + "\r\n\r\n"
        #expect(throws: HTTPError.self) { try Array(text.utf8).withUnsafeBytes { try parser.feed($0) } }
    }
}
