import Foundation
import LXDAPI
import LXDOS

/// Reads a running container's state without forking: cgroup counters from cgroupfs (through
/// liblxc when the cgroup cannot be found), the network interfaces of its namespace from
/// `/proc/<init pid>/net` and its own `/sys`.
struct InstanceStateReader {
    let lxc: LXCRuntime
    let name: String
    let pid: Int32
    private let cgroup: CgroupReader?

    init(lxc: LXCRuntime, name: String, pid: Int32) {
        self.lxc = lxc
        self.name = name
        self.pid = pid
        cgroup = CgroupReader(pid: pid)
    }

    func read(status: StatusCode) async -> InstanceState {
        let memory = await number(["memory.current", "memory.usage_in_bytes"])
        let memoryPeak = await number(["memory.peak", "memory.max_usage_in_bytes"])
        // v1 accounts memory+swap together (memsw); v2 has swap on its own.
        var swap = await number(["memory.swap.current"])
        var swapPeak: Int64 = 0
        let memsw = await number(["memory.memsw.usage_in_bytes"])
        if memsw > 0 {
            swap = max(0, memsw - memory)
            swapPeak = max(0, await number(["memory.memsw.max_usage_in_bytes"]) - memoryPeak)
        }
        let processes = await number(["pids.current"])
        var cpu = await number(["cpuacct.usage"])
        if cpu == 0, let stat = await item(["cpu.stat"]) {
            cpu = Self.usageNanoseconds(fromCPUStat: stat)
        }
        return InstanceState(
            status: status,
            memory: InstanceStateMemory(usage: memory, usagePeak: max(memoryPeak, memory), swapUsage: swap, swapUsagePeak: swapPeak),
            network: await Self.networkWithAddresses(pid: pid), pid: Int64(pid), processes: processes, cpu: InstanceStateCPU(usage: cpu))
    }

    private func number(_ keys: [String]) async -> Int64 {
        guard let text = await item(keys) else { return 0 }
        return Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    private func item(_ keys: [String]) async -> String? {
        if let cgroup { return cgroup.item(keys) }
        return await lxc.cgroupItem(name, keys)
    }

    /// cgroup v2 `cpu.stat` has `usage_usec N`.
    static func usageNanoseconds(fromCPUStat text: String) -> Int64 {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, fields[0] == "usage_usec", let value = Int64(fields[1]) { return value * 1000 }
        }
        return 0
    }

    /// The interfaces with their IPv4 addresses too: a container with a NIC is asked through
    /// `ip` run inside its network namespace (a helper process, as LXD's `forknet`); one with
    /// only loopback is read from `/proc` without forking.
    static func networkWithAddresses(pid: Int32) async -> [String: InstanceStateNetwork]? {
        let fromProc = network(pid: pid)
        guard let fromProc, fromProc.keys.contains(where: { $0 != "lo" }),
            let output = try? await HostTool.ipInNamespace(of: pid, ["-j", "-s", "addr", "show"])
        else { return fromProc }
        var result: [String: InstanceStateNetwork] = [:]
        for link in LinkInfo.parse(output) {
            var network = InstanceStateNetwork()
            network.addresses = link.stateAddresses.map {
                InstanceStateNetworkAddress(family: $0.family, address: $0.address, netmask: $0.netmask, scope: $0.scope)
            }
            network.counters.bytesReceived = link.rxBytes
            network.counters.packetsReceived = link.rxPackets
            network.counters.errorsReceived = link.rxErrors
            network.counters.packetsDroppedInbound = link.rxDropped
            network.counters.bytesSent = link.txBytes
            network.counters.packetsSent = link.txPackets
            network.counters.errorsSent = link.txErrors
            network.counters.packetsDroppedOutbound = link.txDropped
            network.hwaddr = link.lxdType == "loopback" ? "" : link.hwaddr
            network.mtu = link.mtu
            network.state = link.isUp ? "up" : "down"
            network.type = link.lxdType
            result[link.name] = network
        }
        return result.isEmpty ? fromProc : result
    }

    /// Interfaces and counters from `/proc/PID/net/dev`, addresses from `if_inet6` and the
    /// namespace's sysfs (reachable through `/proc/PID/root`).
    static func network(pid: Int32) -> [String: InstanceStateNetwork]? {
        guard let dev = KernelFile.read("/proc/\(pid)/net/dev") else { return nil }
        var result: [String: InstanceStateNetwork] = [:]
        let inet6 = KernelFile.read("/proc/\(pid)/net/if_inet6") ?? ""
        for line in dev.split(separator: "\n").dropFirst(2) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let interface = parts[0].trimmingCharacters(in: .whitespaces)
            let fields = parts[1].split(separator: " ").compactMap { Int64($0) }
            guard fields.count >= 16 else { continue }
            var network = InstanceStateNetwork()
            network.counters.bytesReceived = fields[0]
            network.counters.packetsReceived = fields[1]
            network.counters.errorsReceived = fields[2]
            network.counters.packetsDroppedInbound = fields[3]
            network.counters.bytesSent = fields[8]
            network.counters.packetsSent = fields[9]
            network.counters.errorsSent = fields[10]
            network.counters.packetsDroppedOutbound = fields[11]
            let sys = "/proc/\(pid)/root/sys/class/net/\(interface)/"
            func sysValue(_ file: String) -> String? {
                KernelFile.read(sys + file)?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            network.mtu = Int(sysValue("mtu") ?? "") ?? (interface == "lo" ? 65536 : 1500)
            let operstate = sysValue("operstate") ?? "down"
            let flags = Int(sysValue("flags")?.dropFirst(2) ?? "", radix: 16) ?? 0
            network.state = operstate == "up" || (flags & 1 == 1) ? "up" : "down"
            network.type = interface == "lo" ? "loopback" : "broadcast"
            let hwaddr = sysValue("address") ?? ""
            network.hwaddr = interface == "lo" || hwaddr == "00:00:00:00:00:00" ? "" : hwaddr
            network.addresses = inet6Addresses(inet6, interface: interface)
            if interface == "lo", network.state == "up" {
                network.addresses.insert(
                    InstanceStateNetworkAddress(family: "inet", address: "127.0.0.1", netmask: "8", scope: "local"), at: 0)
            }
            result[interface] = network
        }
        return result
    }

    static func inet6Addresses(_ text: String, interface: String) -> [InstanceStateNetworkAddress] {
        var addresses: [InstanceStateNetworkAddress] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 6, fields[5] == interface, fields[0].count == 32 else { continue }
            let hex = Array(fields[0])
            var groups: [String] = []
            for index in stride(from: 0, to: 32, by: 4) {
                let group = String(hex[index..<index + 4]).drop { $0 == "0" }
                groups.append(group.isEmpty ? "0" : String(group))
            }
            let prefix = Int(fields[2], radix: 16) ?? 128
            let scopeCode = Int(fields[3], radix: 16) ?? 0
            let scope = scopeCode == 0x10 ? "local" : scopeCode == 0x20 ? "link" : "global"
            addresses.append(
                InstanceStateNetworkAddress(family: "inet6", address: compressIPv6(groups), netmask: String(prefix), scope: scope))
        }
        return addresses
    }

    /// RFC 5952 text form: the longest run of zero groups becomes `::`.
    static func compressIPv6(_ groups: [String]) -> String {
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < groups.count {
            guard groups[index] == "0" else {
                index += 1
                continue
            }
            var end = index
            while end < groups.count, groups[end] == "0" { end += 1 }
            if end - index > bestLength, end - index > 1 {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        guard bestStart >= 0 else { return groups.joined(separator: ":") }
        let head = groups[..<bestStart].joined(separator: ":")
        let tail = groups[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
