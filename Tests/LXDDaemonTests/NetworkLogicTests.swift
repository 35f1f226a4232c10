import Foundation
import LXDAPI
import Testing

@testable import LXDDaemon

@Suite struct NetworkLogicTests {
    @Test(arguments: [
        ("10.0.3.1/24", "10.0.3.0/24", "10.0.3.255"), ("fd42:1:2:3::1/64", "fd42:1:2:3::/64", "fd42:1:2:3:ffff:ffff:ffff:ffff"),
        ("192.168.1.77/30", "192.168.1.76/30", "192.168.1.79"),
    ])
    func cidrs(_ text: String, _ subnet: String, _ last: String) throws {
        let cidr = try #require(IPNetwork(cidr: text))
        #expect(cidr.description == text)
        #expect(cidr.subnet.description == subnet)
        #expect(cidr.last.description == last)
        #expect(cidr.contains(cidr.address))
    }

    @Test(arguments: [
        "10.1.2.3/33", "bogus", "10.0.0.1", "10.0.0.1/", "10.0.0.1/-1", "/24", "fd42::1/129", "10.0.0.1/24/1", "1.2.3.4/0024x",
    ])
    func badCIDRs(_ text: String) {
        #expect(IPNetwork(cidr: text) == nil)
    }

    @Test func overlaps() throws {
        let a = try #require(IPNetwork(cidr: "10.66.146.1/24"))
        #expect(a.overlaps(try #require(IPNetwork(cidr: "10.66.146.200/28"))))
        #expect(!a.overlaps(try #require(IPNetwork(cidr: "10.66.147.1/24"))))
        #expect(!a.overlaps(try #require(IPNetwork(cidr: "fd42::1/64"))))
        #expect(try #require(IPNetwork(cidr: "10.0.0.1/8")).overlaps(a))
    }

    @Test func slaacAddressFromMAC() throws {
        let prefix = try #require(IPAddress("fd42:f1e7:29a8:60db::"))
        #expect(IPAddress.slaac(prefix: prefix, mac: "00:16:3e:f9:3d:b2")?.description == "fd42:f1e7:29a8:60db:216:3eff:fef9:3db2")
    }

    /// Random bytes never crash the parsers.
    @Test func parsersSurviveGarbage() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdef.:/-, xz")
        for _ in 0..<2000 {
            let text = String((0..<Int.random(in: 0..<24, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "0" })
            _ = IPNetwork(cidr: text)
            _ = try? IPRange.parseList(text, ipv4: true)
            _ = BitRate.parse(text)
            _ = Dnsmasq.parseLeases(text)
        }
    }

    @Test func bridgeConfigErrorsUseLXDWording() {
        let cases: [([String: String], String)] = [
            (["ipv4.address": "10.1.2.3/33"], "Invalid value for network \"n\" option \"ipv4.address\": invalid CIDR address: 10.1.2.3/33"),
            (["ipv4.address": "fd00::1/64"], "Invalid value for network \"n\" option \"ipv4.address\": Not an IPv4 address \"fd00::1/64\""),
            (
                ["ipv4.address": "10.5.0.0/24"],
                "Invalid value for network \"n\" option \"ipv4.address\": Not a usable IPv4 address \"10.5.0.0/24\""
            ),
            (["ipv4.nat": "maybe"], "Invalid value for network \"n\" option \"ipv4.nat\": Invalid value for a boolean \"maybe\""),
            (["bridge.mtu": "abc"], "Invalid value for network \"n\" option \"bridge.mtu\": Invalid MTU \"abc\""),
            (["bridge.mtu": "100000"], "Invalid value for network \"n\" option \"bridge.mtu\": Out of MTU range (1280-16384) \"100000\""),
            (
                ["ipv4.dhcp.ranges": "1.2.3.4"],
                "Invalid value for network \"n\" option \"ipv4.dhcp.ranges\": Item \"1.2.3.4\": IP range must contain start and end IP addresses"
            ),
            (
                ["dns.mode": "bogus"],
                "Invalid value for network \"n\" option \"dns.mode\": Invalid value \"bogus\" (not one of [dynamic managed none])"
            ),
            (["bogus.key": "1"], "Invalid option for network \"n\" option \"bogus.key\""),
        ]
        for (config, message) in cases {
            #expect(throws: LXDError.badRequest(message)) { try BridgeConfig.validate(network: "n", config) }
        }
        #expect(throws: Never.self) { try BridgeConfig.validate(network: "n", ["ipv4.address": "auto", "user.x": "y", "dns.domain": ""]) }
    }

    @Test func dnsmasqCommandLine() throws {
        let config = BridgeConfig(["ipv4.address": "10.0.3.1/24", "ipv6.address": "fd42:1::1/64", "dns.domain": "example"])
        let arguments = Dnsmasq(network: "br0", directory: "/x/networks/br0").arguments(config, group: "nogroup")
        let joined = arguments.joined(separator: " ")
        #expect(joined.contains("--interface=br0"))
        #expect(joined.contains("--dhcp-range 10.0.3.2,10.0.3.254,1h"))
        #expect(joined.contains("--dhcp-range ::,constructor:br0,ra-stateless,ra-names"))
        #expect(joined.contains("-s example --interface-name _gateway.example,br0 -S /example/"))
        #expect(joined.hasSuffix("-u nobody -g nogroup"))
        let host = Dnsmasq.Host(instance: "c1", device: "eth0", hwaddr: "00:16:3e:00:00:01", ipv4: "10.0.3.5", ipv6: nil)
        #expect(host.line == "00:16:3e:00:00:01,10.0.3.5,c1\n")
        let leases = Dnsmasq.parseLeases("1796370349 00:16:3e:3e:cb:3c 10.165.130.154 c2 01:00:16:3e:3e:cb:3c\nduid 00:01\n")
        #expect(leases == [Dnsmasq.Lease(hwaddr: "00:16:3e:3e:cb:3c", address: "10.165.130.154", hostname: "c2")])
    }

    @Test func firewallRulesFollowNAT() {
        let natted = NFTablesFirewall.script(network: "br0", config: BridgeConfig(["ipv4.address": "10.0.3.1/24", "ipv4.nat": "true"]))
        #expect(natted.contains("add rule inet swiftlxd pstrt.br0 ip saddr 10.0.3.0/24 ip daddr != 10.0.3.0/24 masquerade"))
        let plain = NFTablesFirewall.script(network: "br0", config: BridgeConfig(["ipv4.address": "10.0.3.1/24"]))
        #expect(!plain.contains("masquerade"))
        #expect(
            NFTablesFirewall.chainNames("table inet swiftlxd {\n\tchain pstrt.br0 {\n\t}\n\tchain fwd.br1 {\n") == ["pstrt.br0", "fwd.br1"])
        #expect(NFTablesFirewall.owner(of: "in.lxdbr0") == "lxdbr0")
        let rules = IPTablesFirewall.rules(network: "br0", config: BridgeConfig(["ipv4.address": "10.0.3.1/24", "ipv4.nat": "true"]))
        #expect(rules.first?.2.contains("MASQUERADE") == true)
        #expect(
            IPTablesFirewall.shellWords(#"-A INPUT -i br0 -m comment --comment "generated for SwiftLXD network br0" -j ACCEPT"#).count == 10
        )
    }

    @Test func bitRatesAndNICs() throws {
        #expect(BitRate.parse("8Mbit") == 8_000_000)
        #expect(BitRate.parse("1Gibit") == 1 << 30)
        #expect(BitRate.parse("abc") == nil)
        let network = NetworkRecord(name: "lxdbr0", type: "bridge", config: ["ipv4.address": "10.0.3.1/24"])
        let nic = try NICDevice.resolve("eth0", ["type": "nic", "network": "lxdbr0", "limits.max": "10Mbit"], networks: [network])
        #expect(nic.nictype == "bridged" && nic.parent == "lxdbr0")
        #expect(nic.limits.ingress == 10_000_000 && nic.limits.egress == 10_000_000)
        #expect(throws: NetworkConfigError.self) {
            try NICDevice.resolve("eth0", ["type": "nic", "network": "lxdbr0", "ipv4.address": "192.168.5.5"], networks: [network])
        }
        #expect(throws: NetworkConfigError.self) {
            try NICDevice.resolve("eth0", ["type": "nic", "nictype": "bridged", "network": "lxdbr0"], networks: [network])
        }
        #expect(NetworkManager.ifbName(for: "veth1234abcd") == "ifb1234abcd")
        #expect(NetworkManager.ifbName(for: "myhost").count == 11)
    }
}
