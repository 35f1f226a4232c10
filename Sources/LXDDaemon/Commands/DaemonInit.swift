import Foundation
import LXDAPI
import LXDHTTP
import YAML

/// `lxd init`: interactive questions, `--auto`, `--preseed` (YAML on stdin) and `--dump`; a client
/// of the daemon's own API, as in LXD (the network part of `--auto` is in `DaemonInit+Network`).
enum DaemonInit {
    struct Options {
        var auto = false
        var preseed = false
        var dump = false
        var storageBackend: String?
        var storageCreateDevice: String?
        var storageCreateLoop: Int?
        var storagePool: String?
        var networkAddress: String?
        var networkPort: Int?
        var trustPassword: String?

        static func parse(_ arguments: [String]) throws -> Options {
            var options = Options()
            var rest = arguments[...]
            func value(_ flag: String, _ inline: String?) throws -> String {
                if let inline { return inline }
                guard let next = rest.popFirst() else { throw LXDError.badRequest("flag needs an argument: \(flag)") }
                return next
            }
            while let argument = rest.popFirst() {
                let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
                let flag = parts[0]
                let inline = parts.count == 2 ? parts[1] : nil
                switch flag {
                case "--auto": options.auto = true
                case "--preseed": options.preseed = true
                case "--dump": options.dump = true
                case "--storage-backend": options.storageBackend = try value(flag, inline)
                case "--storage-create-device": options.storageCreateDevice = try value(flag, inline)
                case "--storage-pool": options.storagePool = try value(flag, inline)
                case "--network-address": options.networkAddress = try value(flag, inline)
                case "--trust-password": options.trustPassword = try value(flag, inline)
                case "--storage-create-loop":
                    let text = try value(flag, inline)
                    guard let size = Int(text), size >= 1 else {
                        throw LXDError.badRequest("Invalid loop size: \(text) (in GiB, at least 1)")
                    }
                    options.storageCreateLoop = size
                case "--network-port":
                    let text = try value(flag, inline)
                    guard let port = Int(text), (1...65535).contains(port) else { throw LXDError.badRequest("Invalid port: \(text)") }
                    options.networkPort = port
                default: throw LXDError.badRequest("unknown flag: \(argument)")
                }
            }
            let modes = [options.auto, options.preseed, options.dump].filter { $0 }.count
            if modes > 1 { throw LXDError.badRequest("Can't use --auto, --preseed or --dump together") }
            let autoOnly = [
                options.storageBackend, options.storageCreateDevice, options.storagePool, options.networkAddress, options.trustPassword,
            ]
            if !options.auto && (autoOnly.contains { $0 != nil } || options.storageCreateLoop != nil || options.networkPort != nil) {
                throw LXDError.badRequest("Configuration flags require --auto")
            }
            return options
        }
    }

    static func run(_ paths: DaemonPaths, _ arguments: [String]) -> Int32 {
        let client = HTTPClient(unixSocketPath: paths.socket)
        do {
            let options = try Options.parse(arguments)
            if options.dump {
                FileHandle.standardOutput.write(Data(try dump(client).utf8))
            } else if options.preseed {
                let input = FileHandle.standardInput.readDataToEndOfFile()
                try apply(client, try InitConfig.parse(String(decoding: input, as: UTF8.self)))
            } else if options.auto {
                try apply(client, try auto(client, paths, options))
                // As LXD: a `lxdbr0` bridge and an `eth0` NIC on it, unless a managed bridge exists.
                try autoNetwork(client)
            } else {
                let setup = try InitQuestions(client: client, paths: paths, asker: InitAsker()).ask()
                try apply(client, setup)
            }
            return 0
        } catch {
            return DaemonCommand.fail("\(error)")
        }
    }

    /// The pool `--auto` makes: `dir`, or btrfs when `$LXD_DIR` is on btrfs (a subvolume there, as
    /// LXD does), or the backend asked for on a new loop file or device.
    static func auto(_ client: HTTPClient, _ paths: DaemonPaths, _ options: Options) throws -> InitConfig {
        let pools: [String] = try call(client, "GET", "/1.0/storage-pools")
        if !pools.isEmpty {
            throw LXDError.badRequest("Failed to create local member configuration: Storage has already been configured")
        }
        let onBtrfs = BtrfsDriver.unavailableReason() == nil && HostStorage.isOnBtrfs(paths.root)
        let backend = options.storageBackend ?? (onBtrfs ? "btrfs" : "dir")
        guard ["dir", "btrfs", "lvm"].contains(backend) else {
            throw LXDError.badRequest("The requested backend '\(backend)' isn't supported by lxd init")
        }
        var pool = InitConfig.Pool(name: "default", driver: backend)
        if backend == "dir" {
            if options.storageCreateDevice != nil || options.storageCreateLoop != nil {
                throw LXDError.badRequest(
                    "None of --storage-pool, --storage-create-device or --storage-create-loop may be used with the 'dir' backend")
            }
            if let source = options.storagePool { pool.config["source"] = source }
        } else if let device = options.storageCreateDevice {
            pool.config["source"] = device
        } else if let size = options.storageCreateLoop {
            pool.config["size"] = "\(size)GiB"
        } else if let existing = options.storagePool {
            pool.config["source"] = existing
        } else if backend == "btrfs" && onBtrfs {
            pool.config["source"] = paths.pool("default")
        }
        var setup = InitConfig(
            pools: [pool],
            profiles: [InitConfig.Profile(name: "default", devices: ["root": ["type": "disk", "path": "/", "pool": "default"]])])
        if let address = options.networkAddress {
            setup.config["core.https_address"] =
                address.contains(":") && !address.hasPrefix("[") ? address : "\(address):\(options.networkPort ?? 8443)"
        }
        if let password = options.trustPassword { setup.config["core.trust_password"] = password }
        return setup
    }

    /// Applies what `lxd init` gathered: server keys, networks, pools, then profiles (merged into
    /// existing ones, as LXD updates the default profile).
    static func apply(_ client: HTTPClient, _ setup: InitConfig) throws {
        if !setup.config.isEmpty {
            let _: JSONValue = try call(client, "PATCH", "/1.0", body: ["config": setup.config])
        }
        for network in setup.networks {
            let post = NetworksPost(
                name: network.name, type: network.type, put: NetworkPut(config: network.config, description: network.description))
            let _: JSONValue = try call(client, "POST", "/1.0/networks", body: post)
        }
        for pool in setup.pools {
            let _: JSONValue = try call(
                client, "POST", "/1.0/storage-pools",
                body: StoragePoolsPost(name: pool.name, driver: pool.driver, config: pool.config, description: pool.description))
        }
        for profile in setup.profiles {
            let existing = try? call(client, "GET", "/1.0/profiles/\(profile.name)") as Profile
            if let existing {
                var put = existing.writable
                if !profile.description.isEmpty { put.description = profile.description }
                put.config.merge(profile.config) { _, new in new }
                put.devices.merge(profile.devices) { _, new in new }
                let _: JSONValue = try call(client, "PUT", "/1.0/profiles/\(profile.name)", body: put)
            } else {
                var put = ProfilePut()
                put.description = profile.description
                put.config = profile.config
                put.devices = profile.devices
                let _: JSONValue = try call(client, "POST", "/1.0/profiles", body: ProfilesPost(name: profile.name, put: put))
            }
        }
    }

    /// `lxd init --dump`: the current configuration as a preseed (LXD 5.0.2's layout).
    static func dump(_ client: HTTPClient) throws -> String {
        struct ServerConfigOnly: Decodable { var config: [String: String] = [:] }
        let config = (try call(client, "GET", "/1.0") as ServerConfigOnly).config
        let pools: [StoragePool] = try call(client, "GET", "/1.0/storage-pools?recursion=1")
        let profiles: [Profile] = try call(client, "GET", "/1.0/profiles?recursion=1")
        let networks: [Network] = try call(client, "GET", "/1.0/networks?recursion=1")
        let current = InitConfig(
            config: config,
            networks: networks.filter(\.managed).map {
                InitConfig.Network(name: $0.name, type: $0.type, description: $0.description, config: $0.config)
            },
            pools: pools.map { InitConfig.Pool(name: $0.name, driver: $0.driver, config: $0.config, description: $0.description) },
            profiles: profiles.map {
                InitConfig.Profile(name: $0.name, description: $0.description, config: $0.config, devices: $0.devices)
            })
        return current.yaml(isDump: true) + "\n"
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
