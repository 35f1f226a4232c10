import Testing

@testable import LXDHTTP

@Suite struct WebSocketFrameTests {
    @Test(arguments: [0, 1, 125, 126, 127, 65_535, 65_536, 70_000])
    func roundTrip(length: Int) throws {
        let payload = randomBytes(length, seed: UInt64(length))
        for mask in [nil, (UInt8(1), UInt8(2), UInt8(3), UInt8(4))] as [(UInt8, UInt8, UInt8, UInt8)?] {
            let wire = WebSocketFrame.encode(opcode: .binary, payload: payload, mask: mask)
            let decoded = try wire.withUnsafeBytes { try WebSocketFrame.decode($0, requireMask: mask != nil, maxPayload: 1 << 20) }
            let (frame, used) = try #require(decoded)
            #expect(frame == WebSocketFrame(fin: true, opcode: .binary, payload: payload))
            #expect(used == wire.count)
            // Every strict prefix asks for more bytes.
            for cut in [0, 1, 2, wire.count / 2, wire.count - 1] where cut < wire.count {
                let partial = try Array(wire[0..<cut]).withUnsafeBytes {
                    try WebSocketFrame.decode($0, requireMask: mask != nil, maxPayload: 1 << 20)
                }
                #expect(partial == nil)
            }
        }
    }

    @Test func rfcExamples() throws {
        // RFC 6455 §5.7: unmasked and masked "Hello".
        let unmasked: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
        let masked: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        let a = try unmasked.withUnsafeBytes { try WebSocketFrame.decode($0, requireMask: false, maxPayload: 100) }
        let b = try masked.withUnsafeBytes { try WebSocketFrame.decode($0, requireMask: true, maxPayload: 100) }
        #expect(a?.frame.payload == Array("Hello".utf8))
        #expect(b?.frame.payload == Array("Hello".utf8))
        #expect(WebSocketFrame.encode(opcode: .text, payload: Array("Hello".utf8), mask: nil) == unmasked)
        #expect(WebSocketFrame.encode(opcode: .text, payload: Array("Hello".utf8), mask: (0x37, 0xfa, 0x21, 0x3d)) == masked)
    }

    @Test func maskingRules() {
        let masked = clientFrame(.text, [65])
        let plain = WebSocketFrame.encode(opcode: .text, payload: [65], mask: nil)
        #expect(throws: WebSocketProtocolError.self) {
            try masked.withUnsafeBytes { try WebSocketFrame.decode($0, requireMask: false, maxPayload: 10) }
        }
        #expect(throws: WebSocketProtocolError.self) {
            try plain.withUnsafeBytes { try WebSocketFrame.decode($0, requireMask: true, maxPayload: 10) }
        }
    }

    @Test(arguments: [
        [0xC1, 0x80, 0, 0, 0, 0] as [UInt8],  // RSV1
        [0x83, 0x80, 0, 0, 0, 0],  // reserved data opcode
        [0x8F, 0x80, 0, 0, 0, 0],  // reserved control opcode
        [0x09, 0x80, 0, 0, 0, 0],  // fragmented ping
        [0x89, 0xFE, 0x00, 0x7E],  // ping with 126 bytes
        [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0],  // 64-bit length with the top bit set
        [0x82, 0xFF, 0x00, 0, 0, 0, 0x10, 0, 0, 0],  // over the cap
    ])
    func invalidHeaders(bytes: [UInt8]) {
        #expect(throws: WebSocketProtocolError.self) {
            try bytes.withUnsafeBytes { try WebSocketFrame.decode($0, requireMask: true, maxPayload: 1 << 20) }
        }
    }

    @Test func assembler() throws {
        var assembler = WebSocketMessageAssembler(maxMessageSize: 10)
        #expect(try assembler.push(WebSocketFrame(fin: true, opcode: .text, payload: [])) == .message(.text("")))
        #expect(try assembler.push(WebSocketFrame(fin: false, opcode: .text, payload: Array("ab".utf8))) == .pending)
        #expect(try assembler.push(WebSocketFrame(fin: true, opcode: .ping, payload: [1])) == .ping([1]))
        #expect(try assembler.push(WebSocketFrame(fin: true, opcode: .continuation, payload: Array("c".utf8))) == .message(.text("abc")))
        #expect(throws: WebSocketProtocolError.self) { try assembler.push(WebSocketFrame(fin: true, opcode: .continuation, payload: [])) }
        var other = WebSocketMessageAssembler(maxMessageSize: 10)
        _ = try other.push(WebSocketFrame(fin: false, opcode: .binary, payload: [1]))
        #expect(throws: WebSocketProtocolError.self) { try other.push(WebSocketFrame(fin: true, opcode: .text, payload: [])) }
        var utf8 = WebSocketMessageAssembler(maxMessageSize: 10)
        #expect(throws: WebSocketProtocolError.self) { try utf8.push(WebSocketFrame(fin: true, opcode: .text, payload: [0xFF, 0xFE])) }
        var close = WebSocketMessageAssembler(maxMessageSize: 10)
        #expect(try close.push(WebSocketFrame(fin: true, opcode: .close, payload: [0x03, 0xE8])) == .close(code: 1000))
        #expect(try close.push(WebSocketFrame(fin: true, opcode: .close, payload: [])) == .close(code: nil))
    }
}
