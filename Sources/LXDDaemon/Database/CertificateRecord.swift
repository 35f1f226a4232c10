import LXDAPI
import LXDCore
import SQLite

extension Database {
    private func certificateRecord(_ row: Row) -> Certificate {
        Certificate(
            put: CertificatePut(
                name: row.string("name") ?? "", type: row.string("type") ?? "client", restricted: row.bool("restricted"),
                projects: JSONColumn.decode([String].self, row.string("projects"), default: []),
                certificate: row.string("certificate") ?? ""),
            fingerprint: row.string("fingerprint") ?? "")
    }

    func certificates() throws -> [Certificate] {
        try connection.query("SELECT * FROM certificates ORDER BY name, fingerprint").map(certificateRecord)
    }

    /// The certificates whose fingerprint starts with `prefix` (LXD accepts a prefix in URLs).
    func certificates(fingerprintPrefix prefix: String) throws -> [Certificate] {
        let pattern = prefix.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
        return try connection.query("SELECT * FROM certificates WHERE fingerprint LIKE ?", [.text(pattern)]).map(certificateRecord)
    }

    /// Adds a certificate; 409 with LXD's text when it is already trusted.
    func createCertificate(_ certificate: Certificate) throws {
        try connection.transaction {
            if try connection.queryOne("SELECT id FROM certificates WHERE fingerprint = ?", [.text(certificate.fingerprint)]) != nil {
                throw LXDError(.conflict, "Certificate already in trust store")
            }
            try connection.run(
                "INSERT INTO certificates (fingerprint, type, name, certificate, restricted, projects) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    .text(certificate.fingerprint), .text(certificate.type), .text(certificate.name), .text(certificate.certificate),
                    .integer(certificate.restricted ? 1 : 0), .text(JSONColumn.encode(certificate.projects)),
                ])
        }
    }

    /// Replaces the certificate row `fingerprint` (its fingerprint changes when the PEM does).
    func updateCertificate(fingerprint: String, to certificate: Certificate) throws {
        try connection.run(
            "UPDATE certificates SET fingerprint = ?, type = ?, name = ?, certificate = ?, restricted = ?, projects = ? WHERE fingerprint = ?",
            [
                .text(certificate.fingerprint), .text(certificate.type), .text(certificate.name), .text(certificate.certificate),
                .integer(certificate.restricted ? 1 : 0), .text(JSONColumn.encode(certificate.projects)), .text(fingerprint),
            ])
    }

    func deleteCertificate(fingerprint: String) throws {
        try connection.run("DELETE FROM certificates WHERE fingerprint = ?", [.text(fingerprint)])
    }
}
