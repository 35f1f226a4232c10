/// `GET /1.0`: the server's description (LXD's `api.Server`).
public struct Server: Sendable, Codable, Equatable {
    public var config: [String: String]
    public var apiExtensions: [String]
    public var apiStatus: String
    public var apiVersion: String
    public var auth: String
    public var isPublic: Bool
    public var authMethods: [String]
    public var environment: ServerEnvironment

    enum CodingKeys: String, CodingKey {
        case config, auth, environment
        case apiExtensions = "api_extensions"
        case apiStatus = "api_status"
        case apiVersion = "api_version"
        case isPublic = "public"
        case authMethods = "auth_methods"
    }

    public init(
        config: [String: String], apiExtensions: [String], apiStatus: String = "stable", apiVersion: String = "1.0",
        auth: String, isPublic: Bool = false, authMethods: [String] = ["tls"], environment: ServerEnvironment
    ) {
        self.config = config
        self.apiExtensions = apiExtensions
        self.apiStatus = apiStatus
        self.apiVersion = apiVersion
        self.auth = auth
        self.isPublic = isPublic
        self.authMethods = authMethods
        self.environment = environment
    }

    /// Keys LXD shows as the JSON value `true` instead of their value (`core.trust_password`).
    public static let hiddenConfigKeys: Set<String> = ["core.trust_password"]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Values are strings except hidden ones, which LXD sends as `true`.
        let raw: [String: JSONValue] = try c.lenient(.config, [:])
        config = raw.compactMapValues { value in
            switch value {
            case .string(let text): return text
            case .bool(let flag): return flag ? "true" : "false"
            case .number(let number): return number == number.rounded() ? String(Int64(number)) : String(number)
            default: return nil
            }
        }
        apiExtensions = try c.lenient(.apiExtensions, [])
        apiStatus = try c.lenient(.apiStatus, "")
        apiVersion = try c.lenient(.apiVersion, "")
        auth = try c.lenient(.auth, "")
        isPublic = try c.lenient(.isPublic, false)
        authMethods = try c.lenient(.authMethods, [])
        environment = try c.lenient(.environment, ServerEnvironment())
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        var rendered: [String: JSONValue] = [:]
        for (key, value) in config {
            rendered[key] = Self.hiddenConfigKeys.contains(key) ? .bool(true) : .string(value)
        }
        try c.encode(rendered, forKey: .config)
        try c.encode(apiExtensions, forKey: .apiExtensions)
        try c.encode(apiStatus, forKey: .apiStatus)
        try c.encode(apiVersion, forKey: .apiVersion)
        try c.encode(auth, forKey: .auth)
        try c.encode(isPublic, forKey: .isPublic)
        try c.encode(authMethods, forKey: .authMethods)
        try c.encode(environment, forKey: .environment)
    }

    /// What an untrusted client sees of `GET /1.0` (LXD's `api.ServerUntrusted`).
    public var untrusted: ServerUntrusted {
        ServerUntrusted(
            apiExtensions: apiExtensions, apiStatus: apiStatus, apiVersion: apiVersion, auth: "untrusted", isPublic: isPublic,
            authMethods: authMethods)
    }
}

/// `GET /1.0` for an untrusted client.
public struct ServerUntrusted: Sendable, Codable {
    public var apiExtensions: [String]
    public var apiStatus: String
    public var apiVersion: String
    public var auth: String
    public var isPublic: Bool
    public var authMethods: [String]

    enum CodingKeys: String, CodingKey {
        case auth
        case apiExtensions = "api_extensions"
        case apiStatus = "api_status"
        case apiVersion = "api_version"
        case isPublic = "public"
        case authMethods = "auth_methods"
    }
}

/// The `environment` part of `GET /1.0`.
public struct ServerEnvironment: Sendable, Codable, Equatable {
    public var addresses: [String] = []
    public var architectures: [String] = []
    public var certificate: String = ""
    public var certificateFingerprint: String = ""
    public var driver: String = "lxc"
    public var driverVersion: String = ""
    public var firewall: String = "nftables"
    public var kernel: String = "Linux"
    public var kernelArchitecture: String = ""
    public var kernelFeatures: [String: String] = [:]
    public var kernelVersion: String = ""
    public var lxcFeatures: [String: String] = [:]
    public var osName: String = ""
    public var osVersion: String = ""
    public var project: String = "default"
    public var server: String = "lxd"
    public var serverClustered: Bool = false
    public var serverEventMode: String = "full-mesh"
    public var serverName: String = ""
    public var serverPID: Int = 0
    public var serverVersion: String = ""
    public var storage: String = ""
    public var storageVersion: String = ""
    public var storageSupportedDrivers: [ServerStorageDriverInfo] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case addresses, architectures, certificate, driver, firewall, kernel, project, server, storage
        case certificateFingerprint = "certificate_fingerprint"
        case driverVersion = "driver_version"
        case kernelArchitecture = "kernel_architecture"
        case kernelFeatures = "kernel_features"
        case kernelVersion = "kernel_version"
        case lxcFeatures = "lxc_features"
        case osName = "os_name"
        case osVersion = "os_version"
        case serverClustered = "server_clustered"
        case serverEventMode = "server_event_mode"
        case serverName = "server_name"
        case serverPID = "server_pid"
        case serverVersion = "server_version"
        case storageVersion = "storage_version"
        case storageSupportedDrivers = "storage_supported_drivers"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        addresses = try c.lenient(.addresses, [])
        architectures = try c.lenient(.architectures, [])
        certificate = try c.lenient(.certificate, "")
        certificateFingerprint = try c.lenient(.certificateFingerprint, "")
        driver = try c.lenient(.driver, "")
        driverVersion = try c.lenient(.driverVersion, "")
        firewall = try c.lenient(.firewall, "")
        kernel = try c.lenient(.kernel, "")
        kernelArchitecture = try c.lenient(.kernelArchitecture, "")
        kernelFeatures = try c.lenient(.kernelFeatures, [:])
        kernelVersion = try c.lenient(.kernelVersion, "")
        lxcFeatures = try c.lenient(.lxcFeatures, [:])
        osName = try c.lenient(.osName, "")
        osVersion = try c.lenient(.osVersion, "")
        project = try c.lenient(.project, "")
        server = try c.lenient(.server, "")
        serverClustered = try c.lenient(.serverClustered, false)
        serverEventMode = try c.lenient(.serverEventMode, "")
        serverName = try c.lenient(.serverName, "")
        serverPID = try c.lenient(.serverPID, 0)
        serverVersion = try c.lenient(.serverVersion, "")
        storage = try c.lenient(.storage, "")
        storageVersion = try c.lenient(.storageVersion, "")
        storageSupportedDrivers = try c.lenient(.storageSupportedDrivers, [])
    }
}

/// One entry of `storage_supported_drivers`; LXD's Go struct has no JSON tags, hence the
/// capitalised keys.
public struct ServerStorageDriverInfo: Sendable, Codable, Equatable {
    public var name: String
    public var version: String
    public var remote: Bool

    public init(name: String, version: String, remote: Bool) {
        self.name = name
        self.version = version
        self.remote = remote
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case version = "Version"
        case remote = "Remote"
    }
}
