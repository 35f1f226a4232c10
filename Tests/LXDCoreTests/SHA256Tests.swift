import Foundation
import Testing

@testable import LXDCore

@Suite struct SHA256Tests {
    // FIPS 180-2 / NIST test vectors.
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        ("The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
    ]

    @Test(arguments: vectors)
    func oneShotMatchesKnownVectors(input: String, digest: String) {
        #expect(SHA256.hex(of: Data(input.utf8)) == digest)
    }

    @Test(arguments: vectors)
    func incrementalMatchesKnownVectors(input: String, digest: String) throws {
        var hasher = try SHA256()
        for byte in input.utf8 { hasher.update(Data([byte])) }
        #expect(hasher.finalizeHex() == digest)

        let classHasher = try SHA256Hasher()
        Data(input.utf8).withUnsafeBytes { classHasher.update($0) }
        #expect(classHasher.finalizeHex() == digest)
    }

    @Test func millionAs() {
        let data = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(of: data) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func spentClassHasherReturnsEmpty() throws {
        let hasher = try SHA256Hasher()
        _ = hasher.finalizeHex()
        #expect(hasher.finalizeHex() == "")
    }

    /// Larger than one 1 MiB read, and not a multiple of it.
    @Test(arguments: [0, 1, 1 << 20, (5 << 19) + 7])
    func fileHashEqualsOneShot(size: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lxd-sha-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let file = directory.appendingPathComponent("blob")
        try data.write(to: file)
        #expect(try SHA256.hex(ofFile: file.path) == SHA256.hex(of: data))
    }

    @Test func missingFileThrows() {
        #expect(throws: (any Error).self) {
            try SHA256.hex(ofFile: "/nonexistent/lxd-sha-\(UUID().uuidString)")
        }
    }
}

@Suite struct HexTests {
    @Test func encodesLowercase() {
        #expect(Hex.encode([0x00, 0x0a, 0xff, 0x7f]) == "000aff7f")
        #expect(Hex.encode([UInt8]()) == "")
    }

    @Test(arguments: [0, 1, 16, 32, 100])
    func randomHasTwoDigitsPerByte(byteCount: Int) {
        let token = Hex.random(byteCount: byteCount)
        #expect(token.count == byteCount * 2)
        #expect(token.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test func randomDefaultsToThirtyTwoBytes() {
        #expect(Hex.random().count == 64)
    }

    @Test func randomTokensDiffer() {
        let tokens = Set((0..<16).map { _ in Hex.random() })
        #expect(tokens.count == 16)
    }
}
