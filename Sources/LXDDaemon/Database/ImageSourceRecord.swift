import LXDAPI
import SQLite

extension Database {
    /// Where a pulled image came from (LXD's `images_source`), and whether it is only a cache
    /// for instance creation.
    /// `alias` is what the pull asked for (an alias, or the fingerprint: LXD records either, and
    /// only an alias can lead to a newer image); `autoUpdate` is the image's flag.
    func recordImageSource(
        fingerprint: String, server: String, protocol: String, certificate: String, alias: String, cached: Bool, autoUpdate: Bool
    ) throws {
        try connection.transaction {
            guard let row = try connection.queryOne("SELECT id FROM images WHERE fingerprint = ?", [.text(fingerprint)]),
                let id = row.int64("id")
            else { return }
            try connection.run(
                "UPDATE images SET cached = ?, auto_update = ? WHERE id = ?",
                [.integer(cached ? 1 : 0), .integer(autoUpdate ? 1 : 0), .integer(id)])
            try connection.run(
                """
                INSERT INTO images_source (image_id, server, protocol, certificate, alias) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (image_id) DO UPDATE SET server = excluded.server, protocol = excluded.protocol,
                    certificate = excluded.certificate, alias = excluded.alias
                """,
                [.integer(id), .text(server), .text(`protocol`), .text(certificate), .text(alias)])
        }
    }

    /// The server an image was pulled from (nil for imported and published images).
    func imageSource(imageID: Int64, type: String) throws -> ImageSource? {
        guard let row = try connection.queryOne("SELECT * FROM images_source WHERE image_id = ?", [.integer(imageID)]) else {
            return nil
        }
        return ImageSource(
            alias: row.string("alias") ?? "", certificate: row.string("certificate") ?? "", protocol: row.string("protocol") ?? "",
            server: row.string("server") ?? "", imageType: type)
    }

    /// Points every alias of image `old` at image `new` (a refresh replaced it).
    func moveImageAliases(from old: String, to new: String) throws {
        try connection.run(
            """
            UPDATE image_aliases SET image_id = (SELECT id FROM images WHERE fingerprint = ?)
            WHERE image_id = (SELECT id FROM images WHERE fingerprint = ?)
            """, [.text(new), .text(old)])
    }

    /// Images to keep up to date: flagged, and pulled from a server.
    func autoUpdateImages() throws -> [ImageRecord] {
        try images().filter { $0.autoUpdate && !($0.updateSource?.alias ?? "").isEmpty }
    }
}
