import Foundation
import LXDAPI
import LXDHTTP
import TLS

/// What a client presents and checks on an HTTPS connection to an LXD server (LXD's
/// `ConnectionArgs`): its own certificate, and the server certificate it pinned.
public struct TLSConnectionArgs: Sendable {
    public var clientCertificatePEM: String?
    public var clientKeyPEM: String?
    /// The pinned server certificate; nil accepts none unless `acceptAnyServer`.
    public var serverCertificatePEM: String?
    /// Accept whatever the server presents (fetching the certificate to pin it).
    public var acceptAnyServer = false

    public init(
        clientCertificatePEM: String? = nil, clientKeyPEM: String? = nil, serverCertificatePEM: String? = nil, acceptAnyServer: Bool = false
    ) {
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.serverCertificatePEM = serverCertificatePEM
        self.acceptAnyServer = acceptAnyServer
    }
}

extension LXDServer {
    /// "https://host:port" from LXD's address forms ("host", "host:port", "https://host:port").
    public static func hostAndPort(ofURL url: String) -> (host: String, port: Int)? {
        var address = url
        if let range = address.range(of: "://") { address = String(address[range.upperBound...]) }
        if let slash = address.firstIndex(of: "/") { address = String(address[..<slash]) }
        return TCPSocket.split(address)
    }

    /// An HTTP client for `url` over TLS with `args`. The server's certificate must equal the
    /// pinned one (as Go's client does with a self-signed pinned certificate).
    public static func httpsClient(url: String, args: TLSConnectionArgs) throws -> HTTPClient {
        guard let (host, port) = hostAndPort(ofURL: url) else { throw LXDError(.badRequest, "Invalid URL \"\(url)\"") }
        let context: TLSContext
        do {
            context = try TLSContext(role: .client, certificatePEM: args.clientCertificatePEM, keyPEM: args.clientKeyPEM)
        } catch {
            throw LXDError(.internalServerError, "Failed to load the client certificate: \(error)")
        }
        let pinned = try args.serverCertificatePEM.map { pem in
            do { return try X509Certificate(pem: pem) } catch { throw LXDError(.badRequest, "Invalid server certificate: \(error)") }
        }
        let acceptAny = args.acceptAnyServer
        return HTTPClient(
            transport: .tls(
                host: host, port: port, context: context,
                verifyPeer: { presented in
                    if acceptAny { return }
                    guard let pinned else { throw RemoteCertificateError.unknownAuthority }
                    guard presented?.der == pinned.der else { throw RemoteCertificateError.mismatch }
                }))
    }

    /// Connects to an HTTPS server: `GET /1.0`.
    public static func connect(url: String, args: TLSConnectionArgs) throws -> LXDServer {
        let http = try httpsClient(url: url, args: args)
        return try LXDServer(http: http, url: url)
    }

    /// The certificate the server at `url` presents, without trusting it (LXD's
    /// `GetRemoteCertificate`, before the user accepts its fingerprint).
    public static func remoteCertificate(url: String) throws -> X509Certificate {
        let http = try httpsClient(url: url, args: TLSConnectionArgs(acceptAnyServer: true))
        let stream: any ByteStream
        do {
            stream = try http.connect()
        } catch {
            throw LXDError(
                .internalServerError, describeConnectError(error, http, path: "").replacingOccurrences(of: "/\": ", with: "\": "))
        }
        defer { stream.close() }
        guard let certificate = (stream as? TLSStream)?.peerCertificate else {
            throw LXDError(.internalServerError, "Unable to read remote TLS certificate")
        }
        return certificate
    }

    /// Adds `post` to the server's trust store (the caller's own certificate when `certificate`
    /// is empty, with a password or a token).
    public func createCertificate(_ post: CertificatesPost) throws {
        _ = try query("POST", "/1.0/certificates", body: try LXDServer.encode(post))
    }

    /// Asks for a join token; the operation's metadata holds it.
    public func createCertificateToken(_ post: CertificatesPost) throws -> LXDAPI.Operation {
        var post = post
        post.token = true
        return try query("POST", "/1.0/certificates", as: LXDAPI.Operation.self, body: try LXDServer.encode(post)).0
    }

    public func getCertificates() throws -> (certificates: [Certificate], raw: Data) {
        return try query("GET", "/1.0/certificates?recursion=1", as: [Certificate].self)
    }

    public func getCertificate(_ fingerprint: String) throws -> (certificate: Certificate, raw: Data) {
        return try query("GET", "/1.0/certificates/" + LXDServer.escape(fingerprint), as: Certificate.self)
    }

    public func updateCertificate(_ fingerprint: String, _ put: CertificatePut) throws {
        _ = try query("PUT", "/1.0/certificates/" + LXDServer.escape(fingerprint), body: try LXDServer.encode(put))
    }

    public func deleteCertificate(_ fingerprint: String) throws {
        _ = try query("DELETE", "/1.0/certificates/" + LXDServer.escape(fingerprint))
    }

    /// `POST /1.0/images/FP/secret`: a one-off secret for another server to fetch a private image.
    public func createImageSecret(_ fingerprint: String) throws -> LXDAPI.Operation {
        try query("POST", "/1.0/images/\(LXDServer.escape(fingerprint))/secret", as: LXDAPI.Operation.self).0
    }

    /// `GET /1.0/projects` names.
    public func getProjectNames() throws -> [String] {
        try get("/1.0/projects", as: [String].self).map { String($0.split(separator: "/").last ?? "") }
    }
}

/// Go's wording when the server's certificate does not match what the client pinned.
enum RemoteCertificateError: Error, CustomStringConvertible {
    case unknownAuthority
    case mismatch

    var description: String {
        switch self {
        case .unknownAuthority: return "x509: certificate signed by unknown authority"
        case .mismatch: return "x509: certificate signed by unknown authority (possibly because of a changed server certificate)"
        }
    }
}
