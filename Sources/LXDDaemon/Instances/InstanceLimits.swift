import Foundation
import LXDAPI
import LXDOS

/// The resource limits of an instance's expanded config, as the cgroup values liblxc writes at
/// start (and the daemon writes live into a running container's cgroup).
struct InstanceLimits: Equatable {
    var memoryBytes: Int64?
    var processes: Int64?
    var cpuSet: String?

    init(memoryBytes: Int64? = nil, processes: Int64? = nil, cpuSet: String? = nil) {
        self.memoryBytes = memoryBytes
        self.processes = processes
        self.cpuSet = cpuSet
    }

    init(config: [String: String], hostMemory: Int64 = HostResources.memoryBytes, hostCPUs: Int = HostResources.cpuCount) throws {
        if let value = config["limits.memory"], !value.isEmpty {
            memoryBytes = try Self.memory(value, hostMemory: hostMemory)
        }
        if let value = config["limits.processes"], !value.isEmpty {
            guard let count = Int64(value), count > 0 else { throw Self.invalid("limits.processes", value, "Invalid integer") }
            processes = count
        }
        if let value = config["limits.cpu"], !value.isEmpty {
            cpuSet = try Self.cpus(value, hostCPUs: hostCPUs)
        }
    }

    static func invalid(_ key: String, _ value: String, _ reason: String) -> LXDError {
        LXDError.badRequest("Invalid value for \"\(key)\" option: \(reason) \"\(value)\"")
    }

    /// Bytes with LXD's units (decimal kB..EB, binary KiB..EiB, plain bytes) or a host percentage.
    static func memory(_ value: String, hostMemory: Int64) throws -> Int64 {
        if value.hasSuffix("%") {
            // LXD: a whole percentage of the host's memory (over 100% allowed), integer arithmetic.
            guard let percent = Int64(value.dropLast()), percent > 0 else {
                throw invalid("limits.memory", value, "Invalid percentage")
            }
            return hostMemory / 100 * percent
        }
        // The same units and rules as the config check (LXD's ParseByteSizeString: whole numbers).
        guard let bytes = try? ByteSizeParser.parse(value), bytes > 0 else { throw invalid("limits.memory", value, "Invalid value") }
        return bytes
    }

    /// `2` (a count: the first N CPUs), `0-3`, `0,2` or mixes, as a cpuset list (`CPUSet`'s rules).
    static func cpus(_ value: String, hostCPUs: Int) throws -> String {
        do {
            return try CPUSet.parse(value).cpusetList(hostCPUs: hostCPUs)
        } catch {
            throw invalid("limits.cpu", value, error.message)
        }
    }
}

/// The host's memory and CPUs, read once.
enum HostResources {
    static let memoryBytes: Int64 = {
        guard let text = KernelFile.read("/proc/meminfo") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kilobytes = Int64(fields[1]) { return kilobytes * 1024 }
        }
        return 0
    }()

    static let cpuCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}
