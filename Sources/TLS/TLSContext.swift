import CShim

/// An OpenSSL `SSL_CTX`: TLS 1.2 or later, with our certificate and key, asking the peer for its
/// certificate and accepting any (trust is decided from the fingerprint by the caller, as in LXD).
///
/// Immutable after `init`; OpenSSL allows sessions to be made from one context on many threads.
public final class TLSContext: @unchecked Sendable {
    public enum Role: Sendable {
        case server
        case client
    }

    let pointer: UnsafeMutableRawPointer
    public let role: Role

    /// `certificatePEM`/`keyPEM` may be nil for a client without a certificate.
    public init(role: Role, certificatePEM: String?, keyPEM: String?) throws {
        guard let pointer = lxd_ssl_ctx_new(role == .server ? 1 : 0) else {
            throw TLSError.library("Failed creating TLS context: \(TLSError.lastError())")
        }
        self.pointer = pointer
        self.role = role
        if let certificatePEM, let keyPEM {
            guard lxd_ssl_ctx_use_pem(pointer, certificatePEM, keyPEM) == 0 else {
                throw TLSError.invalidCertificate("Failed loading the TLS certificate and key: \(TLSError.lastError())")
            }
        }
    }

    deinit { lxd_ssl_ctx_free(pointer) }
}
