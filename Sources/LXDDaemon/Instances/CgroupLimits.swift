import Foundation
import LXDAPI
import LXDOS

/// One cgroup file value of a container: `memory.limit_in_bytes = 64000000` (v1) or
/// `memory.max = 64000000` (v2). At start it becomes `lxc.cgroup.KEY` / `lxc.cgroup2.KEY`;
/// live it is written through liblxc.
struct CgroupSetting: Sendable, Equatable {
    var version: CgroupLayout.Version
    var key: String
    var value: String

    var lxcConfigKey: String { (version == .v1 ? "lxc.cgroup." : "lxc.cgroup2.") + key }
}

/// The cgroup values of an instance's limits, as LXD 5.0 sets them: `limits.memory` (+
/// `.enforce`, `.swap`), `limits.cpu` (cpuset), `limits.cpu.allowance` and `.priority`
/// (shares/weight and CFS quota), `limits.processes`, `limits.disk.priority` (I/O weight) and
/// the `limits.read`/`limits.write`/`limits.max` of disk devices (throttling per block device).
struct CgroupLimits {
    let layout: CgroupLayout
    var hostMemory: Int64 = HostResources.memoryBytes
    var hostCPUs: Int = HostResources.cpuCount
    /// "MAJOR:MINOR" of the whole block devices holding `path`.
    var blockDevices: (String) throws -> [String] = { try BlockDevice.parents(of: $0) }

    init(layout: CgroupLayout) {
        self.layout = layout
    }

    func settings(config: [String: String], devices: Devices, rootfs: String) throws -> [CgroupSetting] {
        var out: [CgroupSetting] = []
        func add(_ controller: String, _ v1: String, _ v2: String, _ value: String) {
            guard let version = layout.controllers[controller] else { return }
            out.append(CgroupSetting(version: version, key: version == .v1 ? v1 : v2, value: value))
        }
        let limits = try InstanceLimits(config: config, hostMemory: hostMemory, hostCPUs: hostCPUs)
        if let bytes = limits.memoryBytes {
            if config["limits.memory.enforce"] == "soft" {
                add("memory", "memory.soft_limit_in_bytes", "memory.low", String(bytes))
            } else {
                add("memory", "memory.limit_in_bytes", "memory.max", String(bytes))
                // LXD: with swap allowed (the default) swap is still capped at the memory limit
                // on v1 (memsw = limit); v2 gets no extra swap.
                if layout.hasSwapLimit && !ConfigBool.isFalse(config["limits.memory.swap"] ?? "") {
                    add(
                        "memory", "memory.memsw.limit_in_bytes", "memory.swap.max",
                        layout.controllers["memory"] == .v1 ? String(bytes) : "0")
                }
                add("memory", "memory.soft_limit_in_bytes", "memory.low", String(Int64(Double(bytes) * 0.9)))
            }
        }
        if layout.controllers["memory"] == .v1 {
            if ConfigBool.isFalse(config["limits.memory.swap"] ?? "") {
                add("memory", "memory.swappiness", "", "0")
            } else if let priority = Int(config["limits.memory.swap.priority"] ?? "") {
                add("memory", "memory.swappiness", "", String(70 - priority))
            }
        }
        if let processes = limits.processes { add("pids", "pids.max", "pids.max", String(processes)) }
        if let cpus = limits.cpuSet { add("cpuset", "cpuset.cpus", "cpuset.cpus", cpus) }
        if let cpu = try cpuValues(config) {
            add("cpu", "cpu.shares", "cpu.weight", String(cpu.shares))
            if let quota = cpu.quota {
                add(
                    "cpu", "cpu.cfs_quota_us", "cpu.max",
                    layout.controllers["cpu"] == .v2 ? "\(quota.quota) \(quota.period)" : String(quota.quota))
                if layout.controllers["cpu"] == .v1 { add("cpu", "cpu.cfs_period_us", "", String(quota.period)) }
            }
        }
        if let text = config["limits.disk.priority"], let priority = Int(text) {
            guard layout.hasBlkioWeight else {
                throw LXDError.badRequest("Cannot apply limits.disk.priority as blkio.weight cgroup controller is missing")
            }
            add("blkio", "blkio.weight", "io.weight", String(max(10, priority * 100)))
        }
        out += try diskThrottles(devices, rootfs: rootfs)
        return out
    }

    /// cpu shares (v1, 2..) or weight (v2, 1..100) and an optional CFS quota, LXD's formula:
    /// priority 10 is full weight, each step below takes one off; a percentage allowance
    /// scales the weight; `Nms/Mms` sets a hard quota.
    func cpuValues(_ config: [String: String]) throws -> (shares: Int64, quota: (quota: Int64, period: Int64)?)? {
        let allowance = config["limits.cpu.allowance"] ?? ""
        let priorityText = config["limits.cpu.priority"] ?? ""
        guard !allowance.isEmpty || !priorityText.isEmpty else { return nil }
        let maximum: Int64 = layout.controllers["cpu"] == .v2 ? 100 : 1024
        var shares = -Int64(10 - (Int(priorityText) ?? 10))
        var quota: (Int64, Int64)?
        if allowance.isEmpty {
            shares += maximum
        } else {
            do {
                switch try CPUAllowance.parse(allowance) {
                case .percent(let percent): shares += Int64(Double(maximum) / 100 * Double(percent))
                case .quota(let q, let p):
                    quota = (q, p)
                    shares += maximum
                }
            } catch {
                throw LXDError.badRequest(error.message)
            }
        }
        return (max(layout.controllers["cpu"] == .v2 ? 1 : 2, shares), quota)
    }

    /// Throttles of every disk device with limits, per whole block device (averaged when
    /// several devices share one, as LXD does).
    func diskThrottles(_ devices: Devices, rootfs: String) throws -> [CgroupSetting] {
        guard let version = layout.controllers["blkio"] else {
            if devices.values.contains(where: { $0["type"] == "disk" && $0.keys.contains { $0.hasPrefix("limits.") } }) {
                throw LXDError.badRequest("Cannot apply disk limits as blkio cgroup controller is missing")
            }
            return []
        }
        var perBlock: [String: [String: [Int64]]] = [:]
        for (_, device) in devices.sorted(by: { $0.key < $1.key }) where device["type"] == "disk" {
            var read = device["limits.read"] ?? ""
            var write = device["limits.write"] ?? ""
            if let max = device["limits.max"], !max.isEmpty { (read, write) = (max, max) }
            guard !read.isEmpty || !write.isEmpty else { continue }
            let path = device["path"] == "/" ? rootfs : (device["source"] ?? "")
            guard FileManager.default.fileExists(atPath: path) else { continue }
            var values: [String: Int64] = [:]
            for (operation, text) in [("read", read), ("write", write)] where !text.isEmpty {
                if text.hasSuffix("iops") {
                    let number = String(text.dropLast(4))
                    guard let iops = Int64(number) else { throw LXDError.badRequest(GoSyntax.parseIntError(number, function: "ParseInt")) }
                    values[operation + "_iops"] = iops
                } else {
                    do { values[operation + "_bps"] = try ByteSizeParser.parse(text) } catch { throw LXDError.badRequest(error.message) }
                }
            }
            for block in try blockDevices(path) {
                for (kind, value) in values where value > 0 { perBlock[block, default: [:]][kind, default: []].append(value) }
            }
        }
        var out: [CgroupSetting] = []
        for block in perBlock.keys.sorted() {
            for (kind, values) in (perBlock[block] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let value = values.reduce(0, +) / Int64(values.count)
                if version == .v1 {
                    out.append(CgroupSetting(version: .v1, key: "blkio.throttle.\(kind)_device", value: "\(block) \(value)"))
                } else {
                    let name = (kind.hasPrefix("read") ? "r" : "w") + (kind.hasSuffix("iops") ? "iops" : "bps")
                    out.append(CgroupSetting(version: .v2, key: "io.max", value: "\(block) \(name)=\(value)"))
                }
            }
        }
        return out
    }

    /// What undoes a setting that a new config no longer has (live changes).
    static func reset(_ setting: CgroupSetting) -> CgroupSetting? {
        var reset = setting
        switch setting.key {
        case "memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes", "cpu.cfs_quota_us": reset.value = "-1"
        case "memory.max", "memory.low", "memory.swap.max", "pids.max", "cpu.max": reset.value = "max"
        case "cpu.cfs_period_us": reset.value = "100000"
        case "cpu.shares": reset.value = "1024"
        case "cpu.weight": reset.value = "100"
        case "memory.swappiness": reset.value = "60"
        case "blkio.weight": reset.value = "500"
        case "io.weight": reset.value = "default 100"
        case "cpuset.cpus": reset.value = HostResources.cpuCount == 1 ? "0" : "0-\(HostResources.cpuCount - 1)"
        case let key where key.hasPrefix("blkio.throttle."):
            reset.value = (setting.value.split(separator: " ").first.map(String.init) ?? "") + " 0"
        case "io.max":
            let parts = setting.value.split(separator: " ")
            let name = parts.dropFirst().first?.split(separator: "=").first ?? "rbps"
            reset.value = "\(parts.first ?? "") \(name)=max"
        default: return nil
        }
        return reset
    }
}

/// Whole block devices behind a path (for disk throttling).
enum BlockDevice {
    static func parents(of path: String) throws -> [String] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw LXDError.badRequest("Block device path doesn't exist \(GoSyntax.quote(path))") }
        let dev = UInt64(info.st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        let block = "\(major):\(minor)"
        let sys = "/sys/dev/block/\(block)"
        if FileManager.default.fileExists(atPath: sys + "/partition"),
            let parent = KernelFile.read(sys + "/../dev")
        {
            return [parent.trimmingCharacters(in: .whitespacesAndNewlines)]
        }
        guard FileManager.default.fileExists(atPath: sys + "/dev") else {
            throw LXDError.badRequest("Block device doesn't support quotas \(GoSyntax.quote(block))")
        }
        return [block]
    }
}
