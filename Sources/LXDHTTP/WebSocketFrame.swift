import Foundation

/// A protocol violation by the peer, with the close code to answer (RFC 6455 §7.4.1).
struct WebSocketProtocolError: Error {
    var code: UInt16
    var reason: String

    static let protocolError: UInt16 = 1002
    static let invalidData: UInt16 = 1007
    static let tooBig: UInt16 = 1009
}

/// One RFC 6455 frame, payload unmasked.
struct WebSocketFrame: Equatable {
    enum Opcode: UInt8 {
        case continuation = 0x0
        case text = 0x1
        case binary = 0x2
        case close = 0x8
        case ping = 0x9
        case pong = 0xA

        var isControl: Bool { rawValue & 0x8 != 0 }
    }

    var fin: Bool
    var opcode: Opcode
    var payload: [UInt8]

    /// Decodes one frame from the start of `bytes`: nil when more bytes are needed, else the
    /// frame and the bytes it used. `requireMask` is true on the server (client frames must be
    /// masked) and false on the client (server frames must not be). Never allocates more than
    /// `maxPayload` for a declared length.
    static func decode(_ bytes: UnsafeRawBufferPointer, requireMask: Bool, maxPayload: Int) throws(WebSocketProtocolError)
        -> (frame: WebSocketFrame, length: Int)?
    {
        guard bytes.count >= 2 else { return nil }
        let b0 = bytes[0]
        let b1 = bytes[1]
        guard b0 & 0x70 == 0 else { throw WebSocketProtocolError(code: WebSocketProtocolError.protocolError, reason: "reserved bits set") }
        guard let opcode = Opcode(rawValue: b0 & 0x0F) else {
            throw WebSocketProtocolError(code: WebSocketProtocolError.protocolError, reason: "unknown opcode \(b0 & 0x0F)")
        }
        let fin = b0 & 0x80 != 0
        let masked = b1 & 0x80 != 0
        guard masked == requireMask else {
            throw WebSocketProtocolError(
                code: WebSocketProtocolError.protocolError, reason: requireMask ? "unmasked client frame" : "masked server frame")
        }
        var length = UInt64(b1 & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = 0
            for i in 2..<10 { length = length << 8 | UInt64(bytes[i]) }
            guard length >> 63 == 0 else {
                throw WebSocketProtocolError(code: WebSocketProtocolError.protocolError, reason: "invalid frame length")
            }
            offset = 10
        }
        if opcode.isControl {
            guard fin else { throw WebSocketProtocolError(code: WebSocketProtocolError.protocolError, reason: "fragmented control frame") }
            guard length <= 125 else {
                throw WebSocketProtocolError(code: WebSocketProtocolError.protocolError, reason: "control frame too long")
            }
        }
        guard length <= UInt64(maxPayload) else {
            throw WebSocketProtocolError(code: WebSocketProtocolError.tooBig, reason: "message too big")
        }
        var mask: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        if masked {
            guard bytes.count >= offset + 4 else { return nil }
            mask = (bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3])
            offset += 4
        }
        let count = Int(length)
        guard bytes.count - offset >= count else { return nil }
        var payload = Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
        if masked { applyMask(mask, to: &payload) }
        return (WebSocketFrame(fin: fin, opcode: opcode, payload: payload), offset + count)
    }

    /// The frame header; with `mask`, the caller must mask the payload with the same key.
    static func header(opcode: Opcode, fin: Bool = true, length: Int, mask: (UInt8, UInt8, UInt8, UInt8)?) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode.rawValue]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        if length < 126 {
            out.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(length >> 8))
            out.append(UInt8(length & 0xFF))
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(length) >> UInt64(shift)) & 0xFF)) }
        }
        if let mask { out.append(contentsOf: [mask.0, mask.1, mask.2, mask.3]) }
        return out
    }

    /// A whole frame, header and (masked when `mask` is given) payload.
    static func encode(
        opcode: Opcode, fin: Bool = true, payload: UnsafeRawBufferPointer, mask: (UInt8, UInt8, UInt8, UInt8)?
    ) -> [UInt8] {
        var out = header(opcode: opcode, fin: fin, length: payload.count, mask: mask)
        let start = out.count
        out.append(contentsOf: payload)
        if let mask {
            out.withUnsafeMutableBufferPointer { all in
                applyMask(mask, to: UnsafeMutableBufferPointer(rebasing: all[start...]))
            }
        }
        return out
    }

    static func encode(opcode: Opcode, fin: Bool = true, payload: [UInt8], mask: (UInt8, UInt8, UInt8, UInt8)?) -> [UInt8] {
        payload.withUnsafeBytes { encode(opcode: opcode, fin: fin, payload: $0, mask: mask) }
    }

    static func applyMask(_ mask: (UInt8, UInt8, UInt8, UInt8), to bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBufferPointer { applyMask(mask, to: $0) }
    }

    static func applyMask(_ mask: (UInt8, UInt8, UInt8, UInt8), to bytes: UnsafeMutableBufferPointer<UInt8>) {
        let key = [mask.0, mask.1, mask.2, mask.3]
        for i in bytes.indices { bytes[i] ^= key[i & 3] }
    }
}

/// Reassembles frames into messages and tells the socket what to do with control frames.
struct WebSocketMessageAssembler {
    enum Event: Equatable {
        case message(WebSocketMessage)
        case ping([UInt8])
        case pong
        case close(code: UInt16?)
        /// A fragment was stored; no message yet.
        case pending
    }

    let maxMessageSize: Int
    private var fragmentOpcode: WebSocketFrame.Opcode?
    private var fragments: [UInt8] = []

    init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    mutating func push(_ frame: WebSocketFrame) throws(WebSocketProtocolError) -> Event {
        switch frame.opcode {
        case .ping:
            return .ping(frame.payload)
        case .pong:
            return .pong
        case .close:
            guard frame.payload.count != 1 else {
                throw WebSocketProtocolError(code: WebSocketProtocolError.protocolError, reason: "invalid close frame")
            }
            let code = frame.payload.count >= 2 ? UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]) : nil
            return .close(code: code)
        case .text, .binary:
            guard fragmentOpcode == nil else {
                throw WebSocketProtocolError(code: WebSocketProtocolError.protocolError, reason: "data frame inside a fragmented message")
            }
            if frame.fin { return .message(try Self.message(frame.opcode, frame.payload)) }
            fragmentOpcode = frame.opcode
            fragments = frame.payload
            return .pending
        case .continuation:
            guard let opcode = fragmentOpcode else {
                throw WebSocketProtocolError(code: WebSocketProtocolError.protocolError, reason: "continuation frame without a message")
            }
            guard fragments.count + frame.payload.count <= maxMessageSize else {
                throw WebSocketProtocolError(code: WebSocketProtocolError.tooBig, reason: "message too big")
            }
            fragments.append(contentsOf: frame.payload)
            guard frame.fin else { return .pending }
            let payload = fragments
            fragments = []
            fragmentOpcode = nil
            return .message(try Self.message(opcode, payload))
        }
    }

    private static func message(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8]) throws(WebSocketProtocolError) -> WebSocketMessage {
        if opcode == .binary { return .binary(Data(payload)) }
        guard let text = String(validating: payload, as: UTF8.self) else {
            throw WebSocketProtocolError(code: WebSocketProtocolError.invalidData, reason: "invalid UTF-8 in text frame")
        }
        return .text(text)
    }
}
