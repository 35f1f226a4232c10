import Foundation
import LXDCore

/// The editable part of a trusted certificate (LXD's `api.CertificatePut`).
public struct CertificatePut: Sendable, Codable, Equatable {
    public var name: String = ""
    /// "client" (or "metrics", "server").
    public var type: String = "client"
    public var restricted: Bool = false
    public var projects: [String] = []
    /// PEM in objects; base64 DER in `POST /1.0/certificates`.
    public var certificate: String = ""

    public init(name: String = "", type: String = "client", restricted: Bool = false, projects: [String] = [], certificate: String = "") {
        self.name = name
        self.type = type
        self.restricted = restricted
        self.projects = projects
        self.certificate = certificate
    }

    enum CodingKeys: String, CodingKey { case name, type, restricted, projects, certificate }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        type = try c.lenient(.type, "")
        restricted = try c.lenient(.restricted, false)
        projects = try c.lenient(.projects, [])
        certificate = try c.lenient(.certificate, "")
    }
}

/// A trusted certificate (LXD's `api.Certificate`).
public struct Certificate: Sendable, Codable, Equatable {
    public var name: String = ""
    public var type: String = "client"
    public var restricted: Bool = false
    public var projects: [String] = []
    public var certificate: String = ""
    public var fingerprint: String = ""

    public init(put: CertificatePut, fingerprint: String) {
        name = put.name
        type = put.type
        restricted = put.restricted
        projects = put.projects
        certificate = put.certificate
        self.fingerprint = fingerprint
    }

    public var writable: CertificatePut {
        CertificatePut(name: name, type: type, restricted: restricted, projects: projects, certificate: certificate)
    }

    enum CodingKeys: String, CodingKey { case name, type, restricted, projects, certificate, fingerprint }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        type = try c.lenient(.type, "")
        restricted = try c.lenient(.restricted, false)
        projects = try c.lenient(.projects, [])
        certificate = try c.lenient(.certificate, "")
        fingerprint = try c.lenient(.fingerprint, "")
    }
}

/// `POST /1.0/certificates` (LXD's `api.CertificatesPost`): add a certificate, ask for a join
/// token (`token: true`), or trust the caller's own TLS certificate with a password or token.
public struct CertificatesPost: Sendable, Codable {
    public var put: CertificatePut
    public var password: String = ""
    public var token: Bool = false

    public init(put: CertificatePut = CertificatePut(), password: String = "", token: Bool = false) {
        self.put = put
        self.password = password
        self.token = token
    }

    enum CodingKeys: String, CodingKey { case name, type, restricted, projects, certificate, password, token }

    public init(from decoder: Decoder) throws {
        put = try CertificatePut(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        password = try c.lenient(.password, "")
        token = try c.lenient(.token, false)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(put.name, forKey: .name)
        try c.encode(put.type, forKey: .type)
        try c.encode(put.restricted, forKey: .restricted)
        try c.encode(put.projects, forKey: .projects)
        try c.encode(put.certificate, forKey: .certificate)
        try c.encode(password, forKey: .password)
        try c.encode(token, forKey: .token)
    }
}

/// The join token `lxc config trust add` prints (LXD's `api.CertificateAddToken`): base64 of
/// this JSON.
public struct CertificateAddToken: Sendable, Codable, Equatable {
    public var clientName: String
    public var fingerprint: String
    public var addresses: [String]
    public var secret: String
    public var expiresAt: Timestamp

    public init(clientName: String, fingerprint: String, addresses: [String], secret: String, expiresAt: Timestamp = .goZero) {
        self.clientName = clientName
        self.fingerprint = fingerprint
        self.addresses = addresses
        self.secret = secret
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case fingerprint, addresses, secret
        case clientName = "client_name"
        case expiresAt = "expires_at"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clientName = try c.lenient(.clientName, "")
        fingerprint = try c.lenient(.fingerprint, "")
        addresses = try c.lenient(.addresses, [])
        secret = try c.lenient(.secret, "")
        expiresAt = try c.lenient(.expiresAt, .goZero)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clientName, forKey: .clientName)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(addresses, forKey: .addresses)
        try c.encode(secret, forKey: .secret)
        try c.encode(expiresAt, forKey: .expiresAt)
    }

    /// The text form: base64 of the JSON, keys in Go's field order (built by hand: the
    /// encoder does not keep key order).
    public var encoded: String {
        func quoted(_ text: String) -> String {
            let data = (try? JSONEncoder().encode([text])) ?? Data("[\"\"]".utf8)
            return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
        }
        let json =
            "{\"client_name\":\(quoted(clientName)),\"fingerprint\":\(quoted(fingerprint)),"
            + "\"addresses\":[\(addresses.map(quoted).joined(separator: ","))],\"secret\":\(quoted(secret)),"
            + "\"expires_at\":\(quoted(expiresAt.description))}"
        return Data(json.utf8).base64EncodedString()
    }

    /// Decodes a token as LXD's client does (`CertificateTokenDecode`): nil when the text is not
    /// one (then it is a password or an address), an error naming what is missing otherwise.
    public static func decode(_ text: String) -> Result<CertificateAddToken, LXDError>? {
        guard let data = Data(base64Encoded: text), let token = try? LXDJSON.decode(CertificateAddToken.self, from: data) else {
            return nil
        }
        if token.clientName.isEmpty { return .failure(.badRequest("No client name in certificate add token")) }
        if token.addresses.isEmpty { return .failure(.badRequest("No server addresses in certificate add token")) }
        if token.secret.isEmpty { return .failure(.badRequest("No secret in certificate add token")) }
        if token.fingerprint.isEmpty { return .failure(.badRequest("No certificate fingerprint in certificate add token")) }
        return .success(token)
    }
}
