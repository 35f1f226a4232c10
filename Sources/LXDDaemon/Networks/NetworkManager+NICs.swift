import Foundation
import LXDAPI
import LXDCore

/// One NIC handed to liblxc: a host-made interface (`lxc.net.N.type = phys`) that liblxc moves
/// into the container and renames, as LXD does it.
struct LXCNetEntry: Sendable, Equatable {
    /// The interface's temporary name in the daemon's namespace.
    var link: String
    /// Its name inside the container (`eth0`).
    var name: String
}

/// What starting an instance's NICs made, for the config, the volatile keys and the undo.
struct NICStartPlan: Sendable {
    var entries: [LXCNetEntry] = []
    var volatile: [String: String] = [:]
    /// Interfaces made in the daemon's namespace, deleted again if the start fails.
    var created: [String] = []
    /// Host-side interface and its limits (bits/s) to apply once the container runs.
    var limits: [(host: String, ingress: UInt64?, egress: UInt64?)] = []
}

extension NetworkManager {
    /// NIC validation for a create or an update (LXD's "Invalid devices: ..." errors).
    func validateNICs(_ devices: Devices, instance: String) async throws {
        try NICDevice.validate(devices, instance: instance, networks: try await database.networks())
    }

    private func resolveForStart(_ device: String, _ settings: [String: String], networks: [NetworkRecord]) throws -> NICDevice {
        do {
            return try NICDevice.resolve(device, settings, networks: networks)
        } catch {
            throw LXDError.badRequest("Failed start validation for device \"\(device)\": \(error.message)")
        }
    }

    /// A name for a new host-side interface: `prefix` + 8 hex digits, unused here.
    static func randomLinkName(_ prefix: String) -> String {
        while true {
            let name = prefix + String(format: "%08x", UInt32.random(in: 0...UInt32.max))
            if !HostTool.linkExists(name) { return name }
        }
    }

    /// The IFB device that shapes what an instance sends (the host side's ingress is redirected
    /// to it; the kernel here has no policing action).
    static func ifbName(for host: String) -> String {
        if host.hasPrefix("veth"), host.utf8.count <= 15 { return "ifb" + host.dropFirst(4) }
        var hash: UInt32 = 2_166_136_261
        for byte in host.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return "ifb" + String(format: "%08x", hash)
    }

    /// Makes the host side of every NIC before the container starts: veth pairs (bridged to
    /// their bridge, or p2p) and macvlans, with their MAC and MTU. Names not set by the user
    /// are allocated and recorded in volatile keys as LXD does (`volatile.eth0.hwaddr`,
    /// `volatile.eth0.host_name`, `volatile.eth0.name`).
    func prepareStart(_ instance: InstanceRecord, devices: Devices, reservedNames: Set<String> = []) async throws -> NICStartPlan {
        var plan = NICStartPlan()
        let nics = NICDevice.nics(devices)
        guard !nics.isEmpty else { return plan }
        let networks = try await database.networks()
        var usedNames = reservedNames.union(nics.compactMap { $0.1["name"] })
        for (device, _) in nics { if let name = instance.config["volatile.\(device).name"] { usedNames.insert(name) } }
        do {
            for (device, settings) in nics {
                let nic = try resolveForStart(device, settings, networks: networks)
                var ifname = settings["name"] ?? instance.config["volatile.\(device).name"]
                if ifname == nil {
                    var index = 0
                    while usedNames.contains("eth\(index)") { index += 1 }
                    ifname = "eth\(index)"
                    usedNames.insert("eth\(index)")
                    plan.volatile["volatile.\(device).name"] = "eth\(index)"
                }
                let hwaddr = settings["hwaddr"] ?? instance.config["volatile.\(device).hwaddr"] ?? MACAddress.random()
                if settings["hwaddr"] == nil { plan.volatile["volatile.\(device).hwaddr"] = hwaddr }
                let staleHost = instance.config["volatile.\(device).host_name"]
                if let staleHost, HostTool.linkExists(staleHost) { await HostTool.attempt("ip", ["link", "del", "dev", staleHost]) }
                let made = try await makeHostSide(nic, hwaddr: hwaddr, plan: &plan)
                plan.entries.append(LXCNetEntry(link: made.link, name: ifname ?? device))
                plan.volatile["volatile.\(device).host_name"] = made.host
            }
        } catch {
            await removeLinks(plan.created)
            throw error
        }
        return plan
    }

    /// Creates one NIC's host side; returns the interface for the container and the name kept
    /// in `volatile.DEV.host_name`.
    private func makeHostSide(_ nic: NICDevice, hwaddr: String, plan: inout NICStartPlan) async throws -> (link: String, host: String) {
        let device = nic.device
        let mtu = nic.settings["mtu"].flatMap { Int($0) } ?? nic.network.flatMap { BridgeConfig($0.config).mtu }
        switch nic.nictype {
        case "macvlan":
            guard HostTool.linkExists(nic.parent) else {
                throw LXDError.badRequest("Failed to start device \"\(device)\": Parent device '\(nic.parent)' doesn't exist")
            }
            let link = Self.randomLinkName("mac")
            var arguments = ["link", "add", "dev", link, "link", nic.parent, "address", hwaddr]
            if let mtu { arguments += ["mtu", String(mtu)] }
            try await HostTool.run("ip", arguments + ["type", "macvlan", "mode", "bridge"])
            plan.created.append(link)
            return (link, link)
        default:
            if nic.nictype == "bridged", !HostTool.linkExists(nic.parent) {
                throw LXDError.badRequest("Failed to start device \"\(device)\": Parent device \"\(nic.parent)\" doesn't exist")
            }
            let host = nic.settings["host_name"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.randomLinkName("veth")
            if HostTool.linkExists(host) {
                throw LXDError.badRequest("Failed to start device \"\(device)\": Host interface \"\(host)\" already exists")
            }
            let peer = Self.randomLinkName("lxdt")
            try await HostTool.run("ip", ["link", "add", "dev", host, "type", "veth", "peer", "name", peer])
            plan.created.append(host)
            try await HostTool.run("ip", ["link", "set", "dev", peer, "address", hwaddr])
            if let mtu {
                try await HostTool.run("ip", ["link", "set", "dev", host, "mtu", String(mtu)])
                try await HostTool.run("ip", ["link", "set", "dev", peer, "mtu", String(mtu)])
            }
            if nic.nictype == "bridged" {
                try await HostTool.run("ip", ["link", "set", "dev", host, "master", nic.parent])
            }
            try await HostTool.run("ip", ["link", "set", "dev", host, "up"])
            let limits = nic.limits
            if limits.ingress != nil || limits.egress != nil {
                plan.limits.append((host, limits.ingress, limits.egress))
            }
            return (peer, host)
        }
    }

    /// Once the container runs: traffic limits on the host sides, then the DHCP hosts.
    func finishStart(_ plan: NICStartPlan) async throws {
        for limit in plan.limits {
            try await Self.applyLimits(host: limit.host, ingress: limit.ingress, egress: limit.egress)
        }
        if !plan.entries.isEmpty { await refreshHosts() }
    }

    /// A start that failed after `prepareStart`: the host sides go again.
    func abortStart(_ plan: NICStartPlan) async {
        await removeLinks(plan.created)
        for limit in plan.limits { await removeLinks([Self.ifbName(for: limit.host)]) }
    }

    private func removeLinks(_ links: [String]) async {
        for link in links where HostTool.linkExists(link) {
            await HostTool.attempt("ip", ["link", "del", "dev", link])
        }
    }

    /// `limits.ingress` (towards the instance) shapes the host side's egress with htb;
    /// `limits.egress` (from the instance) redirects the host side's ingress to an IFB device
    /// and shapes that.
    static func applyLimits(host: String, ingress: UInt64?, egress: UInt64?) async throws {
        await HostTool.attempt("tc", ["qdisc", "del", "dev", host, "root"])
        await HostTool.attempt("tc", ["qdisc", "del", "dev", host, "ingress"])
        let ifb = ifbName(for: host)
        if HostTool.linkExists(ifb) { await HostTool.attempt("ip", ["link", "del", "dev", ifb]) }
        if let ingress {
            try await HostTool.run("tc", ["qdisc", "add", "dev", host, "root", "handle", "1:", "htb", "default", "10"])
            try await HostTool.run("tc", ["class", "add", "dev", host, "parent", "1:", "classid", "1:10", "htb", "rate", "\(ingress)bit"])
        }
        if let egress {
            try await HostTool.run("ip", ["link", "add", "dev", ifb, "type", "ifb"])
            try await HostTool.run("ip", ["link", "set", "dev", ifb, "up"])
            try await HostTool.run("tc", ["qdisc", "add", "dev", ifb, "root", "handle", "1:", "htb", "default", "10"])
            try await HostTool.run("tc", ["class", "add", "dev", ifb, "parent", "1:", "classid", "1:10", "htb", "rate", "\(egress)bit"])
            try await HostTool.run("tc", ["qdisc", "add", "dev", host, "handle", "ffff:", "ingress"])
            try await HostTool.run(
                "tc",
                [
                    "filter", "add", "dev", host, "parent", "ffff:", "protocol", "all", "u32", "match", "u32", "0", "0", "action", "mirred",
                    "egress", "redirect", "dev", ifb,
                ])
        }
    }

    /// After the container stopped: its NICs' host sides (liblxc hands moved interfaces back to
    /// our namespace) and IFB devices go; returns the volatile keys to clear.
    func cleanupAfterStop(_ instance: InstanceRecord, devices: Devices) async -> [String: String?] {
        var changes: [String: String?] = [:]
        for (device, _) in NICDevice.nics(devices) {
            guard let host = instance.config["volatile.\(device).host_name"] else { continue }
            await removeLinks([host, Self.ifbName(for: host)])
            changes["volatile.\(device).host_name"] = .some(nil)
        }
        return changes
    }

    /// NIC changes on a running container (LXD's hotplug): removed NICs go (their host side,
    /// or for a macvlan the interface inside), new ones are made and moved into the
    /// container's namespace under their name, then brought up. Returns volatile changes.
    func applyLive(_ instance: InstanceRecord, pid: Int32, old: Devices, new: Devices) async throws -> [String: String?] {
        var oldNICs = Dictionary(NICDevice.nics(old), uniquingKeysWith: { first, _ in first })
        let newNICs = Dictionary(NICDevice.nics(new), uniquingKeysWith: { first, _ in first })
        var changes: [String: String?] = [:]
        // Only the limits changed: the NIC stays, its shaping is replaced (LXD's live update).
        for (device, settings) in oldNICs.sorted(by: { $0.key < $1.key }) {
            guard let updated = newNICs[device], updated != settings, Self.withoutLimits(updated) == Self.withoutLimits(settings),
                let host = instance.config["volatile.\(device).host_name"], HostTool.linkExists(host)
            else { continue }
            let networks = try await database.networks()
            let nic = try resolveForStart(device, updated, networks: networks)
            try await Self.applyLimits(host: host, ingress: nic.limits.ingress, egress: nic.limits.egress)
            oldNICs[device] = updated
        }
        for (device, settings) in oldNICs.sorted(by: { $0.key < $1.key }) where newNICs[device] != settings {
            if let host = instance.config["volatile.\(device).host_name"], HostTool.linkExists(host) {
                await removeLinks([host, Self.ifbName(for: host)])
            } else if let name = settings["name"] ?? instance.config["volatile.\(device).name"] {
                _ = try? await HostTool.ipInNamespace(of: pid, ["link", "del", "dev", name])
            }
            for key in ["host_name", "name", "hwaddr"] where instance.config["volatile.\(device).\(key)"] != nil {
                changes["volatile.\(device).\(key)"] = .some(nil)
            }
        }
        var added: Devices = [:]
        for (device, settings) in newNICs where oldNICs[device] != settings { added[device] = settings }
        guard !added.isEmpty else {
            if !changes.isEmpty { await refreshHosts() }
            return changes
        }
        var current = instance
        for (key, value) in changes { current.config[key] = value }
        var reserved: Set<String> = []
        for (device, settings) in newNICs where added[device] == nil {
            if let name = settings["name"] ?? instance.config["volatile.\(device).name"] { reserved.insert(name) }
        }
        let plan = try await prepareStart(current, devices: added, reservedNames: reserved)
        do {
            for entry in plan.entries {
                try await HostTool.run("ip", ["link", "set", "dev", entry.link, "netns", String(pid), "name", entry.name])
                try await HostTool.ipInNamespace(of: pid, ["link", "set", "dev", entry.name, "up"])
            }
            try await finishStart(plan)
        } catch {
            await abortStart(plan)
            for entry in plan.entries { _ = try? await HostTool.ipInNamespace(of: pid, ["link", "del", "dev", entry.name]) }
            throw error
        }
        for (key, value) in plan.volatile { changes[key] = .some(value) }
        return changes
    }

    /// Interface name inside → host-side veth, for the instance state's `host_name`.
    func hostNames(_ instance: InstanceRecord, devices: Devices) async -> [String: String] {
        let networks = (try? await database.networks()) ?? []
        var names: [String: String] = [:]
        for (device, settings) in NICDevice.nics(devices) {
            guard let host = instance.config["volatile.\(device).host_name"],
                let interface = settings["name"] ?? instance.config["volatile.\(device).name"],
                (try? NICDevice.resolve(device, settings, networks: networks))?.nictype != "macvlan"
            else { continue }
            names[interface] = host
        }
        return names
    }

    static func withoutLimits(_ settings: [String: String]) -> [String: String] {
        settings.filter { !$0.key.hasPrefix("limits.") }
    }
}
