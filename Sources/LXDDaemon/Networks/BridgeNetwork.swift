import Foundation
import LXDAPI
import LXDCore

/// The `bridge` network: a Linux bridge with the network's addresses, NAT and filter rules in
/// our firewall table, and a dnsmasq for DHCP and DNS. Everything goes through `ip`, `nft` and
/// dnsmasq in the daemon's network namespace.
struct BridgeNetwork: NetworkDriver {
    let firewall: (any Firewall)?
    var type: String { "bridge" }

    func validate(name: String, config: [String: String]) throws {
        try BridgeConfig.validate(network: name, config)
    }

    func fillDefaults(name: String, config: [String: String], taken: [IPNetwork]) throws -> [String: String] {
        var config = config
        if (config["ipv4.address"] ?? "").isEmpty { config["ipv4.address"] = "auto" }
        if config["ipv4.address"] == "auto" && (config["ipv4.nat"] ?? "").isEmpty { config["ipv4.nat"] = "true" }
        if (config["ipv6.address"] ?? "").isEmpty && Self.hostHasIPv6 { config["ipv6.address"] = "auto" }
        if config["ipv6.address"] == "auto" && (config["ipv6.nat"] ?? "").isEmpty { config["ipv6.nat"] = "true" }
        if config["ipv4.address"] == "auto" {
            guard let subnet = Self.freeIPv4(avoiding: taken) else {
                throw LXDError.internalError("Failed to automatically find an unused IPv4 subnet, manual configuration required")
            }
            config["ipv4.address"] = "\(subnet)"
        }
        if config["ipv6.address"] == "auto" {
            guard let subnet = Self.freeIPv6(avoiding: taken) else {
                throw LXDError.internalError("Failed to automatically find an unused IPv6 subnet, manual configuration required")
            }
            config["ipv6.address"] = "\(subnet)"
        }
        return config
    }

    func subnets(config: [String: String]) -> [IPNetwork] {
        ["ipv4.address", "ipv6.address"].compactMap { config[$0].flatMap { IPNetwork(cidr: $0) } }
    }

    func parent(_ network: NetworkRecord) -> String { network.name }

    /// IPv6 is usable in this network namespace (`auto` then means a ULA /64, else `none`).
    static var hostHasIPv6: Bool {
        HostTool.readSysctl("net/ipv6/conf/default/disable_ipv6") == "0"
    }

    /// A random private /24 under 10.0.0.0/8 that overlaps nothing in `taken`, gateway `.1`.
    static func freeIPv4(avoiding taken: [IPNetwork]) -> IPNetwork? {
        for _ in 0..<200 {
            let candidate = IPNetwork(address: IPAddress(bytes: [10, UInt8.random(in: 0...255), UInt8.random(in: 0...255), 1]), prefix: 24)
            if !taken.contains(where: { $0.overlaps(candidate) }) { return candidate }
        }
        return nil
    }

    /// A random ULA /64 (fd42::/16 as LXD picks them), gateway `::1`.
    static func freeIPv6(avoiding taken: [IPNetwork]) -> IPNetwork? {
        for _ in 0..<200 {
            var bytes: [UInt8] = [0xfd, 0x42] + (0..<6).map { _ in UInt8.random(in: 0...255) } + [UInt8](repeating: 0, count: 8)
            bytes[15] = 1
            let candidate = IPNetwork(address: IPAddress(bytes: bytes), prefix: 64)
            if !taken.contains(where: { $0.overlaps(candidate) }) { return candidate }
        }
        return nil
    }

    /// A stable MAC for the bridge, derived from its name (LXD's `00:16:3e` prefix).
    static func hwaddr(for name: String) -> String {
        let digest = Array(SHA256.hex(of: Data(("swiftlxd-bridge-" + name).utf8)).prefix(6))
        let tail = stride(from: 0, to: 6, by: 2).map { String(digest[$0..<$0 + 2]) }
        return (["00", "16", "3e"] + tail).joined(separator: ":")
    }

    func start(_ network: NetworkRecord, hosts: [Dnsmasq.Host], paths: DaemonPaths) async throws {
        let name = network.name
        let created = !HostTool.linkExists(name)
        do {
            try await setUp(network, created: created, hosts: hosts, paths: paths)
        } catch {
            // Undo what this attempt made; a bridge that was already there stays.
            await Dnsmasq(network: name, directory: paths.network(name)).stop()
            await firewall?.remove(network: name)
            if created { await HostTool.attempt("ip", ["link", "del", "dev", name]) }
            throw error
        }
    }

    private func setUp(_ network: NetworkRecord, created: Bool, hosts: [Dnsmasq.Host], paths: DaemonPaths) async throws {
        let name = network.name
        let config = BridgeConfig(network.config)
        if created {
            try await HostTool.run("ip", ["link", "add", "dev", name, "type", "bridge"])
        }
        try await HostTool.run("ip", ["link", "set", "dev", name, "mtu", String(config.mtu ?? 1500)])
        try await HostTool.run("ip", ["link", "set", "dev", name, "address", config.hwaddr ?? Self.hwaddr(for: name)])
        if config.ipv6 != nil {
            HostTool.sysctl("net/ipv6/conf/\(name)/disable_ipv6", "0")
            HostTool.sysctl("net/ipv6/conf/\(name)/accept_dad", "0")
        }
        try await HostTool.run("ip", ["link", "set", "dev", name, "up"])
        await HostTool.attempt("ip", ["-4", "addr", "flush", "dev", name, "scope", "global"])
        await HostTool.attempt("ip", ["-6", "addr", "flush", "dev", name, "scope", "global"])
        if let ipv4 = config.ipv4 {
            try await HostTool.run("ip", ["-4", "addr", "add", "\(ipv4)", "dev", name])
            HostTool.sysctl("net/ipv4/ip_forward", "1")
        }
        if let ipv6 = config.ipv6 {
            try await HostTool.run("ip", ["-6", "addr", "add", "\(ipv6)", "dev", name, "nodad"])
            Self.enableIPv6Forwarding()
        }
        let directory = paths.network(name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(paths.networks, 0o711)
        chmod(directory, 0o711)
        if let firewall {
            try await firewall.apply(network: name, config: config, scratch: directory)
        }
        let dnsmasq = Dnsmasq(network: name, directory: directory)
        await dnsmasq.stop()
        if config.ipv4 != nil || config.ipv6 != nil {
            _ = try await dnsmasq.start(config, hosts: hosts)
        }
    }

    /// Forwarding on, and hosts that took their own address from router advertisements keep
    /// doing so (`accept_ra=2`), as LXD does when it turns IPv6 forwarding on.
    static func enableIPv6Forwarding() {
        let folder = "/proc/sys/net/ipv6/conf"
        for interface in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where HostTool.readSysctl("net/ipv6/conf/\(interface)/accept_ra") == "1" {
            HostTool.sysctl("net/ipv6/conf/\(interface)/accept_ra", "2")
        }
        HostTool.sysctl("net/ipv6/conf/all/forwarding", "1")
    }

    func stop(_ network: NetworkRecord, paths: DaemonPaths) async {
        await Dnsmasq(network: network.name, directory: paths.network(network.name)).stop()
        await firewall?.remove(network: network.name)
        if HostTool.linkExists(network.name) {
            await HostTool.attempt("ip", ["link", "del", "dev", network.name])
        }
    }

    func refreshHosts(_ network: NetworkRecord, hosts: [Dnsmasq.Host], paths: DaemonPaths) {
        let dnsmasq = Dnsmasq(network: network.name, directory: paths.network(network.name))
        guard FileManager.default.fileExists(atPath: paths.network(network.name)) else { return }
        try? dnsmasq.writeHosts(hosts)
        dnsmasq.reload()
    }

    func state(_ network: NetworkRecord) async throws -> NetworkState {
        guard let link = await LinkInfo.list(network.name).first else {
            throw LXDError.notFound("Interface \"\(network.name)\" not found")
        }
        var state = NetworkState.from(link)
        if link.kind == "bridge" {
            var bridge = NetworkStateBridge()
            bridge.id = link.bridgeID
            bridge.stp = link.bridgeSTP
            bridge.forwardDelay = link.bridgeForwardDelay
            bridge.vlanDefault = link.bridgeVLANDefault
            bridge.vlanFiltering = link.bridgeVLANFiltering
            bridge.upperDevices = await LinkInfo.ports(of: network.name)
            state.bridge = bridge
        }
        return state
    }
}

extension NetworkState {
    /// The state of any interface as `ip` reports it.
    static func from(_ link: LinkInfo) -> NetworkState {
        var state = NetworkState()
        state.addresses = link.stateAddresses.map {
            NetworkStateAddress(family: $0.family, address: $0.address, netmask: $0.netmask, scope: $0.scope)
        }
        state.counters = NetworkStateCounters(
            bytesReceived: link.rxBytes, bytesSent: link.txBytes, packetsReceived: link.rxPackets, packetsSent: link.txPackets)
        state.hwaddr = link.lxdType == "loopback" ? "" : link.hwaddr
        state.mtu = link.mtu
        state.state = link.isUp ? "up" : "down"
        state.type = link.lxdType
        return state
    }
}

/// The `macvlan` network: nothing on the host of its own, a named parent for NICs that use it
/// (`network=NAME` then means a macvlan NIC on `parent`).
struct MacvlanNetwork: NetworkDriver {
    var type: String { "macvlan" }

    static let keys: Set<String> = ["parent", "mtu", "vlan", "gvrp", "maas.subnet.ipv4", "maas.subnet.ipv6"]

    func validate(name: String, config: [String: String]) throws {
        for key in config.keys.sorted() where !key.hasPrefix("user.") && !Self.keys.contains(key) {
            throw LXDError.badRequest("Invalid option for network \"\(name)\" option \"\(key)\"")
        }
        guard let parent = config["parent"], !parent.isEmpty else {
            throw LXDError.badRequest("Invalid value for network \"\(name)\" option \"parent\": Required value")
        }
        if let mtu = config["mtu"], !mtu.isEmpty {
            do {
                try BridgeConfig.checkMTU(mtu)
            } catch {
                throw LXDError.badRequest("Invalid value for network \"\(name)\" option \"mtu\": \(error.message)")
            }
        }
        guard HostTool.linkExists(parent) else { throw LXDError.badRequest("Parent interface \"\(parent)\" not found") }
    }

    func fillDefaults(name: String, config: [String: String], taken: [IPNetwork]) throws -> [String: String] { config }
    func subnets(config: [String: String]) -> [IPNetwork] { [] }
    func start(_ network: NetworkRecord, hosts: [Dnsmasq.Host], paths: DaemonPaths) async throws {}
    func stop(_ network: NetworkRecord, paths: DaemonPaths) async {}
    func refreshHosts(_ network: NetworkRecord, hosts: [Dnsmasq.Host], paths: DaemonPaths) {}
    func parent(_ network: NetworkRecord) -> String { network.config["parent"] ?? "" }

    func state(_ network: NetworkRecord) async throws -> NetworkState {
        guard let link = await LinkInfo.list(parent(network)).first else {
            throw LXDError.notFound("Interface \"\(parent(network))\" not found")
        }
        return NetworkState.from(link)
    }
}
