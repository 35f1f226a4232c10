import Foundation
import LXDAPI
import LXDCore
import LXDHTTP
import TLS

/// `/1.0/certificates`: the trust store, join tokens and the untrusted "trust me" request
/// (a trust password or a token with the client's own TLS certificate).
struct CertificatesAPI: Sendable {
    let state: DaemonState

    func certificatesGet(_ request: APIRequest) async throws -> APIResponse {
        let all = try await state.database.certificates()
        if request.recursion > 0 { return .sync(all) }
        return .sync(all.map { "/1.0/certificates/\($0.fingerprint)" })
    }

    func certificatesPost(_ request: APIRequest) async throws -> APIResponse {
        var post = try request.decode(CertificatesPost.self)
        if post.token && !post.put.certificate.isEmpty {
            throw LXDError.badRequest("Can't use certificate if token is requested")
        }
        if post.token {
            guard post.put.type == "client" else { throw LXDError.badRequest("Tokens can only be issued for client certificates") }
            guard state.https.boundAddress != nil else {
                throw LXDError.badRequest("Can't issue token when server isn't listening on network")
            }
        }
        let trust = request.trust
        if trust.isTrusted && post.put.certificate.isEmpty && !post.token {
            throw LXDError.badRequest("Client is already trusted")
        }
        if !trust.isAdmin {
            // Untrusted (or restricted) callers may only add their own certificate, with a
            // password or a token.
            guard !post.token, !post.password.isEmpty else { throw LXDError.forbidden() }
            if case .success(let token) = CertificateAddToken.decode(post.password) {
                let grant = try CertificateTokens.redeem(token, in: state.operations)
                post = CertificatesPost(
                    put: CertificatePut(name: grant.name, type: grant.type, restricted: grant.restricted, projects: grant.projects))
            } else {
                let secret = try await state.database.serverConfig()["core.trust_password"] ?? ""
                guard TrustPassword.check(post.password, against: secret) else {
                    state.logger.warning("Bad trust password", ["url": request.path, "ip": trust.remoteAddress ?? ""])
                    throw LXDError.forbidden()
                }
            }
        }
        guard ["client", "metrics"].contains(post.put.type) else {
            throw LXDError.badRequest("Unknown certificate type \"\(post.put.type)\"")
        }
        if post.token {
            return .async(try await CertificateTokens.create(for: post.put, state: state))
        }
        let certificate: X509Certificate
        if !post.put.certificate.isEmpty {
            // Go's decoder skips line breaks (pylxd sends the PEM body as is).
            let text = post.put.certificate.filter { $0 != "\n" && $0 != "\r" }
            guard let der = Data(base64Encoded: text) else {
                throw LXDError.badRequest("illegal base64 data at input byte 0")
            }
            do {
                certificate = try X509Certificate(der: Array(der))
            } catch {
                throw LXDError.badRequest("Invalid certificate material: x509: malformed certificate")
            }
        } else if let presented = trust.peerCertificate {
            certificate = presented
        } else if request.trust.protocolName == "tls" {
            throw LXDError.badRequest("No client certificate provided")
        } else {
            throw LXDError.badRequest("Can't use TLS data on non-TLS link")
        }
        try Self.validate(certificate)
        var name = post.put.name
        if name.isEmpty { name = certificate.commonName }
        if name.isEmpty { name = TCPSocket.split(trust.remoteAddress ?? "")?.host ?? "" }
        let record = Certificate(
            put: CertificatePut(
                name: name, type: post.put.type, restricted: post.put.restricted, projects: post.put.projects,
                certificate: certificate.pem),
            fingerprint: certificate.fingerprint)
        try await state.database.createCertificate(record)
        try await state.trust.reload()
        let location = "/1.0/certificates/\(record.fingerprint)"
        state.events.lifecycle("certificate-created", source: location, requestor: request.requestor)
        return .sync(JSONValue.null, status: 201, location: location)
    }

    func certificateGet(_ request: APIRequest) async throws -> APIResponse {
        let certificate = try await lookup(request)
        return .sync(certificate, etag: ETag.of(certificate.writable))
    }

    func certificatePut(_ request: APIRequest) async throws -> APIResponse {
        try await update(request, replace: true)
    }

    func certificatePatch(_ request: APIRequest) async throws -> APIResponse {
        try await update(request, replace: false)
    }

    func certificateDelete(_ request: APIRequest) async throws -> APIResponse {
        let certificate = try await lookup(request)
        try checkOwnerOrAdmin(request, certificate)
        try await state.database.deleteCertificate(fingerprint: certificate.fingerprint)
        try await state.trust.reload()
        state.events.lifecycle(
            "certificate-deleted", source: "/1.0/certificates/\(certificate.fingerprint)", context: [:],
            requestor: request.requestor)
        return .emptyObject
    }

    // MARK: - Helpers

    private func lookup(_ request: APIRequest) async throws -> Certificate {
        let prefix = request.parameter("fingerprint")
        let matches = try await state.database.certificates(fingerprintPrefix: prefix)
        guard !matches.isEmpty else { throw LXDError.notFound("Certificate not found") }
        guard matches.count == 1 else { throw LXDError.badRequest("More than one certificate matches") }
        return matches[0]
    }

    /// A restricted client may only touch its own certificate.
    private func checkOwnerOrAdmin(_ request: APIRequest, _ certificate: Certificate) throws {
        guard !request.trust.isAdmin else { return }
        guard request.trust.peerCertificate?.fingerprint == certificate.fingerprint else { throw LXDError.forbidden() }
    }

    private func update(_ request: APIRequest, replace: Bool) async throws -> APIResponse {
        let current = try await lookup(request)
        try request.checkETag(ETag.of(current.writable))
        var put: CertificatePut
        if replace {
            put = try request.decode(CertificatePut.self)
        } else {
            // PATCH: start from the current values, overlay what the body names.
            let body = try request.decode([String: JSONValue].self)
            put = current.writable
            if case .string(let name)? = body["name"] { put.name = name }
            if case .string(let type)? = body["type"] { put.type = type }
            if case .bool(let restricted)? = body["restricted"] { put.restricted = restricted }
            if case .array(let projects)? = body["projects"] { put.projects = projects.compactMap(\.stringValue) }
            if case .string(let text)? = body["certificate"] { put.certificate = text }
        }
        if !request.trust.isAdmin {
            // LXD lets a restricted client renew its own certificate, nothing else.
            try checkOwnerOrAdmin(request, current)
            guard put.name == current.name, put.type == current.type, put.restricted == current.restricted,
                put.projects == current.projects
            else { throw LXDError.forbidden("Only the certificate can be changed") }
        }
        // LXD 5.0.2 keeps a certificate's type for good.
        guard put.type == current.type else { throw LXDError.forbidden("The certificate type cannot be changed") }
        var fingerprint = current.fingerprint
        if put.certificate.isEmpty {
            put.certificate = current.certificate
        } else if put.certificate != current.certificate {
            let parsed: X509Certificate
            if let pem = try? X509Certificate(pem: put.certificate) {
                parsed = pem
            } else if let der = Data(base64Encoded: put.certificate), let decoded = try? X509Certificate(der: Array(der)) {
                parsed = decoded
            } else {
                throw LXDError.badRequest("Invalid certificate material: x509: malformed certificate")
            }
            try Self.validate(parsed)
            put.certificate = parsed.pem
            fingerprint = parsed.fingerprint
        }
        try await state.database.updateCertificate(fingerprint: current.fingerprint, to: Certificate(put: put, fingerprint: fingerprint))
        try await state.trust.reload()
        state.events.lifecycle("certificate-updated", source: "/1.0/certificates/\(fingerprint)", requestor: request.requestor)
        return .emptyObject
    }

    /// LXD's `certificateValidate`: within its validity period.
    static func validate(_ certificate: X509Certificate) throws {
        let now = Int64(Date().timeIntervalSince1970)
        if now < certificate.notBefore { throw LXDError.badRequest("The provided certificate isn't valid yet") }
        if now > certificate.notAfter { throw LXDError.badRequest("The provided certificate is expired") }
    }
}
