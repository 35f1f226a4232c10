import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// Networking inside a network namespace each test makes (`DaemonFixture.with(network: true)`):
/// the daemon, `lxdbr0`, dnsmasq, the firewall table and the containers' host-side interfaces
/// all live there and vanish with it. Traffic only flows between namespaces the test made.
@Suite(.serialized, .enabled(if: containersAvailable && NetworkNamespace.isAvailable))
struct NetworkSerialTests {
    /// The IPv4 address `lxc list` shows for an instance, once DHCP gave it one.
    static func ipv4(_ f: DaemonFixture, _ name: String, client: String? = nil) throws -> String? {
        var address: String?
        _ = try eventually(timeout: 40) {
            let cell = try f.lxc(["list", name, "--format", "csv", "-c", "4"], client: client).stdout
            address = cell.split(separator: " ").first.map(String.init)
            return address.map { !$0.isEmpty && $0 != "\n" } ?? false
        }
        return address?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func bridgeConfig(_ f: DaemonFixture, _ network: String = "lxdbr0") throws -> [String: String] {
        try f.get("/1.0/networks/\(network)", as: Network.self).config
    }

    /// `lxd init --auto` made lxdbr0 (auto addresses, NAT) and an eth0 on it in the default
    /// profile; containers get leases in the range, resolve each other as NAME.lxd and ping each
    /// other and the bridge; both clients list the same addresses.
    @Test func dhcpDNSAndPingBetweenContainers() async throws {
        try await DaemonFixture.with(network: true) { f in
            let config = try Self.bridgeConfig(f)
            #expect(config["ipv4.nat"] == "true")
            let bridge = try #require(config["ipv4.address"].flatMap { $0.split(separator: "/").first.map(String.init) })
            let profile = try f.lxc(["profile", "show", "default"]).check().stdout
            #expect(profile.contains("network: lxdbr0"))
            let c1 = f.name("c1")
            let c2 = f.name("c2")
            try f.lxc(["launch", f.imageAlias, c1]).check()
            try f.lxc(["launch", f.imageAlias, c2]).check()
            let address1 = try #require(try Self.ipv4(f, c1))
            let address2 = try #require(try Self.ipv4(f, c2))
            let prefix = bridge.split(separator: ".").dropLast().joined(separator: ".") + "."
            for address in [address1, address2] {
                #expect(address.hasPrefix(prefix))
                let last = Int(address.split(separator: ".").last ?? "") ?? 0
                #expect((2...254).contains(last))
            }
            let lookup = try f.lxc(["exec", c1, "--", "nslookup", "\(c2).lxd"]).check().stdout
            #expect(lookup.contains(address2))
            try f.lxc(["exec", c1, "--", "ping", "-c", "1", "-W", "5", "\(c2).lxd"]).check()
            try f.lxc(["exec", c2, "--", "ping", "-c", "1", "-W", "5", address1]).check()
            try f.lxc(["exec", c1, "--", "ping", "-c", "1", "-W", "5", bridge]).check()
            // Leases, `lxc info` addresses and the list columns, through both clients.
            let leases = try f.lxc(["network", "list-leases", "lxdbr0", "--format", "csv"]).check().stdout
            #expect(leases.contains("\(c1),") && leases.contains(address1))
            let info = try f.lxc(["info", c1]).check().stdout
            #expect(info.contains("inet:  \(address1)/24 (global)"))
            // The daemon in its namespace sees the containers' cgroups (memory figures, freezing).
            #expect(info.contains("Memory usage:"))
            try f.lxc(["snapshot", c1]).check()
            let ours = try f.lxc(["list", "--format", "csv", "-c", "n4"], client: f.ourLXC).check().stdout
            let debians = try f.lxc(["list", "--format", "csv", "-c", "n4"]).check().stdout
            #expect(ours == debians)
            #expect(ours.contains("\(address1) (eth0)"))
        }
    }

    /// A static `ipv4.address` on the NIC is the lease the container gets.
    @Test func staticAddressIsHonoured() async throws {
        try await DaemonFixture.with(network: true) { f in
            let bridge = try #require(try Self.bridgeConfig(f)["ipv4.address"])
            let wanted = bridge.split(separator: ".").dropLast().joined(separator: ".") + ".77"
            let name = f.name("st")
            try f.lxc(["init", f.imageAlias, name]).check()
            try f.lxc(["config", "device", "override", name, "eth0", "ipv4.address=\(wanted)"]).check()
            try f.lxc(["start", name]).check()
            #expect(try Self.ipv4(f, name) == wanted)
            let leases = try f.lxc(["network", "list-leases", "lxdbr0", "--format", "csv"]).check().stdout
            #expect(leases.contains("\(name),") && leases.contains("\(wanted),STATIC"))
            // An address outside the subnet is refused.
            let refused = try f.lxc(["config", "device", "set", name, "eth0", "ipv4.address=192.0.2.9"])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("not within network \"lxdbr0\" subnet"))
        }
    }

    /// Receiver side of a transfer: bytes and seconds (10 ms resolution) after the first byte.
    static func throughput(_ f: DaemonFixture, from sender: String, to receiver: String, address: String) throws -> Double {
        let script = """
            rm -f /tmp/rx.log
            sleep 1000 | nc -l -p 5001 | (head -c 1 >/dev/null; a=$(cut -d' ' -f1 /proc/uptime); n=$(wc -c); \
            b=$(cut -d' ' -f1 /proc/uptime); echo "$a $b $n" > /tmp/rx.log)
            """
        try f.lxc(["exec", receiver, "--", "sh", "-c", "cat > /tmp/rx.sh"], stdin: Data(script.utf8)).check()
        try f.lxc(["exec", receiver, "--", "sh", "-c", "sh /tmp/rx.sh >/dev/null 2>&1 &"]).check()
        _ = try eventually { try f.lxc(["exec", receiver, "--", "sh", "-c", "netstat -ltn | grep -q :5001"]).status == 0 }
        try f.lxc(["exec", sender, "--", "sh", "-c", "dd if=/dev/zero bs=64k count=64 2>/dev/null | nc \(address) 5001"]).check()
        var fields: [Double] = []
        _ = try eventually(timeout: 60) {
            fields = try f.lxc(["exec", receiver, "--", "cat", "/tmp/rx.log"]).stdout.split(separator: " ")
                .compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return fields.count == 3
        }
        guard fields.count == 3, fields[2] > 1_000_000 else { throw TestFailure("transfer failed: \(fields)") }
        return fields[2] / max(0.01, fields[1] - fields[0])
    }

    /// `limits.egress` (set live on a running container) caps what it sends: a clear ratio
    /// against the same transfer without the limit.
    @Test func egressLimitCapsATransfer() async throws {
        try await DaemonFixture.with(network: true) { f in
            let sender = f.name("tx")
            let receiver = f.name("rx")
            try f.lxc(["launch", f.imageAlias, sender]).check()
            try f.lxc(["launch", f.imageAlias, receiver]).check()
            _ = try #require(try Self.ipv4(f, sender))
            let address = try #require(try Self.ipv4(f, receiver))
            let free = try Self.throughput(f, from: sender, to: receiver, address: address)
            try f.lxc(["config", "device", "override", sender, "eth0", "limits.egress=8Mbit"]).check()
            let limited = try Self.throughput(f, from: sender, to: receiver, address: address)
            // 8 Mbit/s is 1 MB/s; the free transfer runs at tens of MB/s here.
            #expect(limited < 1_500_000)
            #expect(free / limited > 4)
        }
    }

    /// Deleting a network in use is refused; once free, deleting it leaves no bridge, no
    /// dnsmasq and no firewall rule behind.
    @Test func deleteLeavesNothingBehind() async throws {
        try await DaemonFixture.with(withImage: false, network: true) { f in
            try f.lxc(["network", "create", "swl0", "ipv4.address=10.123.45.1/24", "ipv6.address=fd42:1:2:3::1/64"]).check()
            #expect(try f.inNamespace(["ip", "link", "show", "swl0"]).status == 0)
            #expect(try f.inNamespace(["nft", "list", "ruleset"]).check().stdout.contains("fwd.swl0"))
            #expect(try Self.dnsmasqPIDs(f, network: "swl0").count == 1)
            try f.lxc(["network", "attach-profile", "swl0", "default", "eth1"]).check()
            let refused = try f.lxc(["network", "delete", "swl0"])
            #expect(refused.stderr.contains("The network is currently in use"))
            try f.lxc(["network", "detach-profile", "swl0", "default"]).check()
            try f.lxc(["network", "delete", "swl0"]).check()
            #expect(try f.inNamespace(["ip", "link", "show", "swl0"]).status != 0)
            #expect(!(try f.inNamespace(["nft", "list", "ruleset"]).check().stdout.contains("swl0")))
            #expect(try eventually { try Self.dnsmasqPIDs(f, network: "swl0").isEmpty })
            #expect(!FileManager.default.fileExists(atPath: f.directory + "/networks/swl0"))
            // NAT off removes the masquerade rules of a live network.
            try f.lxc(["network", "set", "lxdbr0", "ipv4.nat=false", "ipv6.nat=false"]).check()
            #expect(!(try f.inNamespace(["nft", "list", "ruleset"]).check().stdout.contains("masquerade")))
        }
    }

    static func dnsmasqPIDs(_ f: DaemonFixture, network: String) throws -> [Int32] {
        guard let netns = f.netns else { return [] }
        return NetworkNamespace.pids(netns).filter { pid in
            let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            let words = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return words.first?.hasSuffix("dnsmasq") == true && words.contains("--interface=\(network)")
        }
    }

    /// After `lxd shutdown` and a new start the bridge and its dnsmasq are back and the
    /// container gets its lease again; after `kill -9` the new daemon replaces the old dnsmasq.
    @Test func daemonRestartRestoresTheNetwork() async throws {
        try await DaemonFixture.with(network: true) { f in
            let name = f.name("r")
            try f.lxc(["launch", f.imageAlias, name]).check()
            _ = try #require(try Self.ipv4(f, name))
            try f.shutdownDaemon()
            #expect(try f.inNamespace(["ip", "link", "show", "lxdbr0"]).status != 0)
            try f.startDaemon()
            #expect(try f.inNamespace(["ip", "link", "show", "lxdbr0"]).status == 0)
            #expect(try eventually { try Self.dnsmasqPIDs(f, network: "lxdbr0").count == 1 })
            let before = try Self.dnsmasqPIDs(f, network: "lxdbr0")
            #expect(try Self.ipv4(f, name) != nil)
            f.killDaemon()
            try f.startDaemon()
            #expect(try eventually { try Self.dnsmasqPIDs(f, network: "lxdbr0").count == 1 })
            #expect(try Self.dnsmasqPIDs(f, network: "lxdbr0") != before)
            try f.lxc(["exec", name, "--", "ping", "-c", "1", "-W", "5", "_gateway.lxd"]).check()
        }
    }

    /// Bad input gets LXD 5.0.2's errors and leaves nothing: bad CIDR, an overlapping subnet,
    /// a name too long, an unknown macvlan parent, a NIC on a missing network.
    @Test func badInputIsRefused() async throws {
        try await DaemonFixture.with(network: true) { f in
            let subnet = try #require(try Self.bridgeConfig(f)["ipv4.address"])
            let cases: [([String], String)] = [
                (
                    ["network", "create", "bad1", "ipv4.address=10.1.2.3/33"],
                    "Invalid value for network \"bad1\" option \"ipv4.address\": invalid CIDR address: 10.1.2.3/33"
                ),
                (
                    ["network", "create", "bad2", "ipv4.address=\(subnet)", "ipv6.address=none"],
                    "Invalid value for network \"bad2\" option \"ipv4.address\": Subnet"
                ),
                (["network", "create", "averyveryverylongname"], "Network interface is too long (maximum 15 characters)"),
                (["network", "create", "bad3", "--type=macvlan", "parent=nope"], "Parent interface \"nope\" not found"),
                (["network", "create", "bad4", "bogus.key=1"], "Invalid option for network \"bad4\" option \"bogus.key\""),
                (["network", "create", "lxdbr0"], "The network already exists"),
                (["network", "delete", "lxdbr0"], "The network is currently in use"),
            ]
            for (arguments, message) in cases {
                for client in [TestEnvironment.debianLXC, f.ourLXC] {
                    let result = try f.lxc(arguments, client: client)
                    #expect(result.status == 1, "\(arguments)")
                    #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
                }
            }
            let names = try f.get("/1.0/networks", as: [String].self)
            #expect(!names.contains { $0.contains("bad") || $0.contains("avery") })
            for name in ["bad1", "bad2", "bad3", "bad4"] {
                #expect(try f.inNamespace(["ip", "link", "show", name]).status != 0)
            }
            let name = f.name("n")
            let missing = try f.lxc(["init", f.imageAlias, name, "-n", "nope"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("nope"))
        }
    }

    /// Our `lxc network ...` prints what Debian's prints, and both manage a network the same way.
    @Test func bothClientsAgreeOnNetworkCommands() async throws {
        try await DaemonFixture.with(network: true) { f in
            let pair = ClientPair(fixture: f)
            let name = f.name("c")
            try f.lxc(["launch", f.imageAlias, name]).check()
            _ = try #require(try Self.ipv4(f, name))
            for arguments in [
                ["network", "list"], ["network", "list", "--format", "csv"], ["network", "list", "--format", "yaml"],
                ["network", "show", "lxdbr0"], ["network", "get", "lxdbr0", "ipv4.nat"], ["network", "list-leases", "lxdbr0"],
                ["network", "show", "nope"], ["network", "delete", "lxdbr0"], ["network", "create", "lxdbr0"],
                ["network", "get", "lxdbr0", "dns.domain"], ["network", "unset", "lxdbr0", "nope"],
            ] {
                let (debian, ours) = try pair.run(arguments)
                #expect(ours.stdout == debian.stdout, "\(arguments)")
                #expect(ours.stderr == debian.stderr, "\(arguments)")
                #expect(ours.status == debian.status, "\(arguments)")
            }
            // `info` (counters move between the two runs): the fixed part.
            let (debian, ours) = try pair.run(["network", "info", "lxdbr0"])
            #expect(ours.stdout.split(separator: "\n").prefix(6) == debian.stdout.split(separator: "\n").prefix(6))
            #expect(ours.stdout.contains("Upper devices: veth"))
            // Each client creates, sets, renames, attaches, detaches and deletes its own network.
            for (client, net) in [(TestEnvironment.debianLXC, "swd0"), (f.ourLXC, "swo0")] {
                try f.lxc(["network", "create", net, "ipv6.address=none"], client: client).check()
                try f.lxc(["network", "set", net, "user.k=v", "dns.domain=example"], client: client).check()
                #expect(try f.lxc(["network", "get", net, "dns.domain"], client: client).check().stdout == "example\n")
                try f.lxc(["network", "unset", net, "user.k"], client: client).check()
                #expect(try f.lxc(["network", "get", net, "user.k"], client: client).check().stdout == "")
                try f.lxc(["network", "rename", net, net + "r"], client: client).check()
                try f.lxc(["network", "attach", net + "r", name, "eth9", "eth9"], client: client).check()
                #expect(try f.lxc(["exec", name, "--", "ip", "link", "show", "eth9"]).status == 0)
                try f.lxc(["network", "detach", net + "r", name], client: client).check()
                #expect(try f.lxc(["exec", name, "--", "ip", "link", "show", "eth9"]).status != 0)
                let yaml = "config:\n  ipv4.address: 10.201.\(client == f.ourLXC ? 2 : 1).1/24\n  ipv6.address: none\ndescription: edited\n"
                try f.lxc(["network", "edit", net + "r"], stdin: Data(yaml.utf8), client: client).check()
                #expect(try f.get("/1.0/networks/\(net)r", as: Network.self).description == "edited")
                try f.lxc(["network", "delete", net + "r"], client: client).check()
                #expect(try f.inNamespace(["ip", "link", "show", net + "r"]).status != 0)
            }
        }
    }
}
