import LXDAPI
import SQLite

extension Database {
    /// Where a pulled image came from (LXD's `images_source`), and whether it is only a cache
    /// for instance creation.
    func recordImageSource(fingerprint: String, server: String, protocol: String, certificate: String, alias: String, cached: Bool) throws {
        try connection.transaction {
            guard let row = try connection.queryOne("SELECT id FROM images WHERE fingerprint = ?", [.text(fingerprint)]),
                let id = row.int64("id")
            else { return }
            try connection.run("UPDATE images SET cached = ? WHERE id = ?", [.integer(cached ? 1 : 0), .integer(id)])
            try connection.run(
                """
                INSERT INTO images_source (image_id, server, protocol, certificate, alias) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (image_id) DO UPDATE SET server = excluded.server, protocol = excluded.protocol,
                    certificate = excluded.certificate, alias = excluded.alias
                """,
                [.integer(id), .text(server), .text(`protocol`), .text(certificate), .text(alias)])
        }
    }
}
