import Foundation
import LXDAPI
import LXDHTTP
import YAML

/// `lxd init --auto` and `lxd init --preseed`: a client of the daemon's own API, as in LXD.
/// (The interactive questions come with the storage issue; networks with the networking issue.)
enum DaemonInit {
    static func run(_ paths: DaemonPaths, _ arguments: [String]) -> Int32 {
        let client = HTTPClient(unixSocketPath: paths.socket)
        do {
            if arguments.contains("--preseed") {
                let input = FileHandle.standardInput.readDataToEndOfFile()
                try preseed(client, String(decoding: input, as: UTF8.self))
            } else if arguments.contains("--auto") {
                var backend = "dir"
                if let index = arguments.firstIndex(of: "--storage-backend"), index + 1 < arguments.count { backend = arguments[index + 1] }
                try auto(client, backend: backend)
            } else {
                return DaemonCommand.fail("Interactive lxd init is not available yet; use --auto or --preseed")
            }
            return 0
        } catch {
            return DaemonCommand.fail("\(error)")
        }
    }

    /// A `dir` pool named `default` and the default profile's root disk on it.
    static func auto(_ client: HTTPClient, backend: String) throws {
        guard backend == "dir" else { throw LXDError.badRequest("The requested backend '\(backend)' isn't supported yet") }
        let pools: [String] = try call(client, "GET", "/1.0/storage-pools")
        if !pools.isEmpty {
            throw LXDError.badRequest("Failed to create local member configuration: Storage has already been configured")
        }
        try createPool(client, name: "default", driver: "dir", config: [:])
        try addRootDisk(client, profile: "default", pool: "default")
        try autoNetwork(client)
    }

    static func preseed(_ client: HTTPClient, _ text: String) throws {
        let root = try YAML.parse(text)
        try preseedNetworks(client, root)
        for pool in root["storage_pools"]?.array ?? [] {
            guard let name = pool["name"]?.string, let driver = pool["driver"]?.string else {
                throw LXDError.badRequest("Invalid preseed: a storage pool needs a name and a driver")
            }
            var config: [String: String] = [:]
            if case .mapping(let entries) = pool["config"] ?? .null {
                for (key, value) in entries { config[key] = value.string ?? "" }
            }
            try createPool(client, name: name, driver: driver, config: config)
        }
        for profile in root["profiles"]?.array ?? [] {
            guard let name = profile["name"]?.string else { throw LXDError.badRequest("Invalid preseed: a profile needs a name") }
            var put = ProfilePut()
            put.description = profile["description"]?.string ?? (name == "default" ? "Default LXD profile" : "")
            if case .mapping(let entries) = profile["config"] ?? .null {
                for (key, value) in entries { put.config[key] = value.string ?? "" }
            }
            if case .mapping(let devices) = profile["devices"] ?? .null {
                for (device, settings) in devices {
                    var values: [String: String] = [:]
                    if case .mapping(let entries) = settings {
                        for (key, value) in entries { values[key] = value.string ?? "" }
                    }
                    put.devices[device] = values
                }
            }
            let exists = (try? client.request("GET", "/1.0/profiles/\(name)"))?.status == 200
            if exists {
                let _: JSONValue = try call(client, "PUT", "/1.0/profiles/\(name)", body: put)
            } else {
                let _: JSONValue = try call(client, "POST", "/1.0/profiles", body: ProfilesPost(name: name, put: put))
            }
        }
    }

    static func createPool(_ client: HTTPClient, name: String, driver: String, config: [String: String]) throws {
        let _: JSONValue = try call(
            client, "POST", "/1.0/storage-pools", body: StoragePoolsPost(name: name, driver: driver, config: config))
    }

    static func addRootDisk(_ client: HTTPClient, profile: String, pool: String) throws {
        let current: Profile = try call(client, "GET", "/1.0/profiles/\(profile)")
        var put = current.writable
        put.devices["root"] = ["type": "disk", "path": "/", "pool": pool]
        let _: JSONValue = try call(client, "PUT", "/1.0/profiles/\(profile)", body: put)
    }

    /// One sync API call; an error envelope becomes an `LXDError`.
    static func call<T: Decodable>(_ client: HTTPClient, _ method: String, _ path: String, body: (some Encodable)? = nil as JSONValue?)
        throws -> T
    {
        var headers = HTTPHeaders()
        var data: Data?
        if let body {
            data = try LXDJSON.encode(body)
            headers["Content-Type"] = "application/json"
        }
        let response = try client.request(method, path, headers: headers, body: data)
        let envelope = try LXDJSON.decode(ResponseRaw.self, from: response.body)
        if envelope.type == "error" { throw LXDError(HTTPStatus(envelope.errorCode), envelope.error) }
        return try envelope.metadata.decode(T.self)
    }
}
