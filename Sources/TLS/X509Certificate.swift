import CShim
import Glibc

/// An X.509 certificate: its DER bytes and the facts LXD uses (fingerprint, common name, validity).
public struct X509Certificate: Sendable, Equatable {
    public let der: [UInt8]
    public let commonName: String
    /// Validity as Unix times.
    public let notBefore: Int64
    public let notAfter: Int64

    /// Parses DER; throws on anything that is not a certificate.
    public init(der: [UInt8]) throws {
        var name: UnsafeMutablePointer<CChar>?
        var notBefore: Int64 = 0
        var notAfter: Int64 = 0
        let rc = der.withUnsafeBufferPointer {
            lxd_ssl_certificate_info($0.baseAddress, Int32(clamping: $0.count), &name, &notBefore, &notAfter)
        }
        guard rc == 0 else { throw TLSError.invalidCertificate("Invalid certificate") }
        defer { free(name) }
        self.der = der
        commonName = name.map { String(cString: $0) } ?? ""
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// Parses the first `CERTIFICATE` block of a PEM text.
    public init(pem: String) throws {
        var buffer: UnsafeMutablePointer<UInt8>?
        let length = lxd_ssl_pem_to_der(pem, &buffer)
        guard length > 0, let buffer else { throw TLSError.invalidCertificate("Invalid certificate") }
        defer { lxd_ssl_free_buffer(buffer) }
        try self.init(der: Array(UnsafeBufferPointer(start: buffer, count: Int(length))))
    }

    /// The PEM text (`-----BEGIN CERTIFICATE-----`).
    public var pem: String {
        guard let text = der.withUnsafeBufferPointer({ lxd_ssl_der_to_pem($0.baseAddress, Int32(clamping: $0.count)) }) else { return "" }
        defer { free(text) }
        return String(cString: text)
    }

    /// LXD's fingerprint: the SHA-256 of the DER bytes, lower-case hex.
    public var fingerprint: String {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = der.withUnsafeBytes { raw in
            digest.withUnsafeMutableBufferPointer { lxd_ssl_sha256(raw.baseAddress, raw.count, $0.baseAddress) }
        }
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// What a self-signed certificate is for (the extended key usage LXD gives it).
    public enum Purpose: Sendable {
        case server
        case client
    }

    /// A new self-signed ECDSA P-384 certificate and its key as LXD makes them: O=linuxcontainers.org,
    /// CN `commonName`, valid ten years, `altNames` in OpenSSL's syntax ("DNS:host,IP:127.0.0.1").
    public static func generate(purpose: Purpose, commonName: String, altNames: String?) throws -> (certificatePEM: String, keyPEM: String)
    {
        var certificate: UnsafeMutablePointer<CChar>?
        var key: UnsafeMutablePointer<CChar>?
        let rc = lxd_ssl_generate_certificate(purpose == .client ? 1 : 0, commonName, altNames, 3650, &certificate, &key)
        defer {
            free(certificate)
            free(key)
        }
        guard rc == 0, let certificate, let key else {
            throw TLSError.library("Failed generating a certificate: \(TLSError.lastError())")
        }
        return (String(cString: certificate), String(cString: key))
    }

    /// The host's name, as LXD puts it in certificates ("UNKNOWN" when it has none).
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "UNKNOWN" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "UNKNOWN" : name
    }

    /// LXD's common name for the certificates it makes: "user@host".
    public static var defaultCommonName: String {
        var user = "UNKNOWN"
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { user = String(cString: name) }
        return "\(user)@\(hostName)"
    }
}
