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
        let config = ServerConfig.rendered(try await state.database.serverConfig())
        let host = state.host
        var environment = ServerEnvironment()
        environment.addresses = state.https.addresses
        environment.architectures = host.architectures
        environment.certificate = state.serverCertificate.certificatePEM
        environment.certificateFingerprint = state.serverCertificate.fingerprint
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
        guard request.trust.isTrusted else { return .sync(server.untrusted) }
        return Self.serverCache.sync(server, etag: ETag.of(server.config))
    }

    private static let serverCache = EncodedResponseCache<Server>()

    /// `PUT /1.0`: replaces the server configuration (keys not named are unset).
    func serverPut(_ request: APIRequest) async throws -> APIResponse {
        try await update(request, replace: true)
    }

    /// `PATCH /1.0`: changes only the keys named.
    func serverPatch(_ request: APIRequest) async throws -> APIResponse {
        try await update(request, replace: false)
    }

    private func update(_ request: APIRequest, replace: Bool) async throws -> APIResponse {
        let current = try await state.database.serverConfig()
        try request.checkETag(ETag.of(ServerConfig.rendered(current)))
        let put = try request.decode(ServerPut.self)
        let changes = try ServerConfig.changes(put.config, current: current, replace: replace)
        if let address = changes["core.https_address"] {
            // Listen first: a bad address is refused and leaves the current listener and key alone.
            try state.https.apply(address ?? "")
        }
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

/// `PUT /1.0` body: values are strings, except the hidden keys sent back as `true`.
struct ServerPut: Decodable, Sendable {
    var config: [String: JSONValue] = [:]

    enum CodingKeys: String, CodingKey { case config }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.decodeIfPresent([String: JSONValue].self, forKey: .config) ?? [:]
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
