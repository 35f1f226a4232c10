import Foundation
import Testing

@testable import LXDHTTP

@Suite struct MultipartStreamParserTests {
    struct Collected {
        var parts: [MultipartPart] = []
        var bodies: [Data] = []
    }

    /// Feeds `body` in pieces of `split` bytes and collects each part's bytes.
    func parse(_ body: [UInt8], boundary: String, split: Int) throws -> (Collected, Bool) {
        final class Box { var value = Collected() }
        let box = Box()
        let parser = MultipartStreamParser(
            boundary: boundary,
            onPart: { part in
                box.value.parts.append(part)
                box.value.bodies.append(Data())
            },
            onData: { bytes in box.value.bodies[box.value.bodies.count - 1].append(contentsOf: bytes) })
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + split)
            try body[offset..<end].withUnsafeBytes { try parser.feed($0) }
            offset = end
        }
        return (box.value, parser.isComplete)
    }

    func body(boundary: String, parts: [(String, String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, filename, data) in parts {
            out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n".utf8)
            out += Array("Content-Type: application/octet-stream\r\n\r\n".utf8)
            out += data
            out += Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }

    @Test(arguments: [1, 2, 7, 64, 4096, 1 << 20])
    func twoPartsInAnyChunking(split: Int) throws {
        let boundary = "a1b2c3d4e5"
        // The payload holds near-delimiters: CRLF, dashes and a prefix of the boundary.
        let metadata = Array("metadata\r\n--a1b2c3 not yet\r\n--".utf8) + (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        let rootfs = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let (collected, complete) = try parse(
            body(boundary: boundary, parts: [("metadata", "meta.tar.xz", metadata), ("rootfs", "root.squashfs", rootfs)]),
            boundary: boundary, split: split)
        #expect(complete)
        #expect(collected.parts.map(\.name) == ["metadata", "rootfs"])
        #expect(collected.parts.map(\.filename) == ["meta.tar.xz", "root.squashfs"])
        #expect(collected.bodies == [Data(metadata), Data(rootfs)])
    }

    @Test func boundaryFromContentType() {
        #expect(MultipartStreamParser.boundary(fromContentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartStreamParser.boundary(fromContentType: "multipart/form-data; boundary=\"q r\"") == "q r")
        #expect(MultipartStreamParser.boundary(fromContentType: "multipart/form-data") == nil)
    }

    @Test func truncatedBodyIsReported() throws {
        let full = body(boundary: "zz", parts: [("metadata", "m", Array("x".utf8))])
        let parser = MultipartStreamParser(boundary: "zz", onPart: { _ in }, onData: { _ in })
        try full.dropLast(8).withUnsafeBytes { try parser.feed($0) }
        #expect(throws: MultipartStreamParser.ParseError.truncated) { try parser.finish() }
    }

    @Test func partWithoutDispositionIsMalformed() {
        let bad = Array("--zz\r\nContent-Type: text/plain\r\n\r\nx\r\n--zz--\r\n".utf8)
        #expect(throws: MultipartStreamParser.ParseError.self) { try parse(bad, boundary: "zz", split: 5) }
    }

    /// Seeded mutations of a valid body: the parser ends in parts, completion or an error, never a crash.
    @Test(arguments: [1, 2, 3])
    func mutatedBodiesNeverCrash(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let base = body(boundary: "bnd", parts: [("metadata", "m", Array("abc".utf8)), ("rootfs", "r", Array("defgh".utf8))])
        var outcomes = Set<String>()
        for _ in 0..<700 {
            var mutated = base
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<mutated.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: mutated[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: mutated.remove(at: index)
                default: mutated.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
            }
            do {
                let (_, complete) = try parse(mutated, boundary: "bnd", split: Int.random(in: 1...9, using: &generator))
                outcomes.insert(complete ? "complete" : "incomplete")
            } catch {
                outcomes.insert("error")
            }
        }
        #expect(outcomes.contains("error") || outcomes.contains("incomplete"))
    }
}
