import Foundation
import LXDAPI
import LXDCore
import LXDOS

/// The managed networks: their rows, bringing them up and down through their drivers, the
/// dnsmasq processes it supervises, and what the API shows (used_by, leases, state). Also the
/// host side of instance NICs (`NetworkManager+NICs.swift`).
actor NetworkManager {
    let paths: DaemonPaths
    let database: Database
    let events: EventHub
    let logger: Logger
    private(set) var firewall: (any Firewall)?
    private var firewallDetected = false
    /// The dnsmasq pid each running network is expected to have; a watcher restarts dnsmasq
    /// when exactly that pid dies.
    private var supervised: [String: Int32] = [:]
    private var restarts: [String: Int] = [:]
    let locks = KeyedAsyncLocks()

    init(paths: DaemonPaths, database: Database, events: EventHub, logger: Logger) {
        self.paths = paths
        self.database = database
        self.events = events
        self.logger = logger
    }

    func detectFirewall() async -> (any Firewall)? {
        if !firewallDetected {
            firewall = await FirewallDetector.detect()
            firewallDetected = true
        }
        return firewall
    }

    func driver(for type: String) async -> (any NetworkDriver)? {
        NetworkDrivers.driver(for: type, firewall: await detectFirewall())
    }

    func record(_ name: String) async throws -> NetworkRecord {
        guard let record = try await database.network(named: name) else {
            throw LXDError.notFound("Failed loading network: Network not found")
        }
        return record
    }

    // MARK: Names and subnets

    /// LXD's interface name rules (a managed network is a host interface of that name, and the
    /// name reaches ip, nft and dnsmasq arguments and the network's folder): 2 to 15 characters
    /// from [-_a-zA-Z0-9.]. ".." is refused too (LXD finds it "already exists").
    static func validateName(_ name: String) throws {
        guard !name.isEmpty else { throw LXDError.badRequest("No name provided") }
        guard name.utf8.count >= 2 else { throw LXDError.badRequest("Network interface is too short (minimum 2 characters)") }
        guard name.utf8.count <= 15 else { throw LXDError.badRequest("Network interface is too long (maximum 15 characters)") }
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
        }
        guard allowed, name != ".." else { throw LXDError.badRequest("Network interface contains invalid characters") }
    }

    /// Subnets in use here, except those of `excluding`: other managed networks, addresses on
    /// the namespace's interfaces and its routes.
    func takenSubnets(excluding: String?) async throws -> [(owner: String, subnet: IPNetwork)] {
        var taken: [(String, IPNetwork)] = []
        for record in try await database.networks() where record.name != excluding {
            guard let driver = await driver(for: record.type) else { continue }
            taken += driver.subnets(config: record.config).map { ("network \"\(record.name)\"", $0) }
        }
        for link in await LinkInfo.list() where link.name != excluding && link.lxdType != "loopback" {
            for address in link.addresses where address.scope != "link" {
                if let ip = IPAddress(address.address) {
                    taken.append(("interface \"\(link.name)\"", IPNetwork(address: ip, prefix: address.prefix)))
                }
            }
        }
        return taken
    }

    /// Refuses a config whose subnets overlap anything else here.
    func checkOverlaps(name: String, config: [String: String], driver: any NetworkDriver) async throws {
        let taken = try await takenSubnets(excluding: name)
        for subnet in driver.subnets(config: config) {
            if let clash = taken.first(where: { $0.subnet.overlaps(subnet) }) {
                let key = subnet.isIPv4 ? "ipv4.address" : "ipv6.address"
                throw LXDError.badRequest(
                    "Invalid value for network \"\(name)\" option \"\(key)\": Subnet \"\(subnet.subnet)\" overlaps with \(clash.owner) (\(clash.subnet.subnet))"
                )
            }
        }
    }

    // MARK: Create, update, rename, delete

    func create(_ post: NetworksPost, requestor: EventLifecycleRequestor?) async throws {
        try Self.validateName(post.name)
        let type = post.type.isEmpty ? "bridge" : post.type
        if NetworkDrivers.unbuilt.contains(type) {
            throw LXDError.notImplemented("Network type \"\(type)\" is not supported yet")
        }
        guard let driver = await driver(for: type) else { throw LXDError.badRequest("Unknown driver") }
        let lock = locks.lock(for: post.name)
        await lock.lock()
        defer { lock.unlock() }
        if try await database.network(named: post.name) != nil { throw LXDError.badRequest("The network already exists") }
        try driver.validate(name: post.name, config: post.put.config)
        if type == "bridge", HostTool.linkExists(post.name) {
            throw LXDError.badRequest("Network interface \"\(post.name)\" already exists on the host")
        }
        let taken = try await takenSubnets(excluding: post.name).map(\.subnet)
        let config = try driver.fillDefaults(name: post.name, config: post.put.config, taken: taken)
        try await checkOverlaps(name: post.name, config: config, driver: driver)
        let record = NetworkRecord(name: post.name, type: type, description: post.put.description, config: config)
        try await database.createNetwork(record)
        do {
            try await startNetwork(record, driver: driver)
        } catch {
            try? await database.deleteNetwork(name: post.name)
            try? FileManager.default.removeItem(atPath: paths.network(post.name))
            throw error
        }
        events.lifecycle("network-created", source: "/1.0/networks/\(post.name)", requestor: requestor)
    }

    /// PUT (replace) or PATCH (merge) of a network's config and description.
    func update(_ name: String, _ put: NetworkPut, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        let old = try await record(name)
        guard let driver = await driver(for: old.type) else { throw LXDError.internalError("Unknown driver") }
        try driver.validate(name: name, config: put.config)
        var config = put.config
        for (key, value) in config where value.isEmpty { config[key] = nil }
        // `auto` in an update picks a new subnet, as at create.
        if config["ipv4.address"] == "auto" || config["ipv6.address"] == "auto" {
            let taken = try await takenSubnets(excluding: name).map(\.subnet)
            config = try driver.fillDefaults(name: name, config: config, taken: taken)
        }
        try await checkOverlaps(name: name, config: config, driver: driver)
        let new = NetworkRecord(id: old.id, name: name, type: old.type, description: put.description, config: config)
        try await database.updateNetwork(name: name, put: new.put)
        if Self.needsRestart(old.config, new.config) {
            do {
                try await startNetwork(new, driver: driver)
            } catch {
                try? await database.updateNetwork(name: name, put: old.put)
                try? await startNetwork(old, driver: driver)
                throw error
            }
        }
        events.lifecycle("network-updated", source: "/1.0/networks/\(name)", requestor: requestor)
    }

    /// Only `user.*` keys can change without touching the running network.
    static func needsRestart(_ old: [String: String], _ new: [String: String]) -> Bool {
        old.filter { !$0.key.hasPrefix("user.") } != new.filter { !$0.key.hasPrefix("user.") }
    }

    func rename(_ name: String, to newName: String, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        let old = try await record(name)
        try Self.validateName(newName)
        if !(try await usedBy(old)).isEmpty { throw LXDError.badRequest("Network is currently in use") }
        if try await database.network(named: newName) != nil {
            throw LXDError.conflict("Network \"\(newName)\" already exists")
        }
        guard let driver = await driver(for: old.type) else { throw LXDError.internalError("Unknown driver") }
        await stopNetwork(old, driver: driver)
        try? FileManager.default.removeItem(atPath: paths.network(name))
        try await database.renameNetwork(from: name, to: newName)
        var renamed = old
        renamed.name = newName
        try await startNetwork(renamed, driver: driver)
        events.lifecycle(
            "network-renamed", source: "/1.0/networks/\(newName)", context: ["old_name": .string(name)], requestor: requestor)
    }

    func delete(_ name: String, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        let record = try await record(name)
        if !(try await usedBy(record)).isEmpty { throw LXDError.badRequest("The network is currently in use") }
        if let driver = await driver(for: record.type) { await stopNetwork(record, driver: driver) }
        try? FileManager.default.removeItem(atPath: paths.network(name))
        try await database.deleteNetwork(name: name)
        events.lifecycle("network-deleted", source: "/1.0/networks/\(name)", requestor: requestor)
    }

    // MARK: Running networks

    private func startNetwork(_ record: NetworkRecord, driver: any NetworkDriver) async throws {
        supervised[record.name] = nil
        try await driver.start(record, hosts: try await hosts(for: record), paths: paths)
        supervise(record)
    }

    private func stopNetwork(_ record: NetworkRecord, driver: any NetworkDriver) async {
        supervised[record.name] = nil
        await driver.stop(record, paths: paths)
    }

    /// Watches the network's dnsmasq: if it dies while it should run, it is started again
    /// (a few times; then the failure is logged and left alone).
    private func supervise(_ record: NetworkRecord) {
        guard let pid = Dnsmasq(network: record.name, directory: paths.network(record.name)).runningPID() else { return }
        supervised[record.name] = pid
        Task { [weak self] in
            let status = await ProcessSupervisor.shared.wait(pid: pid)
            await self?.dnsmasqExited(record.name, pid: pid, status: status)
        }
    }

    private func dnsmasqExited(_ name: String, pid: Int32, status: ExitStatus) async {
        guard supervised[name] == pid else { return }
        supervised[name] = nil
        let count = (restarts[name] ?? 0) + 1
        restarts[name] = count
        logger.warning("dnsmasq exited", ["network": name, "status": "\(status)"])
        guard count <= 5, let record = try? await database.network(named: name), let driver = await driver(for: record.type) else { return }
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        do {
            try await startNetwork(record, driver: driver)
        } catch {
            logger.error("Failed restarting network", ["network": name, "err": "\(error)"])
        }
    }

    /// At daemon start: every managed network comes up again (an old dnsmasq is replaced).
    func restoreAll() async {
        guard let records = try? await database.networks() else { return }
        for record in records {
            guard let driver = await driver(for: record.type) else { continue }
            do {
                try await startNetwork(record, driver: driver)
            } catch {
                logger.error("Failed starting network", ["network": record.name, "err": "\(error)"])
            }
        }
    }

    /// `lxd shutdown`: takes every managed network down (the next start restores them).
    func stopAll() async {
        guard let records = try? await database.networks() else { return }
        for record in records {
            if let driver = await driver(for: record.type) { await stopNetwork(record, driver: driver) }
        }
    }

    // MARK: What the API shows

    /// Profiles and instances with a NIC on this network.
    func usedBy(_ record: NetworkRecord) async throws -> [String] {
        var users: [String] = []
        let networks = try await database.networks()
        func uses(_ devices: Devices) -> Bool {
            NICDevice.nics(devices).contains { device, settings in
                if let nic = try? NICDevice.resolve(device, settings, networks: networks) { return nic.network?.name == record.name }
                return settings["network"] == record.name || settings["parent"] == record.name
            }
        }
        for profile in try await database.profiles() where uses(profile.put.devices) {
            users.append("/1.0/profiles/\(profile.name)")
        }
        for instance in try await database.instances() where uses(instance.devices) {
            users.append("/1.0/instances/\(instance.name)")
        }
        return users
    }

    func api(_ record: NetworkRecord) async throws -> Network {
        Network(
            name: record.name, type: record.type, config: record.config, description: record.description,
            usedBy: try await usedBy(record), managed: true, status: "Created", locations: ["none"])
    }

    /// Managed networks, then the host's other interfaces as LXD lists them (unmanaged).
    func list() async throws -> [Network] {
        var result: [Network] = []
        let records = try await database.networks()
        for record in records { result.append(try await api(record)) }
        let managed = Set(records.map(\.name))
        for link in await LinkInfo.list() where !managed.contains(link.name) {
            result.append(try await unmanaged(link))
        }
        return result
    }

    /// A host interface that is not a managed network.
    func unmanaged(_ link: LinkInfo) async throws -> Network {
        var usedBy: [String] = []
        for instance in try await database.instances()
        where NICDevice.nics(instance.devices).contains(where: { $0.1["parent"] == link.name }) {
            usedBy.append("/1.0/instances/\(instance.name)")
        }
        let type: String
        switch link.kind {
        case "bridge": type = "bridge"
        case "macvlan": type = "macvlan"
        case "vlan": type = "vlan"
        case "bond": type = "bond"
        case "": type = link.lxdType == "loopback" ? "loopback" : "physical"
        default: type = "unknown"
        }
        return Network(name: link.name, type: type, usedBy: usedBy, managed: false, status: "", locations: nil)
    }

    /// `GET /1.0/networks/NAME`: a managed network, or a host interface of that name.
    func get(_ name: String) async throws -> (network: Network, record: NetworkRecord?) {
        if let record = try await database.network(named: name) { return (try await api(record), record) }
        guard let link = await LinkInfo.list(name).first, link.name == name else { throw LXDError.notFound("Network not found") }
        return (try await unmanaged(link), nil)
    }

    func state(_ name: String) async throws -> NetworkState {
        if let record = try await database.network(named: name), let driver = await driver(for: record.type) {
            return try await driver.state(record)
        }
        guard let link = await LinkInfo.list(name).first, link.name == name else { throw LXDError.notFound("Network not found") }
        return NetworkState.from(link)
    }

    /// The static DHCP hosts of a managed bridge: every instance NIC on it that has a MAC.
    func hosts(for network: NetworkRecord) async throws -> [Dnsmasq.Host] {
        guard network.type == "bridge" else { return [] }
        var hosts: [Dnsmasq.Host] = []
        let networks = try await database.networks()
        for instance in try await database.instances() {
            let devices = instance.expanded(with: try await database.profiles(named: instance.profiles)).devices
            for (device, settings) in NICDevice.nics(devices) {
                guard let nic = try? NICDevice.resolve(device, settings, networks: networks), nic.network?.name == network.name,
                    let hwaddr = settings["hwaddr"] ?? instance.config["volatile.\(device).hwaddr"]
                else { continue }
                hosts.append(
                    Dnsmasq.Host(
                        instance: instance.name, device: device, hwaddr: hwaddr, ipv4: settings["ipv4.address"],
                        ipv6: settings["ipv6.address"]))
            }
        }
        return hosts
    }

    /// Rewrites the DHCP hosts of every managed bridge (after instances change).
    func refreshHosts() async {
        guard let records = try? await database.networks() else { return }
        for record in records {
            guard let driver = await driver(for: record.type), let hosts = try? await hosts(for: record) else { continue }
            driver.refreshHosts(record, hosts: hosts, paths: paths)
        }
    }

    /// `GET /1.0/networks/NAME/leases`: the gateway addresses, the instances' SLAAC addresses
    /// and static leases, then what dnsmasq handed out.
    func leases(_ name: String) async throws -> [NetworkLease] {
        let record = try await record(name)
        guard record.type == "bridge" else { throw LXDError.badRequest("Network \"\(name)\" isn't a bridge") }
        let config = BridgeConfig(record.config)
        var leases: [NetworkLease] = []
        for address in [config.ipv4?.address, config.ipv6?.address].compactMap({ $0 }) {
            leases.append(NetworkLease(hostname: "\(name).gw", hwaddr: "", address: "\(address)", type: "gateway", location: ""))
        }
        let hosts = try await hosts(for: record)
        var known: Set<String> = []
        for host in hosts {
            if let ipv4 = host.ipv4 {
                leases.append(NetworkLease(hostname: host.instance, hwaddr: host.hwaddr, address: ipv4, type: "static", location: "none"))
                known.insert(ipv4)
            }
            if let ipv6 = host.ipv6 {
                leases.append(NetworkLease(hostname: host.instance, hwaddr: host.hwaddr, address: ipv6, type: "static", location: "none"))
                known.insert(ipv6)
            } else if let ipv6 = config.ipv6, !config.ipv6DHCPStateful, let slaac = IPAddress.slaac(prefix: ipv6.network, mac: host.hwaddr)
            {
                leases.append(
                    NetworkLease(hostname: host.instance, hwaddr: host.hwaddr, address: "\(slaac)", type: "dynamic", location: "none"))
                known.insert("\(slaac)")
            }
        }
        for lease in Dnsmasq(network: name, directory: paths.network(name)).leases() where !known.contains(lease.address) {
            let host = hosts.first { $0.hwaddr == lease.hwaddr }
            leases.append(
                NetworkLease(
                    hostname: host?.instance ?? lease.hostname, hwaddr: lease.hwaddr, address: lease.address, type: "dynamic",
                    location: "none"))
        }
        return leases
    }
}
