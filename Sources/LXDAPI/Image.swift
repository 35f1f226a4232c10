/// The editable part of an image (LXD's `api.ImagePut`).
public struct ImagePut: Sendable, Codable {
    public var autoUpdate: Bool = false
    public var properties: [String: String] = [:]
    public var isPublic: Bool = false
    public var expiresAt: Timestamp = .unixEpoch
    public var profiles: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case properties, profiles
        case autoUpdate = "auto_update"
        case isPublic = "public"
        case expiresAt = "expires_at"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        autoUpdate = try c.lenient(.autoUpdate, false)
        properties = try c.lenient(.properties, [:])
        isPublic = try c.lenient(.isPublic, false)
        expiresAt = try c.lenient(.expiresAt, .unixEpoch)
        profiles = try c.lenient(.profiles, [])
    }
}

/// An image (LXD's `api.Image`).
public struct Image: Sendable, Codable {
    public var autoUpdate: Bool = false
    public var properties: [String: String] = [:]
    public var isPublic: Bool = false
    public var expiresAt: Timestamp = .unixEpoch
    public var profiles: [String] = []
    public var aliases: [ImageAlias] = []
    public var architecture: String = ""
    public var cached: Bool = false
    public var filename: String = ""
    public var fingerprint: String = ""
    public var size: Int64 = 0
    public var type: String = "container"
    public var createdAt: Timestamp = .goZero
    public var lastUsedAt: Timestamp = .goZero
    public var uploadedAt: Timestamp = .goZero
    /// Where an image pulled by alias came from, for refreshes; absent otherwise (as LXD omits it).
    public var updateSource: ImageSource?

    public init() {}

    public var writable: ImagePut {
        var put = ImagePut()
        put.autoUpdate = autoUpdate
        put.properties = properties
        put.isPublic = isPublic
        put.expiresAt = expiresAt
        put.profiles = profiles
        return put
    }

    enum CodingKeys: String, CodingKey {
        case properties, profiles, aliases, architecture, cached, filename, fingerprint, size, type
        case autoUpdate = "auto_update"
        case isPublic = "public"
        case expiresAt = "expires_at"
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case uploadedAt = "uploaded_at"
        case updateSource = "update_source"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        autoUpdate = try c.lenient(.autoUpdate, false)
        properties = try c.lenient(.properties, [:])
        isPublic = try c.lenient(.isPublic, false)
        expiresAt = try c.lenient(.expiresAt, .unixEpoch)
        profiles = try c.lenient(.profiles, [])
        updateSource = try c.decodeIfPresent(ImageSource.self, forKey: .updateSource)
        aliases = try c.lenient(.aliases, [])
        architecture = try c.lenient(.architecture, "")
        cached = try c.lenient(.cached, false)
        filename = try c.lenient(.filename, "")
        fingerprint = try c.lenient(.fingerprint, "")
        size = try c.lenient(.size, 0)
        type = try c.lenient(.type, "")
        createdAt = try c.lenient(.createdAt, .goZero)
        lastUsedAt = try c.lenient(.lastUsedAt, .goZero)
        uploadedAt = try c.lenient(.uploadedAt, .goZero)
    }
}

/// The server and alias an image is refreshed from (LXD's `api.ImageSource`).
public struct ImageSource: Sendable, Codable, Equatable {
    public var alias: String = ""
    public var certificate: String = ""
    public var `protocol`: String = ""
    public var server: String = ""
    public var imageType: String = ""

    public init(alias: String, certificate: String, protocol: String, server: String, imageType: String = "container") {
        self.alias = alias
        self.certificate = certificate
        self.protocol = `protocol`
        self.server = server
        self.imageType = imageType
    }

    enum CodingKeys: String, CodingKey {
        case alias, certificate, `protocol`, server
        case imageType = "image_type"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        alias = try c.lenient(.alias, "")
        certificate = try c.lenient(.certificate, "")
        `protocol` = try c.lenient(.protocol, "")
        server = try c.lenient(.server, "")
        imageType = try c.lenient(.imageType, "")
    }
}

/// An alias as listed inside an image.
public struct ImageAlias: Sendable, Codable, Equatable {
    public var name: String
    public var description: String

    public init(name: String, description: String = "") {
        self.name = name
        self.description = description
    }

    enum CodingKeys: String, CodingKey { case name, description }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        description = try c.lenient(.description, "")
    }
}

/// An alias object (`GET /1.0/images/aliases/NAME`; `POST /1.0/images/aliases` sends the same).
public struct ImageAliasesEntry: Sendable, Codable, Equatable {
    public var name: String = ""
    public var description: String = ""
    public var target: String = ""
    public var type: String = ""

    public init(name: String, description: String = "", target: String, type: String = "container") {
        self.name = name
        self.description = description
        self.target = target
        self.type = type
    }

    enum CodingKeys: String, CodingKey { case name, description, target, type }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        description = try c.lenient(.description, "")
        target = try c.lenient(.target, "")
        type = try c.lenient(.type, "")
    }
}

/// `PUT /1.0/images/aliases/NAME` (LXD's `api.ImageAliasesEntryPut`).
public struct ImageAliasesEntryPut: Sendable, Codable {
    public var description: String = ""
    public var target: String = ""

    public init(description: String = "", target: String) {
        self.description = description
        self.target = target
    }

    enum CodingKeys: String, CodingKey { case description, target }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        description = try c.lenient(.description, "")
        target = try c.lenient(.target, "")
    }
}

/// `POST /1.0/images/aliases/NAME`: rename.
public struct ImageAliasesEntryPost: Sendable, Codable {
    public var name: String = ""

    public init(name: String) { self.name = name }

    enum CodingKeys: String, CodingKey { case name }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
    }
}

/// `POST /1.0/images` with a JSON body (publish, copy from a remote; LXD's `api.ImagesPost`).
public struct ImagesPost: Sendable, Codable {
    public var put: ImagePut = ImagePut()
    public var filename: String = ""
    public var compressionAlgorithm: String = ""
    public var aliases: [ImageAlias] = []
    public var source: ImagesPostSource? = nil

    public init() {}

    enum CodingKeys: String, CodingKey {
        case filename, aliases, source
        case compressionAlgorithm = "compression_algorithm"
    }

    public init(from decoder: Decoder) throws {
        put = try ImagePut(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        filename = try c.lenient(.filename, "")
        compressionAlgorithm = try c.lenient(.compressionAlgorithm, "")
        aliases = try c.lenient(.aliases, [])
        source = try c.decodeIfPresent(ImagesPostSource.self, forKey: .source)
    }

    public func encode(to encoder: Encoder) throws {
        try put.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(filename, forKey: .filename)
        try c.encode(compressionAlgorithm, forKey: .compressionAlgorithm)
        try c.encode(aliases, forKey: .aliases)
        try c.encode(source, forKey: .source)
    }
}

public struct ImagesPostSource: Sendable, Codable {
    public var type: String = ""
    public var name: String = ""
    public var alias: String = ""
    public var fingerprint: String = ""
    public var server: String = ""
    public var `protocol`: String = ""
    /// The image server's certificate (PEM) and a secret for a private image (remote pulls).
    public var certificate: String = ""
    public var secret: String = ""
    public var mode: String = ""
    public var url: String = ""
    public var project: String = ""

    public init() {}

    enum CodingKeys: String, CodingKey { case type, name, alias, fingerprint, server, `protocol`, certificate, secret, mode, url, project }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.lenient(.type, "")
        name = try c.lenient(.name, "")
        alias = try c.lenient(.alias, "")
        fingerprint = try c.lenient(.fingerprint, "")
        server = try c.lenient(.server, "")
        `protocol` = try c.lenient(.protocol, "")
        certificate = try c.lenient(.certificate, "")
        secret = try c.lenient(.secret, "")
        mode = try c.lenient(.mode, "")
        url = try c.lenient(.url, "")
        project = try c.lenient(.project, "")
    }
}

/// `metadata.yaml` of an image (LXD's `api.ImageMetadata`).
public struct ImageMetadata: Sendable, Codable, Equatable {
    public var architecture: String = ""
    public var creationDate: Int64 = 0
    public var expiryDate: Int64 = 0
    public var properties: [String: String] = [:]
    public var templates: [String: ImageMetadataTemplate] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case architecture, properties, templates
        case creationDate = "creation_date"
        case expiryDate = "expiry_date"
    }

    /// Absent and `null` fields keep their zero values, as Go's decoder leaves them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.lenient(.architecture, "")
        creationDate = try c.lenient(.creationDate, 0)
        expiryDate = try c.lenient(.expiryDate, 0)
        properties = try c.lenient(.properties, [:])
        templates = try c.lenient(.templates, [:])
    }
}

/// One entry of `templates:` in `metadata.yaml`.
public struct ImageMetadataTemplate: Sendable, Codable, Equatable {
    public var when: [String] = []
    public var createOnly: Bool = false
    public var template: String = ""
    public var properties: [String: String] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case when, template, properties
        case createOnly = "create_only"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        when = try c.lenient(.when, [])
        createOnly = try c.lenient(.createOnly, false)
        template = try c.lenient(.template, "")
        properties = try c.lenient(.properties, [:])
    }
}
