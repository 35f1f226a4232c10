import Foundation
import LXDAPI
import LXDCore

/// `/`, `/1.0` and the daemon's internal endpoints.
struct ServerAPI: Sendable {
    let state: DaemonState

    func rootGet(_ request: APIRequest) async throws -> APIResponse {
        .sync(["/1.0"])
    }

    func serverGet(_ request: APIRequest) async throws -> APIResponse {
        let config = try await state.database.serverConfig()
        let host = state.host
        var environment = ServerEnvironment()
        environment.addresses = []
        environment.architectures = host.architectures
        environment.driver = "lxc"
        environment.driverVersion = host.lxcVersion
        environment.firewall = await state.networks.detectFirewall()?.name ?? "nftables"
        environment.kernel = "Linux"
        environment.kernelArchitecture = host.kernelArchitecture
        environment.kernelFeatures = [
            "idmapped_mounts": "false", "netnsid_getifaddrs": "false", "seccomp_listener": "false",
            "seccomp_listener_continue": "false", "shiftfs": "false", "uevent_injection": "false", "unpriv_fscaps": "true",
        ]
        environment.kernelVersion = host.kernelVersion
        environment.lxcFeatures = ["cgroup2": "true", "devpts_fd": "true", "pidfd": "true", "mount_injection_file": "true"]
        environment.osName = host.osName
        environment.osVersion = host.osVersion
        environment.project = "default"
        environment.server = "lxd"
        environment.serverClustered = false
        environment.serverEventMode = "full-mesh"
        environment.serverName = host.hostname
        environment.serverPID = Int(host.pid)
        environment.serverVersion = DaemonVersion.version
        let inUse = await state.storage.driversInUse()
        environment.storage = inUse.names
        environment.storageVersion = inUse.versions
        environment.storageSupportedDrivers = await state.storage.supportedDrivers()
        let server = Server(config: config, apiExtensions: APIExtensions.all, auth: "trusted", environment: environment)
        return .sync(server, etag: ETag.of(config))
    }

    /// `PUT /1.0`: the server's config keys (only those the daemon knows; the full set comes with remotes).
    func serverPut(_ request: APIRequest) async throws -> APIResponse {
        let current = try await state.database.serverConfig()
        try request.checkETag(ETag.of(current))
        let put = try request.decode(ServerPut.self)
        try ServerConfig.validate(put.config)
        var changes: [String: String?] = [:]
        for key in current.keys where put.config[key] == nil { changes[key] = .some(nil) }
        for (key, value) in put.config { changes[key] = value.isEmpty ? .some(nil) : value }
        try await state.database.setServerConfig(changes)
        return .emptyObject
    }

    func serverPatch(_ request: APIRequest) async throws -> APIResponse {
        let current = try await state.database.serverConfig()
        try request.checkETag(ETag.of(current))
        let put = try request.decode(ServerPut.self)
        try ServerConfig.validate(put.config)
        var changes: [String: String?] = [:]
        for (key, value) in put.config { changes[key] = value.isEmpty ? .some(nil) : value }
        try await state.database.setServerConfig(changes)
        return .emptyObject
    }

    /// `GET /internal/ready`: 200 once the daemon has finished starting (`lxd waitready`).
    func readyGet(_ request: APIRequest) async throws -> APIResponse {
        .sync(JSONValue.null)
    }

    /// `PUT /internal/shutdown`: stops the instances (they start again with the daemon), then exits.
    func shutdownPut(_ request: APIRequest) async throws -> APIResponse {
        let timeout = Int(request.query["timeout"] ?? "") ?? 60
        await state.instances.stopAllForShutdown(timeout: timeout)
        await state.networks.stopAll()
        await state.storage.unmountAll()
        state.requestExit()
        return .sync(JSONValue.null)
    }
}

/// `PUT /1.0` body.
struct ServerPut: Codable, Sendable {
    var config: [String: String] = [:]

    enum CodingKeys: String, CodingKey { case config }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.decodeIfPresent([String: String].self, forKey: .config) ?? [:]
    }
}

/// Server configuration keys and their validation (the rest of LXD's keys arrive with their issues).
enum ServerConfig {
    static let keys: Set<String> = [
        "images.auto_update_interval", "images.auto_update_cached", "images.remote_cache_expiry", "images.compression_algorithm",
        "core.https_address", "core.trust_password",
    ]

    static func validate(_ config: [String: String]) throws {
        for (key, value) in config {
            guard keys.contains(key) || key.hasPrefix("user.") else {
                throw LXDError.badRequest("Invalid option \"\(key)\"")
            }
            if key == "images.auto_update_interval" || key == "images.remote_cache_expiry", !value.isEmpty, Int(value) == nil {
                throw LXDError.badRequest("Invalid value for \"\(key)\": Invalid integer \"\(value)\"")
            }
        }
    }
}

/// ETags: the SHA-256 of the canonical JSON of an object's editable fields.
enum ETag {
    static func of(_ value: some Encodable) -> String {
        guard let data = try? LXDJSON.encode(value) else { return "" }
        return SHA256.hex(of: data)
    }
}

public enum DaemonVersion {
    /// The LXD version whose API we serve.
    public static let version = "5.0.2"
}

/// `/internal/containers/{name}/onstop`: what `lxd callhook` reports from liblxc's post-stop
/// hook. Answered at once: liblxc waits for the hook, and a stop in progress holds the lock.
struct InternalAPI: Sendable {
    let state: DaemonState

    func onStopPost(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        let instances = state.instances
        Task { await instances.stoppedByHook(name) }
        return .sync(JSONValue.null)
    }
}
