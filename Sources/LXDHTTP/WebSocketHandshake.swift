import COpenSSL
import Foundation

/// RFC 6455 §4 key and accept values.
enum WebSocketHandshake {
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// base64(SHA-1(key + GUID)), through OpenSSL's EVP.
    static func acceptValue(for key: String) throws -> String {
        let input = Array((key.trimmingSpaces() + guid).utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = input.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha1(), nil)
        }
        guard ok == 1 else { throw HTTPError.webSocketHandshake("SHA-1 failed") }
        return Data(digest[0..<Int(length)]).base64EncodedString()
    }

    static func isValidKey(_ key: String?) -> Bool {
        guard let key, let decoded = Data(base64Encoded: String(key.trimmingSpaces())) else { return false }
        return decoded.count == 16
    }

    static func newKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
    }
}
