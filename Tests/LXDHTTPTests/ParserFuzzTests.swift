import Foundation
import Testing

@testable import LXDHTTP

/// Seeded mutation fuzzing of the request reader (http_parser head + our body framing) and of the
/// websocket frame decoder. Every input must end in requests, a clean end or an error: never a
/// crash, never a hang, and the same outcome however the bytes are split into reads.
@Suite(.timeLimit(.minutes(1))) struct ParserFuzzTests {
    static let requestCorpus: [String] = [
        "GET /1.0 HTTP/1.1\r\nHost: unix.socket\r\nUser-Agent: LXD 5.0.2\r\nConnection: close\r\n\r\n",
        "POST /1.0/profiles HTTP/1.1\r\nHost: lxd\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"name\":\"p\"}\n",
        "POST /1.0/images HTTP/1.1\r\nHost: lxd\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n3\r\nefg\r\n0\r\nX-T: 1\r\n\r\n",
        "GET /a?x=%41+b HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nPUT /c HTTP/1.1\r\nContent-Length: 2\r\n\r\nok",
        handshake,
        "GET / HTTP/1.0\r\n\r\n",
    ]

    enum Outcome: Equatable {
        case request(method: String, url: String, body: [UInt8])
        case end
        case reject(Int)
        case bodyError
    }

    /// What the server's connection loop would make of `bytes`, read in pieces of `readSize`.
    static func drive(_ bytes: [UInt8], readSize: Int) -> [Outcome] {
        let stream = MemoryStream(bytes, readSize: readSize)
        var input = InputBuffer()
        var outcomes: [Outcome] = []
        for _ in 0..<64 {
            switch RequestHeadReader.read(stream: stream, input: &input, maxHeadBytes: 4096, idleTimeoutMilliseconds: 0) {
            case .closed:
                outcomes.append(.end)
                return outcomes
            case .reject(let status):
                outcomes.append(.reject(status))
                return outcomes
            case .head(let parsed):
                guard (try? HTTPRequestHead(method: parsed.method, target: parsed.url, headers: parsed.headers)) != nil else {
                    outcomes.append(.reject(400))
                    return outcomes
                }
                var body = BodyReader(framing: BodyFraming.request(parsed))
                guard let bytes = try? body.collect(buffer: &input, stream: stream, limit: 1 << 16) else {
                    outcomes.append(.bodyError)
                    return outcomes
                }
                outcomes.append(.request(method: parsed.method, url: parsed.url, body: bytes))
            }
        }
        return outcomes
    }

    static func mutate(_ input: [UInt8], corpus: [[UInt8]], rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let interesting: [[UInt8]] = [
            Array("\r\n".utf8), Array("\r\n\r\n".utf8), Array(":".utf8), Array(" ".utf8), Array("0".utf8), Array("ffffffffffffffff".utf8),
            Array("Content-Length: 99999999999999999999\r\n".utf8), Array("Transfer-Encoding: chunked\r\n".utf8), [0], [0xFF], [0x80],
        ]
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1:
                bytes.insert(UInt8.random(in: 0...255, using: &rng), at: position)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &rng))
                bytes.removeSubrange(position..<end)
            case 3:
                bytes.insert(contentsOf: interesting[Int.random(in: 0..<interesting.count, using: &rng)], at: position)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &rng))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 5:
                bytes = Array(bytes.prefix(position))
            default:
                let other = corpus[Int.random(in: 0..<corpus.count, using: &rng)]
                bytes.insert(contentsOf: other.prefix(Int.random(in: 0...other.count, using: &rng)), at: position)
            }
        }
        return bytes
    }

    @Test func corpusParses() {
        for text in Self.requestCorpus {
            let outcomes = Self.drive(Array(text.utf8), readSize: 4096)
            #expect(outcomes.last == .end, "\(text)")
            #expect(outcomes.count >= 2)
        }
    }

    @Test(arguments: [1, 2, 3])
    func mutatedRequests(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let corpus = Self.requestCorpus.map { Array($0.utf8) }
        var requests = 0
        var rejects = 0
        defer {
            // The mutations must reach both outcomes, or the fuzzing proves nothing.
            #expect(requests > 100)
            #expect(rejects > 100)
        }
        for iteration in 0..<700 {
            let base = corpus[iteration % corpus.count]
            let input =
                iteration % 10 == 9
                ? randomBytes(Int.random(in: 0...300, using: &rng), seed: rng.next()) : Self.mutate(base, corpus: corpus, rng: &rng)
            let whole = Self.drive(input, readSize: 4096)
            let pieces = Self.drive(input, readSize: Int.random(in: 1...17, using: &rng))
            #expect(whole == pieces, "seed \(seed) iteration \(iteration): \(Array(input))")
            #expect(!whole.isEmpty)
            requests += whole.filter { if case .request = $0 { true } else { false } }.count
            rejects += whole.filter { $0 == .reject(400) || $0 == .bodyError }.count
            if case .request = whole.last {
                #expect(whole.count == 64)  // only the request cap stops without an end or error
            }
        }
    }

    @Test(arguments: [11, 12])
    func mutatedChunkedBodies(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let corpus = [
            Array("5\r\nhello\r\n0\r\n\r\n".utf8), Array("a;ext\r\n0123456789\r\n1\r\nx\r\n0\r\nT: v\r\n\r\n".utf8),
            Array("0\r\n\r\n".utf8),
        ]
        for iteration in 0..<1000 {
            let input = Self.mutate(corpus[iteration % corpus.count], corpus: corpus, rng: &rng)
            let whole = Self.decodeChunked(input, split: input.count + 1)
            let pieces = Self.decodeChunked(input, split: Int.random(in: 1...5, using: &rng))
            #expect(whole == pieces, "seed \(seed) iteration \(iteration): \(Array(input))")
        }
    }

    static func decodeChunked(_ bytes: [UInt8], split: Int) -> String {
        var decoder = ChunkedDecoder()
        var body: [UInt8] = []
        var offset = 0
        do {
            while offset < bytes.count, !decoder.isDone {
                let end = min(bytes.count, offset + split)
                let used = try bytes.withUnsafeBytes { all in
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: all[offset..<end])) { body.append(contentsOf: $0) }
                }
                #expect(used > 0 || decoder.isDone)
                offset += used
            }
        } catch {
            return "error \(body.count)"
        }
        return "\(decoder.isDone) \(offset) \(body) \(decoder.trailers)"
    }

    @Test(arguments: [21, 22, 23])
    func mutatedWebSocketStreams(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let frames: [[UInt8]] = [
            clientFrame(.text, Array("hello".utf8)),
            clientFrame(.text, []),
            clientFrame(.binary, randomBytes(300, seed: 1)),
            clientFrame(.ping, Array("keepalive".utf8)),
            clientFrame(.text, Array("frag".utf8), fin: false) + clientFrame(.continuation, Array("ment".utf8)),
            clientFrame(.close, [0x03, 0xE8]),
        ]
        var messages = 0
        var errors = 0
        defer {
            #expect(messages > 100)
            #expect(errors > 100)
        }
        for iteration in 0..<700 {
            var stream: [UInt8] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) { stream += frames[Int.random(in: 0..<frames.count, using: &rng)] }
            let input =
                iteration % 10 == 9
                ? randomBytes(Int.random(in: 0...200, using: &rng), seed: rng.next()) : Self.mutate(stream, corpus: frames, rng: &rng)
            let whole = try Self.receiveAll(input, readSize: 4096)
            let pieces = try Self.receiveAll(input, readSize: Int.random(in: 1...9, using: &rng))
            #expect(whole == pieces, "seed \(seed) iteration \(iteration): \(Array(input))")
            messages += whole.filter { $0 != "end" && $0 != "error" }.count
            errors += whole.filter { $0 == "error" }.count
        }
    }

    /// Messages a server-side WebSocket receives from `bytes`, then "end" or "error".
    static func receiveAll(_ bytes: [UInt8], readSize: Int) throws -> [String] {
        let socket = WebSocket(stream: MemoryStream(bytes, readSize: readSize), role: .server, maxMessageSize: 1 << 16)
        var out: [String] = []
        for _ in 0..<(bytes.count + 2) {
            do {
                guard let message = try socket.receive() else {
                    out.append("end")
                    return out
                }
                out.append("\(message)")
            } catch {
                out.append("error")
                return out
            }
        }
        Issue.record("receive did not make progress")
        return out
    }
}
