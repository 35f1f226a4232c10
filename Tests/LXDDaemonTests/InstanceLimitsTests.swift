import Testing

@testable import LXDDaemon

@Suite struct InstanceLimitsTests {
    @Test(arguments: [
        ("256MB", Int64(256_000_000)), ("1GiB", Int64(1 << 30)), ("512KiB", Int64(512 << 10)), ("2kB", Int64(2000)),
        ("1048576", Int64(1 << 20)), ("50%", Int64(4_294_967_250)), ("3 bytes", Int64(3)),
    ])
    func memory(_ value: String, _ bytes: Int64) throws {
        #expect(try InstanceLimits.memory(value, hostMemory: 8 << 30) == bytes)
    }

    /// LXD 5.0.2 refuses fractions too ("Invalid config: Invalid value: 1.5GB", checked on it).
    @Test(arguments: ["", "abc", "-5MB", "0", "0%", "x%", "12XB", "1.5GB"])
    func badMemory(_ value: String) {
        #expect(throws: (any Error).self) { try InstanceLimits.memory(value, hostMemory: 8 << 30) }
    }

    @Test(arguments: [("1", "0"), ("2", "0-1"), ("16", "0-3"), ("0-2", "0-2"), ("3,1", "1,3"), ("0-1,3", "0-1,3")])
    func cpus(_ value: String, _ set: String) throws {
        #expect(try InstanceLimits.cpus(value, hostCPUs: 4) == set)
    }

    /// LXD 5.0.2 (observed on a 2-CPU host): CPUs the host lacks are dropped, and a set left
    /// empty (or a count of 0, or a backwards range) means every CPU; none of these is an error.
    @Test(arguments: [
        ("0", "0-3"), ("00", "0-3"), ("0,9", "0"), ("2-1", "0-3"), ("0-9", "0-3"), ("7", "0-3"), ("1,7", "1"),
        ("1-3000000000", "1-3"), ("3000000000", "0-3"),
    ])
    func cpusTheHostLacks(_ value: String, _ set: String) throws {
        #expect(try InstanceLimits.cpus(value, hostCPUs: 4) == set)
    }

    @Test(arguments: ["a", "1-", ",1", "1,1", "0-2,1"])
    func badCPUs(_ value: String) {
        #expect(throws: (any Error).self) { try InstanceLimits.cpus(value, hostCPUs: 4) }
    }

    @Test func fromConfig() throws {
        let limits = try InstanceLimits(
            config: ["limits.memory": "64MB", "limits.processes": "30", "limits.cpu": "1", "limits.cpu.priority": "10"],
            hostMemory: 8 << 30, hostCPUs: 2)
        #expect(limits == InstanceLimits(memoryBytes: 64_000_000, processes: 30, cpuSet: "0"))
        #expect(try InstanceLimits(config: [:], hostMemory: 1, hostCPUs: 1) == InstanceLimits())
        #expect(throws: (any Error).self) { try InstanceLimits(config: ["limits.processes": "many"], hostMemory: 1, hostCPUs: 1) }
    }
}
