import LXDCore
import Testing

@Suite struct ByteSizeParseTests {
    @Test(arguments: [
        ("0", Int64(0)), ("1024", Int64(1024)), ("3GiB", Int64(3) << 30), ("500MB", Int64(500_000_000)), ("1.5KiB", Int64(1536)),
        ("10 MiB", Int64(10) << 20), ("7B", Int64(7)), ("2kB", Int64(2000)), ("1EiB", Int64(1) << 60),
    ])
    func parses(_ text: String, _ bytes: Int64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "lots", "-1", "-5GiB", "5XB", "GiB", "1e400GB", "16EiB", "nanGB", "infMB"])
    func refuses(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    /// Random text never crashes the parser, and what it accepts is never negative.
    @Test func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.-+ eEkKMGTPiBbn")
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...10, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "0" })
            if let bytes = ByteSize.parse(text) { #expect(bytes >= 0, "\(text)") }
        }
    }
}
