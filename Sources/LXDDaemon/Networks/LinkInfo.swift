import Foundation
import LXDAPI

/// One interface as `ip -j -s -d addr show` describes it (netlink through iproute2, so it is
/// right for whichever network namespace the tool ran in, unlike a host-mounted `/sys`).
struct LinkInfo: Sendable, Equatable {
    struct Address: Sendable, Equatable {
        var family: String
        var address: String
        var prefix: Int
        var scope: String
    }

    var name: String
    var index: Int = 0
    var mtu: Int = 0
    var flags: [String] = []
    var operstate: String = ""
    var linkType: String = ""
    var hwaddr: String = ""
    /// `linkinfo.info_kind`: "bridge", "veth", "macvlan", ... (empty for physical devices).
    var kind: String = ""
    var master: String = ""
    var addresses: [Address] = []
    var rxBytes: Int64 = 0
    var rxPackets: Int64 = 0
    var rxErrors: Int64 = 0
    var rxDropped: Int64 = 0
    var txBytes: Int64 = 0
    var txPackets: Int64 = 0
    var txErrors: Int64 = 0
    var txDropped: Int64 = 0
    /// `linkinfo.info_data` of a bridge.
    var bridgeID: String = ""
    var bridgeSTP: Bool = false
    var bridgeForwardDelay: Int64 = 0
    var bridgeVLANDefault: Int64 = 0
    var bridgeVLANFiltering: Bool = false

    var isUp: Bool { flags.contains("UP") }

    /// LXD's interface type words: loopback, broadcast, point-to-point, unknown.
    var lxdType: String {
        if linkType == "loopback" || flags.contains("LOOPBACK") { return "loopback" }
        if flags.contains("POINTOPOINT") { return "point-to-point" }
        if flags.contains("BROADCAST") { return "broadcast" }
        return "unknown"
    }

    /// Parses the JSON array `ip -j [-s] [-d] addr show` prints; unknown fields are ignored.
    static func parse(_ output: String) -> [LinkInfo] {
        guard let array = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [[String: Any]] else { return [] }
        return array.compactMap(link)
    }

    private static func int64(_ value: Any?) -> Int64 { (value as? NSNumber)?.int64Value ?? 0 }

    private static func link(_ object: [String: Any]) -> LinkInfo? {
        guard let name = object["ifname"] as? String else { return nil }
        var link = LinkInfo(name: name)
        link.index = Int(int64(object["ifindex"]))
        link.mtu = Int(int64(object["mtu"]))
        link.flags = object["flags"] as? [String] ?? []
        link.operstate = object["operstate"] as? String ?? ""
        link.linkType = object["link_type"] as? String ?? ""
        link.hwaddr = object["address"] as? String ?? ""
        link.master = object["master"] as? String ?? ""
        if let info = object["linkinfo"] as? [String: Any] {
            link.kind = info["info_kind"] as? String ?? ""
            if link.kind == "bridge", let data = info["info_data"] as? [String: Any] {
                link.bridgeID = data["bridge_id"] as? String ?? ""
                link.bridgeSTP = int64(data["stp_state"]) != 0
                link.bridgeForwardDelay = int64(data["forward_delay"])
                link.bridgeVLANDefault = int64(data["vlan_default_pvid"])
                link.bridgeVLANFiltering = int64(data["vlan_filtering"]) != 0
            }
        }
        for entry in object["addr_info"] as? [[String: Any]] ?? [] {
            guard let family = entry["family"] as? String, let local = entry["local"] as? String else { continue }
            link.addresses.append(
                Address(
                    family: family, address: local, prefix: Int(int64(entry["prefixlen"])),
                    scope: entry["scope"] as? String ?? "global"))
        }
        if let stats = object["stats64"] as? [String: Any] {
            let rx = stats["rx"] as? [String: Any] ?? [:]
            let tx = stats["tx"] as? [String: Any] ?? [:]
            link.rxBytes = int64(rx["bytes"])
            link.rxPackets = int64(rx["packets"])
            link.rxErrors = int64(rx["errors"])
            link.rxDropped = int64(rx["dropped"])
            link.txBytes = int64(tx["bytes"])
            link.txPackets = int64(tx["packets"])
            link.txErrors = int64(tx["errors"])
            link.txDropped = int64(tx["dropped"])
        }
        return link
    }

    /// LXD's scope words: "local" for host-scope addresses.
    static func lxdScope(_ scope: String) -> String {
        switch scope {
        case "host": return "local"
        case "link": return "link"
        default: return "global"
        }
    }

    var stateAddresses: [NetworkStateAddress] {
        addresses.map {
            NetworkStateAddress(family: $0.family, address: $0.address, netmask: String($0.prefix), scope: Self.lxdScope($0.scope))
        }
    }

    /// All interfaces of the daemon's namespace (or one, by name).
    static func list(_ name: String? = nil) async -> [LinkInfo] {
        var arguments = ["-j", "-s", "-d", "addr", "show"]
        if let name { arguments += ["dev", name] }
        guard let output = try? await HostTool.run("ip", arguments) else { return [] }
        return parse(output)
    }

    /// The interfaces enslaved to `bridge`.
    static func ports(of bridge: String) async -> [String] {
        guard let output = try? await HostTool.run("ip", ["-j", "link", "show", "master", bridge]) else { return [] }
        return parse(output).map(\.name).sorted()
    }
}
