import CShim

/// Failures of the TLS layer, with OpenSSL's own text where it has one.
public enum TLSError: Error, CustomStringConvertible, Sendable {
    case library(String)
    case handshake(String)
    case invalidCertificate(String)

    public var description: String {
        switch self {
        case .library(let message): return message
        case .handshake(let message): return "TLS handshake failed: \(message)"
        case .invalidCertificate(let message): return message
        }
    }

    /// OpenSSL's last error, consumed.
    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        lxd_ssl_error_string(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
