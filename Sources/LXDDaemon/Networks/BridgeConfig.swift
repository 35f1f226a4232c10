import Foundation
import LXDAPI

/// The `bridge` network's config keys: their checks (LXD 5.0.2's wording), the defaults a new
/// network gets, and the typed view the driver works from.
struct BridgeConfig: Sendable, Equatable {
    typealias Check = @Sendable (String) throws(NetworkConfigError) -> Void

    static let checks: [String: Check] = [
        "bridge.driver": { value throws(NetworkConfigError) in
            guard ["", "native", "openvswitch"].contains(value) else {
                throw NetworkConfigError("Invalid value \"\(value)\" (not one of [native openvswitch])")
            }
        },
        "bridge.mtu": { value throws(NetworkConfigError) in try checkMTU(value) },
        "bridge.hwaddr": { value throws(NetworkConfigError) in
            guard value.isEmpty || MACAddress.isValid(value) else {
                throw NetworkConfigError("Invalid MAC address, must be 6 bytes of hex separated by colons")
            }
        },
        "ipv4.address": { value throws(NetworkConfigError) in try checkAddress(value, ipv4: true) },
        "ipv6.address": { value throws(NetworkConfigError) in try checkAddress(value, ipv4: false) },
        "ipv4.nat": checkBool, "ipv6.nat": checkBool, "ipv4.dhcp": checkBool, "ipv6.dhcp": checkBool,
        "ipv6.dhcp.stateful": checkBool, "ipv4.firewall": checkBool, "ipv6.firewall": checkBool, "ipv4.routing": checkBool,
        "ipv6.routing": checkBool,
        "ipv4.dhcp.ranges": { value throws(NetworkConfigError) in _ = try IPRange.parseList(value, ipv4: true) },
        "ipv6.dhcp.ranges": { value throws(NetworkConfigError) in _ = try IPRange.parseList(value, ipv4: false) },
        "ipv4.dhcp.expiry": { value throws(NetworkConfigError) in try checkExpiry(value) },
        "ipv6.dhcp.expiry": { value throws(NetworkConfigError) in try checkExpiry(value) },
        "ipv4.dhcp.gateway": { value throws(NetworkConfigError) in
            guard value.isEmpty || IPAddress(value)?.isIPv4 == true else { throw NetworkConfigError("Not an IPv4 address \"\(value)\"") }
        },
        "ipv4.nat.address": { value throws(NetworkConfigError) in
            guard value.isEmpty || IPAddress(value)?.isIPv4 == true else { throw NetworkConfigError("Not an IPv4 address \"\(value)\"") }
        },
        "ipv6.nat.address": { value throws(NetworkConfigError) in
            guard value.isEmpty || IPAddress(value)?.isIPv4 == false else { throw NetworkConfigError("Not an IPv6 address \"\(value)\"") }
        },
        "dns.domain": { _ throws(NetworkConfigError) in },
        "dns.search": { _ throws(NetworkConfigError) in },
        "dns.mode": { value throws(NetworkConfigError) in
            guard ["", "dynamic", "managed", "none"].contains(value) else {
                throw NetworkConfigError("Invalid value \"\(value)\" (not one of [dynamic managed none])")
            }
        },
        "raw.dnsmasq": { _ throws(NetworkConfigError) in },
    ]

    static let checkBool: Check = { value throws(NetworkConfigError) in
        guard value.isEmpty || ["true", "false", "1", "0", "yes", "no", "on", "off"].contains(value.lowercased()) else {
            throw NetworkConfigError("Invalid value for a boolean \"\(value)\"")
        }
    }

    static func checkMTU(_ value: String) throws(NetworkConfigError) {
        guard !value.isEmpty else { return }
        guard let mtu = Int(value) else { throw NetworkConfigError("Invalid MTU \"\(value)\"") }
        guard (1280...16384).contains(mtu) else { throw NetworkConfigError("Out of MTU range (1280-16384) \"\(value)\"") }
    }

    static func checkAddress(_ value: String, ipv4: Bool) throws(NetworkConfigError) {
        guard !value.isEmpty, value != "auto", value != "none" else { return }
        let family = ipv4 ? "IPv4" : "IPv6"
        guard let cidr = IPNetwork(cidr: value) else { throw NetworkConfigError("invalid CIDR address: \(value)") }
        guard cidr.isIPv4 == ipv4 else { throw NetworkConfigError("Not an \(family) address \"\(value)\"") }
        guard cidr.address != cidr.network, ipv4 ? cidr.address != cidr.last || cidr.prefix >= 31 : true else {
            throw NetworkConfigError("Not a usable \(family) address \"\(value)\"")
        }
    }

    /// dnsmasq's lease times: "infinite" or a number with an optional s/m/h/d/w unit.
    static func checkExpiry(_ value: String) throws(NetworkConfigError) {
        guard !value.isEmpty, value != "infinite" else { return }
        var digits = Substring(value)
        if let last = digits.last, "smhdw".contains(last) { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw NetworkConfigError("Invalid expiry \"\(value)\"")
        }
    }

    static func isTrue(_ value: String?) -> Bool { ["true", "1", "yes", "on"].contains(value?.lowercased() ?? "") }

    /// Every key is known and every value passes its check; `LXDError` in LXD's words.
    static func validate(network: String, _ config: [String: String]) throws {
        for key in config.keys.sorted() {
            let value = config[key] ?? ""
            if key.hasPrefix("user.") { continue }
            guard let check = checks[key] else { throw LXDError.badRequest("Invalid option for network \"\(network)\" option \"\(key)\"") }
            do {
                try check(value)
            } catch {
                throw LXDError.badRequest("Invalid value for network \"\(network)\" option \"\(key)\": \(error.message)")
            }
        }
        if config["bridge.driver"] == "openvswitch" {
            throw LXDError.badRequest("Open vSwitch isn't installed on this system")
        }
    }

    // MARK: Typed view

    var ipv4: IPNetwork?
    var ipv6: IPNetwork?
    var ipv4NAT: Bool
    var ipv6NAT: Bool
    var ipv4NATAddress: IPAddress?
    var ipv6NATAddress: IPAddress?
    var ipv4DHCP: Bool
    var ipv6DHCP: Bool
    var ipv6DHCPStateful: Bool
    var ipv4Ranges: [IPRange]
    var ipv6Ranges: [IPRange]
    var ipv4Expiry: String
    var ipv6Expiry: String
    var ipv4Gateway: IPAddress?
    var ipv4Firewall: Bool
    var ipv6Firewall: Bool
    var mtu: Int?
    var hwaddr: String?
    var domain: String
    var dnsMode: String
    var dnsSearch: String
    var rawDnsmasq: String

    /// The typed view of a validated, defaults-filled config ("auto" already resolved).
    init(_ config: [String: String]) {
        func flag(_ key: String, default defaultValue: Bool) -> Bool {
            guard let value = config[key], !value.isEmpty else { return defaultValue }
            return Self.isTrue(value)
        }
        ipv4 = config["ipv4.address"].flatMap { IPNetwork(cidr: $0) }
        ipv6 = config["ipv6.address"].flatMap { IPNetwork(cidr: $0) }
        ipv4NAT = flag("ipv4.nat", default: false)
        ipv6NAT = flag("ipv6.nat", default: false)
        ipv4NATAddress = config["ipv4.nat.address"].flatMap { IPAddress($0) }
        ipv6NATAddress = config["ipv6.nat.address"].flatMap { IPAddress($0) }
        ipv4DHCP = flag("ipv4.dhcp", default: true)
        ipv6DHCP = flag("ipv6.dhcp", default: true)
        ipv6DHCPStateful = flag("ipv6.dhcp.stateful", default: false)
        ipv4Ranges = (try? IPRange.parseList(config["ipv4.dhcp.ranges"] ?? "", ipv4: true)) ?? []
        ipv6Ranges = (try? IPRange.parseList(config["ipv6.dhcp.ranges"] ?? "", ipv4: false)) ?? []
        ipv4Expiry = config["ipv4.dhcp.expiry"].flatMap { $0.isEmpty ? nil : $0 } ?? "1h"
        ipv6Expiry = config["ipv6.dhcp.expiry"].flatMap { $0.isEmpty ? nil : $0 } ?? "1h"
        ipv4Gateway = config["ipv4.dhcp.gateway"].flatMap { IPAddress($0) }
        ipv4Firewall = flag("ipv4.firewall", default: true)
        ipv6Firewall = flag("ipv6.firewall", default: true)
        mtu = config["bridge.mtu"].flatMap { Int($0) }
        hwaddr = config["bridge.hwaddr"].flatMap { $0.isEmpty ? nil : $0 }
        domain = config["dns.domain"].flatMap { $0.isEmpty ? nil : $0 } ?? "lxd"
        dnsMode = config["dns.mode"].flatMap { $0.isEmpty ? nil : $0 } ?? "managed"
        dnsSearch = config["dns.search"] ?? ""
        rawDnsmasq = config["raw.dnsmasq"] ?? ""
    }

    /// The DHCPv4 pool: the configured ranges, or the whole subnet but the network, the
    /// broadcast and the bridge's own address (LXD's default: .2 to .254 of a /24).
    var ipv4Pool: [IPRange] {
        guard let ipv4 else { return [] }
        if !ipv4Ranges.isEmpty { return ipv4Ranges }
        let first = ipv4.network.adding(1)
        let last = ipv4.last.adding(UInt64(UInt32.max))
        if ipv4.address == first { return [IPRange(start: first.adding(1), end: last)] }
        return [IPRange(start: first, end: last)]
    }
}

/// MAC addresses as LXD writes them (lower-case, colon separated) and generates them (its
/// `00:16:3e` prefix).
enum MACAddress {
    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }

    static func random() -> String {
        let tail = (0..<3).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }
        return (["00", "16", "3e"] + tail).joined(separator: ":")
    }
}
