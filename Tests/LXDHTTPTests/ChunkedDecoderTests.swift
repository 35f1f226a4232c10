import Testing

@testable import LXDHTTP

@Suite struct ChunkedDecoderTests {
    /// Decodes `text` fed in pieces of `split` bytes; returns body, trailers and bytes used.
    private func decode(_ text: String, split: Int = Int.max) throws -> (body: String, trailers: HTTPHeaders, used: Int, done: Bool) {
        var decoder = ChunkedDecoder()
        let bytes = Array(text.utf8)
        var body: [UInt8] = []
        var offset = 0
        while offset < bytes.count, !decoder.isDone {
            let end = min(bytes.count, offset + split)
            offset += try bytes.withUnsafeBytes { all in
                try decoder.decode(UnsafeRawBufferPointer(rebasing: all[offset..<end])) { body.append(contentsOf: $0) }
            }
        }
        return (String(decoding: body, as: UTF8.self), decoder.trailers, offset, decoder.isDone)
    }

    @Test(arguments: [1, 2, 5, 64])
    func extensionsTrailersAndPieces(split: Int) throws {
        let text = "5;ext=1;quoted=\"a b\"\r\nhello\r\nA \r\n, world!!!\r\n0\r\nX-Sum: abc\r\nX-Two: 2\r\n\r\nNEXT"
        let result = try decode(text, split: split)
        #expect(result.body == "hello, world!!!")
        #expect(result.trailers["x-sum"] == "abc")
        #expect(result.trailers["X-Two"] == "2")
        #expect(result.done)
        #expect(result.used == text.utf8.count - 4)
    }

    @Test func bareLineFeeds() throws {
        let result = try decode("3\nabc\n0\n\n")
        #expect(result.body == "abc")
        #expect(result.done)
    }

    @Test func emptyBody() throws {
        let result = try decode("0\r\n\r\n")
        #expect(result.body.isEmpty)
        #expect(result.done)
    }

    @Test(arguments: [
        "zz\r\n", "\r\n", "5\r\nhelloXX", "1234567890123456\r\n", "5 x\r\n", "0\r\nbad trailer\r\n\r\n", "3\r\nabc\rX",
        "0\r\n\rX",
    ])
    func malformed(text: String) {
        #expect(throws: HTTPError.self) { _ = try decode(text) }
    }

    @Test func incompleteIsNotDone() throws {
        let result = try decode("5\r\nhel")
        #expect(!result.done)
        #expect(result.body == "hel")
    }

    @Test func encodingRoundTrip() throws {
        var wire = ChunkedEncoder.chunkHeader(300) + [UInt8](repeating: 65, count: 300) + ChunkedEncoder.crlf
        wire += ChunkedEncoder.terminator
        let result = try decode(String(decoding: wire, as: UTF8.self))
        #expect(result.body == String(repeating: "A", count: 300))
        #expect(result.done)
    }
}
