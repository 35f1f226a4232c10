import Foundation
import LXDAPI

/// NAT and filter rules of one managed network, in a table of our own. `apply` replaces the
/// network's rules; `remove` deletes every rule it made for that network and nothing else.
protocol Firewall: Sendable {
    /// LXD's word for the backend in `GET /1.0` (`environment.firewall`).
    var name: String { get }
    func apply(network: String, config: BridgeConfig, scratch: String) async throws
    func remove(network: String) async
}

enum FirewallDetector {
    /// nftables when `nft` works here, else iptables (LXD's xtables) when installed, else none.
    static func detect() async -> (any Firewall)? {
        if HostTool.path("nft") != nil, (try? await HostTool.run("nft", ["list", "tables"])) != nil { return NFTablesFirewall() }
        if HostTool.path("iptables") != nil { return IPTablesFirewall() }
        return nil
    }
}

/// `table inet swiftlxd`, with four chains per network (`pstrt.N`, `fwd.N`, `in.N`, `out.N`), as
/// LXD lays out its own `lxd` table; the table goes when its last chain does.
struct NFTablesFirewall: Firewall {
    static let table = "swiftlxd"
    var name: String { "nftables" }

    /// The nft script for one network (pure, for tests).
    static func script(network: String, config: BridgeConfig) -> String {
        let t = "inet \(table)"
        let device = "\"\(network)\""
        var lines = ["add table \(t)"]
        var nat: [String] = []
        if let ipv4 = config.ipv4, config.ipv4NAT {
            let action = config.ipv4NATAddress.map { "snat ip to \($0)" } ?? "masquerade"
            nat.append("ip saddr \(ipv4.subnet) ip daddr != \(ipv4.subnet) \(action)")
        }
        if let ipv6 = config.ipv6, config.ipv6NAT {
            let action = config.ipv6NATAddress.map { "snat ip6 to \($0)" } ?? "masquerade"
            nat.append("ip6 saddr \(ipv6.subnet) ip6 daddr != \(ipv6.subnet) \(action)")
        }
        if !nat.isEmpty {
            lines.append("add chain \(t) pstrt.\(network) { type nat hook postrouting priority 100; policy accept; }")
            lines += nat.map { "add rule \(t) pstrt.\(network) \($0)" }
        }
        let filterV4 = config.ipv4 != nil && config.ipv4Firewall
        let filterV6 = config.ipv6 != nil && config.ipv6Firewall
        if filterV4 || filterV6 {
            lines.append("add chain \(t) fwd.\(network) { type filter hook forward priority 0; policy accept; }")
            lines.append("add chain \(t) in.\(network) { type filter hook input priority 0; policy accept; }")
            lines.append("add chain \(t) out.\(network) { type filter hook output priority 0; policy accept; }")
            var forward: [String] = []
            var input: [String] = ["iifname \(device) tcp dport 53 accept", "iifname \(device) udp dport 53 accept"]
            var output: [String] = ["oifname \(device) tcp sport 53 accept", "oifname \(device) udp sport 53 accept"]
            if filterV4 {
                forward += ["ip version 4 oifname \(device) accept", "ip version 4 iifname \(device) accept"]
                input += [
                    "iifname \(device) udp dport 67 accept",
                    "iifname \(device) icmp type { destination-unreachable, time-exceeded, parameter-problem } accept",
                ]
                output += [
                    "oifname \(device) udp sport 67 accept",
                    "oifname \(device) icmp type { destination-unreachable, time-exceeded, parameter-problem } accept",
                ]
            }
            if filterV6 {
                forward += ["ip6 version 6 oifname \(device) accept", "ip6 version 6 iifname \(device) accept"]
                input += [
                    "iifname \(device) udp dport 547 accept",
                    "iifname \(device) icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report } accept",
                ]
                output += [
                    "oifname \(device) udp sport 547 accept",
                    "oifname \(device) icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, echo-request, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report } accept",
                ]
            }
            lines += forward.map { "add rule \(t) fwd.\(network) \($0)" }
            lines += input.map { "add rule \(t) in.\(network) \($0)" }
            lines += output.map { "add rule \(t) out.\(network) \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func apply(network: String, config: BridgeConfig, scratch: String) async throws {
        await remove(network: network)
        let path = scratch + "/firewall.nft"
        try Self.script(network: network, config: config).write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        do {
            try await HostTool.run("nft", ["-f", path])
        } catch {
            await remove(network: network)
            throw LXDError.internalError("Failed setting up firewall for network \"\(network)\": \(error)")
        }
    }

    func remove(network: String) async {
        guard let listing = try? await HostTool.run("nft", ["list", "table", "inet", Self.table]) else { return }
        let chains = Self.chainNames(listing)
        for chain in chains where Self.owner(of: chain) == network {
            await HostTool.attempt("nft", ["delete", "chain", "inet", Self.table, chain])
        }
        if chains.allSatisfy({ Self.owner(of: $0) == network }) {
            await HostTool.attempt("nft", ["delete", "table", "inet", Self.table])
        }
    }

    /// Chain names in `nft list table` output.
    static func chainNames(_ listing: String) -> [String] {
        listing.split(separator: "\n").compactMap { line in
            let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            return words.count >= 2 && words[0] == "chain" ? String(words[1]) : nil
        }
    }

    /// "pstrt.lxdbr0" → "lxdbr0".
    static func owner(of chain: String) -> String? {
        guard let dot = chain.firstIndex(of: ".") else { return nil }
        return String(chain[chain.index(after: dot)...])
    }
}

/// The iptables/ip6tables backend (where nftables is missing): rules in the standard chains,
/// each tagged with a comment naming the network, removed by that comment.
struct IPTablesFirewall: Firewall {
    var name: String { "xtables" }

    static func comment(_ network: String) -> String { "generated for SwiftLXD network \(network)" }

    /// (tool, table, rule arguments) triples for one network (pure, for tests).
    static func rules(network: String, config: BridgeConfig) -> [(String, String, [String])] {
        let tag = ["-m", "comment", "--comment", comment(network)]
        var rules: [(String, String, [String])] = []
        for (tool, subnet, nat, natAddress, filter) in [
            ("iptables", config.ipv4?.subnet, config.ipv4NAT, config.ipv4NATAddress, config.ipv4Firewall),
            ("ip6tables", config.ipv6?.subnet, config.ipv6NAT, config.ipv6NATAddress, config.ipv6Firewall),
        ] {
            guard let subnet else { continue }
            if nat {
                let target = natAddress.map { ["-j", "SNAT", "--to-source", "\($0)"] } ?? ["-j", "MASQUERADE"]
                rules.append((tool, "nat", ["POSTROUTING", "-s", "\(subnet)", "!", "-d", "\(subnet)"] + target + tag))
            }
            guard filter else { continue }
            let dhcp = tool == "iptables" ? "67" : "547"
            rules += [
                (tool, "filter", ["INPUT", "-i", network, "-p", "udp", "--dport", "53", "-j", "ACCEPT"] + tag),
                (tool, "filter", ["INPUT", "-i", network, "-p", "tcp", "--dport", "53", "-j", "ACCEPT"] + tag),
                (tool, "filter", ["INPUT", "-i", network, "-p", "udp", "--dport", dhcp, "-j", "ACCEPT"] + tag),
                (tool, "filter", ["OUTPUT", "-o", network, "-p", "udp", "--sport", "53", "-j", "ACCEPT"] + tag),
                (tool, "filter", ["OUTPUT", "-o", network, "-p", "tcp", "--sport", "53", "-j", "ACCEPT"] + tag),
                (tool, "filter", ["OUTPUT", "-o", network, "-p", "udp", "--sport", dhcp, "-j", "ACCEPT"] + tag),
                (tool, "filter", ["FORWARD", "-i", network, "-j", "ACCEPT"] + tag),
                (tool, "filter", ["FORWARD", "-o", network, "-j", "ACCEPT"] + tag),
            ]
        }
        return rules
    }

    func apply(network: String, config: BridgeConfig, scratch: String) async throws {
        await remove(network: network)
        for (tool, table, rule) in Self.rules(network: network, config: config) {
            do {
                try await HostTool.run(tool, ["-w", "-t", table, "-I"] + rule)
            } catch {
                await remove(network: network)
                throw LXDError.internalError("Failed setting up firewall for network \"\(network)\": \(error)")
            }
        }
    }

    func remove(network: String) async {
        let tag = Self.comment(network)
        for tool in ["iptables", "ip6tables"] where HostTool.path(tool) != nil {
            for table in ["nat", "filter"] {
                guard let listing = try? await HostTool.run(tool, ["-w", "-t", table, "-S"]) else { continue }
                for line in listing.split(separator: "\n") where line.hasPrefix("-A ") && line.contains("\"\(tag)\"") {
                    var words = Self.shellWords(String(line))
                    words[0] = "-D"
                    await HostTool.attempt(tool, ["-w", "-t", table] + words)
                }
            }
        }
    }

    /// Splits an `iptables -S` line, keeping double-quoted words whole.
    static func shellWords(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var hasWord = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
                hasWord = true
            } else if character == " " && !quoted {
                if hasWord { words.append(current) }
                current = ""
                hasWord = false
            } else {
                current.append(character)
                hasWord = true
            }
        }
        if hasWord { words.append(current) }
        return words
    }
}
