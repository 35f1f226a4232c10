import Foundation
import TLS
import Testing

@Suite struct X509CertificateTests {
    @Test func generatedServerCertificateLooksLikeLXDs() throws {
        let (pem, key) = try X509Certificate.generate(purpose: .server, commonName: "root@host", altNames: "DNS:host,IP:127.0.0.1,IP:::1")
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(key.hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        let certificate = try X509Certificate(pem: pem)
        #expect(certificate.commonName == "root@host")
        #expect(certificate.notAfter - certificate.notBefore == 3650 * 86400)
        #expect(certificate.fingerprint.count == 64)
        // PEM and DER round-trip to the same bytes.
        #expect(try X509Certificate(pem: certificate.pem) == certificate)
        // A context accepts the pair.
        _ = try TLSContext(role: .server, certificatePEM: pem, keyPEM: key)
    }

    @Test func fingerprintIsSHA256OfDER() throws {
        let (pem, _) = try X509Certificate.generate(purpose: .client, commonName: "c", altNames: nil)
        let certificate = try X509Certificate(pem: pem)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlxd-tls-\(UUID().uuidString).der")
        try Data(certificate.der).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(output.hasPrefix(certificate.fingerprint))
    }

    @Test(arguments: [
        "", "garbage", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\n" + String(repeating: "QUJD", count: 100) + "\n-----END CERTIFICATE-----\n",
    ])
    func malformedPEMIsRefused(_ text: String) {
        #expect(throws: TLSError.self) { try X509Certificate(pem: text) }
    }

    @Test func malformedDERIsRefused() {
        #expect(throws: TLSError.self) { try X509Certificate(der: [0x30, 0x82, 0x01]) }
        #expect(throws: TLSError.self) { try X509Certificate(der: []) }
    }

    @Test func mismatchedKeyIsRefused() throws {
        let (pem, _) = try X509Certificate.generate(purpose: .server, commonName: "a", altNames: nil)
        let (_, otherKey) = try X509Certificate.generate(purpose: .server, commonName: "b", altNames: nil)
        #expect(throws: TLSError.self) { try TLSContext(role: .server, certificatePEM: pem, keyPEM: otherKey) }
    }

    /// RFC 7914's second test vector.
    @Test func scryptMatchesRFC7914() throws {
        let key = try Scrypt.derive(password: "password", salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64)
        let hex = key.map { String(format: "%02x", $0) }.joined()
        #expect(hex.hasPrefix("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"))
    }
}
