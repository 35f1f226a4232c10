import CShim
import Foundation

/// SHA-256 through OpenSSL (about 4x `sha256sum` here), one-shot or incremental.
public struct SHA256: ~Copyable {
    private let context: UnsafeMutableRawPointer

    public init() throws {
        guard let context = lxd_ssl_sha256_new() else {
            throw CoreError("Failed allocating a SHA-256 context")
        }
        self.context = context
    }

    deinit { lxd_ssl_sha256_free(context) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = lxd_ssl_sha256_update(context, base, bytes.count)
    }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// Consumes the context and returns the lowercase hex digest.
    public consuming func finalizeHex() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = lxd_ssl_sha256_final(context, &digest)
        discard self
        return Hex.encode(digest)
    }

    public static func hex(of data: Data) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        data.withUnsafeBytes { buffer in
            _ = lxd_ssl_sha256(buffer.baseAddress, buffer.count, &digest)
        }
        return Hex.encode(digest)
    }

    /// Hashes a file in 1 MiB reads (never loads it whole).
    public static func hex(ofFile path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CoreError("Failed opening \"\(path)\": \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var hasher = try SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw CoreError("Failed reading \"\(path)\": \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hasher.finalizeHex()
    }
}

/// Lowercase hex encoding and random hex tokens.
public enum Hex {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `byteCount` cryptographically random bytes as hex (LXD's websocket secrets are 32 bytes).
    public static func random(byteCount: Int = 32) -> String {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        if lxd_ssl_random(&bytes, byteCount) != 0 {
            for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        }
        return encode(bytes)
    }

    /// Bytes of an even-length hex text; nil for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

/// An incremental SHA-256 that escaping closures can capture (a class, unlike `SHA256`):
/// used where a streaming parser hands over the bytes. Not thread-safe.
public final class SHA256Hasher {
    private var context: UnsafeMutableRawPointer?

    public init() throws {
        guard let context = lxd_ssl_sha256_new() else { throw CoreError("Failed allocating a SHA-256 context") }
        self.context = context
    }

    deinit {
        if let context { lxd_ssl_sha256_free(context) }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let context, let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = lxd_ssl_sha256_update(context, base, bytes.count)
    }

    /// The lowercase hex digest; the hasher is spent afterwards.
    public func finalizeHex() -> String {
        guard let context else { return "" }
        self.context = nil
        var digest = [UInt8](repeating: 0, count: 32)
        _ = lxd_ssl_sha256_final(context, &digest)
        return Hex.encode(digest)
    }
}
