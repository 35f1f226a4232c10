import Foundation

/// The little of the protobuf wire format LXD's migration messages use (proto2: varints,
/// 64-bit integers, booleans, enums, strings and nested messages). Hand-written and fuzzed:
/// unknown fields are skipped, truncated input throws.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func key(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    mutating func uint(_ field: Int, _ value: UInt64) {
        key(field, 0)
        varint(value)
    }

    /// int32/int64 fields: negative values are ten-byte varints (two's complement), as protobuf does.
    mutating func int(_ field: Int, _ value: Int64) { uint(field, UInt64(bitPattern: value)) }

    mutating func bool(_ field: Int, _ value: Bool) { uint(field, value ? 1 : 0) }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ value: ProtoWriter) { bytes(field, value.bytes) }
}

struct ProtoError: Error, CustomStringConvertible {
    let description: String
}

/// Reads the fields of one message in order.
struct ProtoReader {
    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
        case fixed64(UInt64)
        case fixed32(UInt32)

        var uint: UInt64 {
            switch self {
            case .varint(let v), .fixed64(let v): return v
            case .fixed32(let v): return UInt64(v)
            case .bytes: return 0
            }
        }

        var int: Int64 { Int64(bitPattern: uint) }
        var bool: Bool { uint != 0 }

        var data: [UInt8] {
            if case .bytes(let b) = self { return b }
            return []
        }

        var string: String { String(decoding: data, as: UTF8.self) }
    }

    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < bytes.count else { throw ProtoError(description: "unexpected EOF") }
            let byte = bytes[index]
            index += 1
            guard shift < 64 else { throw ProtoError(description: "variable length integer overflow") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func take(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= bytes.count - index else { throw ProtoError(description: "unexpected EOF") }
        defer { index += count }
        return Array(bytes[index..<index + count])
    }

    /// The next field number and value; nil at the end of the message.
    mutating func next() throws -> (field: Int, value: Value)? {
        guard index < bytes.count else { return nil }
        let key = try varint()
        let field = Int(truncatingIfNeeded: key >> 3)
        guard field > 0 else { throw ProtoError(description: "invalid field number") }
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1:
            let raw = try take(8)
            return (field, .fixed64(raw.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }))
        case 2:
            let length = try varint()
            guard length <= UInt64(Int.max) else { throw ProtoError(description: "length overflow") }
            return (field, .bytes(try take(Int(length))))
        case 5:
            let raw = try take(4)
            return (field, .fixed32(raw.enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }))
        default:
            throw ProtoError(description: "unsupported wire type \(key & 7)")
        }
    }
}
