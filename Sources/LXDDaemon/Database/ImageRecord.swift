import LXDAPI
import LXDCore
import SQLite

/// An image row and its aliases.
struct ImageRecord: Sendable {
    var id: Int64 = 0
    var fingerprint: String
    var filename: String
    var size: Int64
    var isPublic: Bool = false
    var autoUpdate: Bool = false
    var cached: Bool = false
    var architecture: String
    var type: String = "container"
    var properties: [String: String] = [:]
    var createdAt: Timestamp
    var expiresAt: Timestamp = .unixEpoch
    var uploadedAt: Timestamp
    var lastUsedAt: Timestamp = .goZero
    var aliases: [ImageAlias] = []
    /// Where it was pulled from by alias (`images_source`), if it was.
    var updateSource: ImageSource?

    func toAPI() -> Image {
        var image = Image()
        image.fingerprint = fingerprint
        image.filename = filename
        image.size = size
        image.isPublic = isPublic
        image.autoUpdate = autoUpdate
        image.cached = cached
        image.architecture = architecture
        image.type = type
        image.properties = properties
        image.createdAt = createdAt
        image.expiresAt = expiresAt
        image.uploadedAt = uploadedAt
        image.lastUsedAt = lastUsedAt
        image.aliases = aliases
        image.profiles = ["default"]
        image.updateSource = updateSource
        return image
    }
}

extension Database {
    private func imageRecord(_ row: Row) throws -> ImageRecord {
        let id = row.int64("id") ?? 0
        let aliases = try connection.query(
            "SELECT name, description FROM image_aliases WHERE image_id = ? ORDER BY name", [.integer(id)]
        ).map { ImageAlias(name: $0.string("name") ?? "", description: $0.string("description") ?? "") }
        return ImageRecord(
            id: id,
            fingerprint: row.string("fingerprint") ?? "",
            filename: row.string("filename") ?? "",
            size: row.int64("size") ?? 0,
            isPublic: row.bool("public"),
            autoUpdate: row.bool("auto_update"),
            cached: row.bool("cached"),
            architecture: row.string("architecture") ?? "",
            type: row.string("type") ?? "container",
            properties: JSONColumn.decode([String: String].self, row.string("properties"), default: [:]),
            createdAt: GoTime.parse(row.string("created_at") ?? "") ?? .goZero,
            expiresAt: GoTime.parse(row.string("expires_at") ?? "") ?? .unixEpoch,
            uploadedAt: GoTime.parse(row.string("uploaded_at") ?? "") ?? .goZero,
            lastUsedAt: GoTime.parse(row.string("last_used_at") ?? "") ?? .goZero,
            aliases: aliases,
            updateSource: try imageSource(imageID: id, type: row.string("type") ?? "container"))
    }

    func images() throws -> [ImageRecord] {
        try connection.query("SELECT * FROM images ORDER BY fingerprint").map(imageRecord)
    }

    /// The image whose fingerprint is `fingerprint` or starts with it; an ambiguous prefix throws.
    func image(fingerprintPrefix prefix: String) throws -> ImageRecord? {
        guard !prefix.isEmpty, prefix.allSatisfy(\.isHexDigit) else { return nil }
        let rows = try connection.query(
            "SELECT * FROM images WHERE fingerprint LIKE ? LIMIT 2", [.text(prefix.lowercased() + "%")])
        if rows.count > 1 { throw LXDError.badRequest("More than one image matches") }
        return try rows.first.map(imageRecord)
    }

    func createImage(_ record: ImageRecord) throws -> ImageRecord {
        try connection.transaction {
            if try connection.queryOne("SELECT id FROM images WHERE fingerprint = ?", [.text(record.fingerprint)]) != nil {
                throw LXDError.conflict("Image with same fingerprint already exists")
            }
            try connection.run(
                """
                INSERT INTO images (fingerprint, filename, size, public, auto_update, cached, architecture, type, properties,
                                    created_at, expires_at, uploaded_at, last_used_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(record.fingerprint), .text(record.filename), .integer(record.size), .init(record.isPublic),
                    .init(record.autoUpdate), .init(record.cached), .text(record.architecture), .text(record.type),
                    .text(JSONColumn.encode(record.properties)), .text(GoTime.format(record.createdAt)),
                    .text(GoTime.format(record.expiresAt)), .text(GoTime.format(record.uploadedAt)),
                    .text(GoTime.format(record.lastUsedAt)),
                ])
            var created = record
            created.id = connection.lastInsertRowID
            return created
        }
    }

    func updateImage(fingerprint: String, _ put: ImagePut) throws {
        try connection.run(
            "UPDATE images SET public = ?, auto_update = ?, properties = ?, expires_at = ? WHERE fingerprint = ?",
            [
                .init(put.isPublic), .init(put.autoUpdate), .text(JSONColumn.encode(put.properties)),
                .text(GoTime.format(put.expiresAt)), .text(fingerprint),
            ])
    }

    func touchImage(fingerprint: String, at time: Timestamp) throws {
        try connection.run("UPDATE images SET last_used_at = ? WHERE fingerprint = ?", [.text(GoTime.format(time)), .text(fingerprint)])
    }

    func deleteImage(fingerprint: String) throws {
        try connection.run("DELETE FROM images WHERE fingerprint = ?", [.text(fingerprint)])
    }

    // MARK: Aliases

    func imageAliases() throws -> [ImageAliasesEntry] {
        try connection.query(
            """
            SELECT image_aliases.name, image_aliases.description, images.fingerprint, images.type
            FROM image_aliases JOIN images ON images.id = image_aliases.image_id ORDER BY image_aliases.name
            """
        ).map(aliasEntry)
    }

    func imageAlias(named name: String) throws -> ImageAliasesEntry? {
        try connection.queryOne(
            """
            SELECT image_aliases.name, image_aliases.description, images.fingerprint, images.type
            FROM image_aliases JOIN images ON images.id = image_aliases.image_id WHERE image_aliases.name = ?
            """, [.text(name)]
        ).map(aliasEntry)
    }

    private func aliasEntry(_ row: Row) -> ImageAliasesEntry {
        ImageAliasesEntry(
            name: row.string("name") ?? "", description: row.string("description") ?? "",
            target: row.string("fingerprint") ?? "", type: row.string("type") ?? "container")
    }

    func createImageAlias(name: String, fingerprint: String, description: String) throws {
        try connection.transaction {
            if try connection.queryOne("SELECT id FROM image_aliases WHERE name = ?", [.text(name)]) != nil {
                throw LXDError.conflict("Alias \"\(name)\" already exists")
            }
            guard let image = try connection.queryOne("SELECT id FROM images WHERE fingerprint = ?", [.text(fingerprint)]) else {
                throw LXDError.notFound("Image not found")
            }
            try connection.run(
                "INSERT INTO image_aliases (name, image_id, description) VALUES (?, ?, ?)",
                [.text(name), .integer(image.int64("id") ?? 0), .text(description)])
        }
    }

    func updateImageAlias(name: String, fingerprint: String, description: String) throws {
        try connection.transaction {
            guard let image = try connection.queryOne("SELECT id FROM images WHERE fingerprint = ?", [.text(fingerprint)]) else {
                throw LXDError.notFound("Image not found")
            }
            try connection.run(
                "UPDATE image_aliases SET image_id = ?, description = ? WHERE name = ?",
                [.integer(image.int64("id") ?? 0), .text(description), .text(name)])
        }
    }

    func renameImageAlias(from oldName: String, to newName: String) throws {
        try connection.transaction {
            if try connection.queryOne("SELECT id FROM image_aliases WHERE name = ?", [.text(newName)]) != nil {
                throw LXDError.conflict("Alias \"\(newName)\" already exists")
            }
            try connection.run("UPDATE image_aliases SET name = ? WHERE name = ?", [.text(newName), .text(oldName)])
        }
    }

    func deleteImageAlias(name: String) throws {
        try connection.run("DELETE FROM image_aliases WHERE name = ?", [.text(name)])
    }
}
