import LXDAPI
import TLS

/// Who is asking, as the access checks see it (LXD's `Authenticate` result): the unix socket
/// (root or the socket's group: fully trusted), a trusted TLS certificate (maybe restricted to
/// projects), or an untrusted TLS client.
struct RequestTrust: Sendable {
    enum Kind: Sendable {
        case unixSocket
        case certificate(Certificate)
        case untrusted
    }

    let kind: Kind
    /// The certificate the TLS client presented (trusted or not).
    let peerCertificate: X509Certificate?
    /// "host:port" of a TLS client.
    let remoteAddress: String?

    static let unixSocket = RequestTrust(kind: .unixSocket, peerCertificate: nil, remoteAddress: nil)

    var isTrusted: Bool {
        if case .untrusted = kind { return false }
        return true
    }

    /// Unix socket or an unrestricted certificate: may change server-wide settings.
    var isAdmin: Bool {
        switch kind {
        case .unixSocket: return true
        case .certificate(let certificate): return !certificate.restricted
        case .untrusted: return false
        }
    }

    func allowsProject(_ project: String) -> Bool {
        switch kind {
        case .unixSocket: return true
        case .certificate(let certificate): return !certificate.restricted || certificate.projects.contains(project)
        case .untrusted: return false
        }
    }

    /// The `requestor.protocol` of lifecycle events.
    var protocolName: String {
        if case .unixSocket = kind { return "unix" }
        return "tls"
    }

    /// Whether a request with this trust may run an action of `access`.
    func permits(_ access: Access) -> Bool {
        switch access {
        case .untrusted: return true
        case .authenticated: return isTrusted
        case .project: return allowsProject("default")
        case .admin: return isAdmin
        }
    }
}

/// Who may call an endpoint's method (LXD's `AllowUntrusted` and access handlers).
enum Access: Sendable {
    /// Anyone, trusted or not (`GET /1.0`, public images, operation websockets with a secret).
    case untrusted
    /// Any trusted client, restricted or not.
    case authenticated
    /// Trusted clients allowed in the (default) project: every project-scoped resource.
    case project
    /// Unrestricted trusted clients only: server configuration, the trust store, storage pools.
    case admin
}
