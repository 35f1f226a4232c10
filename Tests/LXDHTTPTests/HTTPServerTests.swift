import Foundation
import Glibc
import Testing

@testable import LXDHTTP

/// Echoes what the server parsed, one line per fact, so tests can check the parsing.
@Sendable func describeRequest(_ connection: HTTPServerConnection) {
    do {
        let body = try connection.readBody()
        var lines = [
            "method=\(connection.head.method)", "path=\(connection.head.path)", "target=\(connection.head.target)",
        ]
        for key in connection.head.query.keys.sorted() { lines.append("query.\(key)=\(connection.head.query[key] ?? "")") }
        lines.append("host=\(connection.head.headers["host"] ?? "")")
        lines.append("body=\(String(decoding: body, as: UTF8.self))")
        for (name, value) in connection.trailers { lines.append("trailer.\(name)=\(value)") }
        try connection.send(status: 200, headers: ["Content-Type": "text/plain"], body: lines.joined(separator: "\n"))
    } catch {
        try? connection.send(status: 400, body: "\(error)")
    }
}

@Suite struct HTTPServerTests {
    @Test func getRoundTrip() throws {
        try withServer(describeRequest) { server in
            let response = try server.client.request("GET", "/1.0/instances?recursion=2&filter=a+b%26c&recursion=3")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/plain")
            let text = String(decoding: response.body, as: UTF8.self)
            #expect(text.contains("method=GET"))
            #expect(text.contains("path=/1.0/instances\n"))
            #expect(text.contains("query.recursion=3"))
            #expect(text.contains("query.filter=a b&c"))
            #expect(text.contains("host=lxd"))
        }
    }

    @Test func postWithBody() throws {
        try withServer(describeRequest) { server in
            let response = try server.client.request(
                "POST", "/1.0/profiles", headers: ["Content-Type": "application/json"], body: Data(#"{"name":"p1"}"#.utf8))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self).contains(#"body={"name":"p1"}"#))
        }
    }

    @Test func percentDecodedPath() throws {
        try withServer(describeRequest) { server in
            let response = try server.client.request("GET", "/1.0/instances/a%20b%2Fc")
            #expect(String(decoding: response.body, as: UTF8.self).contains("path=/1.0/instances/a b/c\n"))
        }
    }

    @Test func keepAliveTwoRequestsOnOneConnection() throws {
        try withServer(describeRequest) { server in
            let connection = try server.connect()
            try connection.write("GET /first HTTP/1.1\r\nHost: a\r\n\r\n")
            let first = try connection.read(until: "body=")
            #expect(first.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(first.contains("path=/first"))
            #expect(!first.lowercased().contains("connection: close"))
            // Second request on the same socket, with a body, then the server closes.
            try connection.write("POST /second HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
            let rest = try connection.readToEOF()
            #expect(rest.contains("path=/second"))
            #expect(rest.contains("body=hello"))
            #expect(rest.lowercased().contains("connection: close"))
        }
    }

    @Test func pipelinedRequests() throws {
        try withServer(describeRequest) { server in
            let connection = try server.connect()
            try connection.write(
                "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            let all = try connection.readToEOF()
            let a = try #require(all.range(of: "path=/a"))
            let b = try #require(all.range(of: "path=/b"))
            let c = try #require(all.range(of: "path=/c"))
            #expect(a.lowerBound < b.lowerBound && b.lowerBound < c.lowerBound)
            #expect(all.contains("body=hi"))
        }
    }

    @Test func http10ClosesByDefault() throws {
        try withServer(describeRequest) { server in
            let connection = try server.connect()
            try connection.write("GET /old HTTP/1.0\r\n\r\n")
            let all = try connection.readToEOF()
            #expect(all.hasPrefix("HTTP/1.1 200 OK"))
            #expect(all.contains("path=/old"))
        }
    }

    @Test(arguments: [1, 7, 100, 4096, 65_536, 200_000])
    func chunkedRequestBody(chunkSize: Int) throws {
        try withServer(describeRequest) { server in
            let payload = String(repeating: "abcdefghij", count: 30_000)
            var body = ""
            var rest = Substring(payload)
            var index = 0
            while !rest.isEmpty {
                let piece = rest.prefix(chunkSize)
                rest = rest.dropFirst(piece.count)
                // Alternate plain sizes, upper-case hex and chunk extensions.
                let size = index % 2 == 0 ? String(piece.count, radix: 16) : String(piece.count, radix: 16).uppercased()
                body += index % 3 == 0 ? "\(size);name=value;flag\r\n" : "\(size)\r\n"
                body += piece + "\r\n"
                index += 1
            }
            body += "0\r\nX-Checksum: 1234\r\nX-Other:  two \r\n\r\n"
            let connection = try server.connect()
            try connection.write(
                "PUT /1.0/instances/c1/files?path=/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body)
            let all = try connection.readToEOF()
            #expect(all.hasPrefix("HTTP/1.1 200 OK"))
            #expect(all.contains("body=\(payload)"))
            #expect(all.contains("trailer.X-Checksum=1234"))
            #expect(all.contains("trailer.X-Other=two"))
        }
    }

    @Test func expectContinue() throws {
        try withServer(describeRequest) { server in
            let connection = try server.connect()
            try connection.write("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
            let interim = try connection.read(until: "\r\n\r\n")
            #expect(interim == "HTTP/1.1 100 Continue\r\n\r\n")
            try connection.write("abc")
            #expect(try connection.readToEOF().contains("body=abc"))
        }
    }

    @Test func uploadStreamsFiveMegabytes() throws {
        let data = randomBytes(5 * 1024 * 1024 + 123, seed: 42)
        var expected = FNV1a()
        data.withUnsafeBytes { expected.update($0) }
        try withServer({ connection in
            var hash = FNV1a()
            var count = 0
            do {
                try connection.streamBody { piece in
                    hash.update(piece)
                    count += piece.count
                }
                try connection.send(status: 200, body: "\(count) \(hash.value)")
            } catch {
                try? connection.send(status: 500, body: "\(error)")
            }
        }) { server in
            let file = server.directory + "/image.tar"
            #expect(FileManager.default.createFile(atPath: file, contents: Data(data)))
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            #expect(fd >= 0)
            defer { close(fd) }
            var reports: [Int64] = []
            let response = try server.client.upload(
                "POST", "/1.0/images", headers: ["Content-Type": "application/octet-stream"], fd: fd, progress: { reports.append($0) })
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "\(data.count) \(expected.value)")
            #expect(reports.last == Int64(data.count))
            #expect(reports.count >= 5)
        }
    }

    @Test func downloadStreamsAFile() throws {
        let data = randomBytes(3 * 1024 * 1024 + 7, seed: 7)
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/export.tar"
        #expect(FileManager.default.createFile(atPath: file, contents: Data(data)))
        try withServer({ connection in
            if connection.head.path == "/missing" {
                try? connection.send(status: 404, headers: ["Content-Type": "application/json"], body: #"{"error":"not found"}"#)
                return
            }
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            defer { close(fd) }
            try? connection.sendFile(status: 200, headers: ["Content-Type": "application/octet-stream"], fd: fd)
        }) { server in
            var received: [UInt8] = []
            let (status, headers) = try server.client.download("/1.0/images/abc/export") { received.append(contentsOf: $0) }
            #expect(status == 200)
            #expect(headers["Content-Length"] == String(data.count))
            #expect(received == data)
            // Buffered request of the same file.
            let response = try server.client.request("GET", "/again")
            #expect(response.body == Data(data))
            #expect(throws: HTTPError.self) {
                _ = try server.client.download("/missing") { _ in Issue.record("error body must not be streamed") }
            }
            do {
                _ = try server.client.download("/missing") { _ in }
            } catch let HTTPError.unexpectedStatus(status, body) {
                #expect(status == 404)
                #expect(String(decoding: body, as: UTF8.self) == #"{"error":"not found"}"#)
            }
        }
    }

    @Test func chunkedResponse() throws {
        try withServer({ connection in
            try? connection.sendChunked(status: 200) { writer in
                for i in 0..<100 { try writer.write(Data("line \(i)\n".utf8)) }
            }
        }) { server in
            let response = try server.client.request("GET", "/stream")
            let text = String(decoding: response.body, as: UTF8.self)
            #expect(text.hasPrefix("line 0\n"))
            #expect(text.hasSuffix("line 99\n"))
            #expect(response.headers["Transfer-Encoding"] == "chunked")
        }
    }

    @Test(arguments: [
        "garbage\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
        "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc",
        "\u{1}\u{2}\u{3}\r\n\r\n",
    ])
    func badRequestOnGarbage(request: String) throws {
        try withServer(describeRequest) { server in
            let connection = try server.connect()
            try connection.write(request)
            let all = try connection.readToEOF()
            #expect(all.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(all.contains("Connection: close"))
        }
    }

    @Test func unsupportedVersionIs505() throws {
        try withServer(describeRequest) { server in
            let connection = try server.connect()
            try connection.write("GET / HTTP/9.9\r\n\r\n")
            #expect(try connection.readToEOF().hasPrefix("HTTP/1.1 505 HTTP Version Not Supported\r\n"))
        }
    }

    @Test func badChunkedBodyIsAnError() throws {
        try withServer(describeRequest) { server in
            let connection = try server.connect()
            try connection.write("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
            let all = try connection.readToEOF()
            #expect(all.hasPrefix("HTTP/1.1 400"))
            #expect(all.contains("invalid chunk size"))
        }
    }

    @Test func headerOverflowIs431() throws {
        try withServer(describeRequest) { server in
            let connection = try server.connect()
            let big = String(repeating: "x", count: 8000)
            var request = "GET / HTTP/1.1\r\nHost: a\r\n"
            for i in 0..<10 { request += "X-Big-\(i): \(big)\r\n" }
            request += "\r\n"
            try? connection.write(request)
            let all = try connection.readToEOF()
            #expect(all.hasPrefix("HTTP/1.1 431 "))
        }
    }

    @Test func bodyLimit() throws {
        try withServer({ connection in
            do {
                _ = try connection.readBody(limit: 10)
                try connection.send(status: 200, body: "ok")
            } catch HTTPError.bodyTooLarge {
                try? connection.send(status: 413, body: "too large")
            } catch {
                try? connection.send(status: 500, body: "\(error)")
            }
        }) { server in
            let small = try server.client.request("POST", "/", body: Data("0123456789".utf8))
            #expect(small.status == 200)
            let large = try server.client.request("POST", "/", body: Data(repeating: 65, count: 11))
            #expect(large.status == 413)
            // Chunked: the limit applies to the decoded size.
            let connection = try server.connect()
            try connection.write("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n")
            let all = try connection.readToEOF()
            #expect(all.hasPrefix("HTTP/1.1 413"))
        }
    }

    @Test func handlerWithoutResponseGets500() throws {
        try withServer({ _ in }) { server in
            let response = try server.client.request("GET", "/")
            #expect(response.status == 500)
            #expect(String(decoding: response.body, as: UTF8.self).contains(#""error_code":500"#))
        }
    }

    @Test func unreadBodyIsDrainedForKeepAlive() throws {
        try withServer({ connection in
            try? connection.send(status: 200, body: connection.head.path)
        }) { server in
            let connection = try server.connect()
            try connection.write(
                "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789GET /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
            )
            let all = try connection.readToEOF()
            #expect(all.contains("/one"))
            #expect(all.contains("/two"))
        }
    }

    @Test func doubleSendThrows() throws {
        try withServer({ connection in
            try? connection.send(status: 200, body: "first")
            #expect(throws: HTTPError.self) { try connection.send(status: 200, body: "second") }
        }) { server in
            let response = try server.client.request("GET", "/")
            #expect(String(decoding: response.body, as: UTF8.self) == "first")
        }
    }

    @Test func peerCredentials() throws {
        try withServer({ connection in
            let peer = connection.peer
            try? connection.send(status: 200, body: "\(peer?.pid ?? -1) \(peer?.uid ?? 0) \(peer?.gid ?? 0)")
        }) { server in
            let response = try server.client.request("GET", "/")
            #expect(String(decoding: response.body, as: UTF8.self) == "\(getpid()) \(getuid()) \(getgid())")
        }
    }

    @Test func socketModeAndStaleFile() throws {
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/unix.socket"
        // A stale socket file (nobody listening) is replaced.
        let stale = try UnixSocket.listen(path: path, backlog: 1)
        close(stale)
        let server = try HTTPServer(unixSocketPath: path, mode: 0o600, handler: describeRequest)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        server.start()
        // A live one is refused.
        #expect(throws: HTTPError.self) { _ = try HTTPServer(unixSocketPath: path, handler: describeRequest) }
        #expect(try HTTPClient(unixSocketPath: path).request("GET", "/").status == 200)
        server.stop()
        server.stop()
        #expect(access(path, F_OK) != 0)
    }

    @Test func connectErrorKeepsErrnoText() throws {
        let client = HTTPClient(unixSocketPath: "/nonexistent-lxdhttp/unix.socket")
        do {
            _ = try client.request("GET", "/1.0")
            Issue.record("connect must fail")
        } catch {
            #expect("\(error)" == "dial unix /nonexistent-lxdhttp/unix.socket: connect: no such file or directory")
        }
    }

    @Test func headResponseHasNoBody() throws {
        try withServer({ connection in
            try? connection.send(status: 200, body: "twelve bytes")
        }) { server in
            let response = try server.client.request("HEAD", "/")
            #expect(response.status == 200)
            #expect(response.headers["Content-Length"] == "12")
            #expect(response.body.isEmpty)
        }
    }
}
