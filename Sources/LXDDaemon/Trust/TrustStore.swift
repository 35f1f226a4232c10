import Foundation
import LXDAPI
import LXDHTTP
import Synchronization
import TLS

/// The trusted certificates, cached by fingerprint for the per-request check and reloaded from
/// the database after every change (LXD's certificate cache).
final class TrustStore: Sendable {
    private let cache = Mutex<[String: Certificate]>([:])
    let database: Database

    init(database: Database) {
        self.database = database
    }

    func reload() async throws {
        let all = try await database.certificates()
        var byFingerprint: [String: Certificate] = [:]
        for certificate in all where certificate.type == "client" { byFingerprint[certificate.fingerprint] = certificate }
        cache.withLock { $0 = byFingerprint }
    }

    /// The trust of a request arriving on `connection`.
    func trust(of connection: HTTPServerConnection) -> RequestTrust {
        guard connection.isTLS else { return .unixSocket }
        let presented = connection.peerCertificate
        if let presented, let trusted = cache.withLock({ $0[presented.fingerprint] }), isCurrentlyValid(presented) {
            return RequestTrust(kind: .certificate(trusted), peerCertificate: presented, remoteAddress: connection.remoteAddress)
        }
        return RequestTrust(kind: .untrusted, peerCertificate: presented, remoteAddress: connection.remoteAddress)
    }

    private func isCurrentlyValid(_ certificate: X509Certificate) -> Bool {
        let now = Int64(Date().timeIntervalSince1970)
        return certificate.notBefore <= now && now <= certificate.notAfter
    }
}
