import Foundation
import LXDCore
import TLS

/// The daemon's TLS identity: `server.crt` / `server.key` in `$LXD_DIR`, made on first start as LXD
/// makes them (ECDSA P-384, self-signed, CN root@hostname, SANs hostname, 127.0.0.1 and ::1).
struct ServerCertificate: Sendable {
    let certificatePEM: String
    let keyPEM: String
    let certificate: X509Certificate

    var fingerprint: String { certificate.fingerprint }

    static func loadOrCreate(paths: DaemonPaths) throws -> ServerCertificate {
        let certificateFile = paths.root + "/server.crt"
        let keyFile = paths.root + "/server.key"
        let fileManager = FileManager.default
        if !fileManager.fileExists(atPath: certificateFile) || !fileManager.fileExists(atPath: keyFile) {
            let (pem, key) = try X509Certificate.generate(
                purpose: .server, commonName: X509Certificate.defaultCommonName,
                altNames: "DNS:\(X509Certificate.hostName),IP:127.0.0.1,IP:::1")
            try write(pem, to: certificateFile, mode: 0o644)
            try write(key, to: keyFile, mode: 0o600)
        }
        let pem = try String(contentsOfFile: certificateFile, encoding: .utf8)
        let key = try String(contentsOfFile: keyFile, encoding: .utf8)
        return ServerCertificate(certificatePEM: pem, keyPEM: key, certificate: try X509Certificate(pem: pem))
    }

    /// A server-side TLS context with this identity.
    func serverContext() throws -> TLSContext {
        try TLSContext(role: .server, certificatePEM: certificatePEM, keyPEM: keyPEM)
    }

    /// A client-side context presenting this identity (image pulls and migration, as LXD does).
    func clientContext() throws -> TLSContext {
        try TLSContext(role: .client, certificatePEM: certificatePEM, keyPEM: keyPEM)
    }

    private static func write(_ text: String, to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CoreError("Failed to open \(path) for writing: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard FileDescriptorIO.writeAll(fd, Data(text.utf8)) else {
            throw CoreError("Failed to write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
