import Foundation
import LXDAPI
import LXDCore
import YAML

/// What `lxd init` sets up (LXD's `initDataNode`): server config, networks, storage pools and
/// profiles; built by the questions, `--auto` or a preseed, printed as a preseed, then applied
/// through the daemon's API.
struct InitConfig {
    struct Pool {
        var name: String
        var driver: String
        var config: [String: String] = [:]
        var description = ""
    }

    struct Network {
        var name: String
        var type = "bridge"
        var description = ""
        var config: [String: String]
    }

    struct Profile {
        var name: String
        var description = ""
        var config: [String: String] = [:]
        var devices: [String: [String: String]] = [:]
    }

    var config: [String: String] = [:]
    var networks: [Network] = []
    var pools: [Pool] = []
    var profiles: [Profile] = []

    /// The preseed YAML, in the field order of LXD 5.0.2's printout.
    var yaml: String { yaml(isDump: false) }

    /// `lxd init --dump` prints the same fields without `cluster`.
    func yaml(isDump: Bool) -> String {
        func strings(_ map: [String: String]) -> YAMLNode {
            .mapping(map.keys.sorted().map { (key: $0, value: YAMLNode.string(map[$0] ?? "")) })
        }
        let networkNodes: [YAMLNode] = networks.map { network in
            .mapping([
                (key: "config", value: strings(network.config)), (key: "description", value: .string(network.description)),
                (key: "name", value: .string(network.name)), (key: "type", value: .string(network.type)),
                (key: "project", value: .string("default")),
            ])
        }
        let poolNodes: [YAMLNode] = pools.map { pool in
            .mapping([
                (key: "config", value: strings(pool.config)), (key: "description", value: .string(pool.description)),
                (key: "name", value: .string(pool.name)), (key: "driver", value: .string(pool.driver)),
            ])
        }
        let profileNodes: [YAMLNode] = profiles.map { profile in
            .mapping([
                (key: "config", value: strings(profile.config)), (key: "description", value: .string(profile.description)),
                (
                    key: "devices",
                    value: .mapping(profile.devices.keys.sorted().map { (key: $0, value: strings(profile.devices[$0] ?? [:])) })
                ),
                (key: "name", value: .string(profile.name)),
            ])
        }
        var fields: [(key: String, value: YAMLNode)] = [
            (key: "config", value: strings(config)), (key: "networks", value: .sequence(networkNodes)),
            (key: "storage_pools", value: .sequence(poolNodes)), (key: "profiles", value: .sequence(profileNodes)),
            (key: "projects", value: .sequence([])),
        ]
        if !isDump { fields.append((key: "cluster", value: .null)) }
        return YAML.emit(.mapping(fields))
    }

    /// Reads a preseed document.
    static func parse(_ text: String) throws -> InitConfig {
        let root: YAMLNode
        do {
            root = try YAML.parse(text)
        } catch {
            throw LXDError.badRequest("Failed to parse the preseed: \(error)")
        }
        func strings(_ node: YAMLNode?) -> [String: String] {
            var map: [String: String] = [:]
            for (key, value) in node?.pairs ?? [] { map[key] = value.string ?? "" }
            return map
        }
        var result = InitConfig()
        result.config = strings(root["config"])
        for node in root["networks"]?.array ?? [] {
            guard let name = node["name"]?.string else { throw LXDError.badRequest("Invalid preseed: a network needs a name") }
            result.networks.append(
                Network(
                    name: name, type: node["type"]?.string ?? "bridge", description: node["description"]?.string ?? "",
                    config: strings(node["config"])))
        }
        for node in root["storage_pools"]?.array ?? [] {
            guard let name = node["name"]?.string, let driver = node["driver"]?.string else {
                throw LXDError.badRequest("Invalid preseed: a storage pool needs a name and a driver")
            }
            result.pools.append(
                Pool(name: name, driver: driver, config: strings(node["config"]), description: node["description"]?.string ?? ""))
        }
        for node in root["profiles"]?.array ?? [] {
            guard let name = node["name"]?.string else { throw LXDError.badRequest("Invalid preseed: a profile needs a name") }
            var profile = Profile(name: name, description: node["description"]?.string ?? "", config: strings(node["config"]))
            for (device, settings) in node["devices"]?.pairs ?? [] { profile.devices[device] = strings(settings) }
            result.profiles.append(profile)
        }
        return result
    }
}
