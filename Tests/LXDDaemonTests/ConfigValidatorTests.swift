import Testing

@testable import LXDDaemon

/// Instance and profile config keys: each kind of value with LXD 5.0.2's messages.
@Suite struct ConfigValidatorTests {
    private func message(_ config: [String: String], _ target: ConfigValidator.Target = .container) -> String? {
        do {
            try ConfigValidator.validate(config, for: target)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        ("security.privileged", "true"), ("security.privileged", "OFF"), ("security.nesting", "1"), ("security.idmap.isolated", "no"),
        ("limits.memory", "64MB"), ("limits.memory", "1GiB"), ("limits.memory", "50%"), ("limits.memory", "123"),
        ("limits.memory", "200%"), ("limits.memory.enforce", "soft"), ("limits.memory.swap", "false"), ("limits.cpu", "2"),
        ("limits.cpu", "0-1"), ("limits.cpu", "0,3-5"), ("limits.cpu", "99"), ("limits.cpu.allowance", "50%"),
        ("limits.cpu.allowance", "25ms/100ms"), ("limits.cpu.priority", "0"), ("limits.disk.priority", "10"),
        ("limits.processes", "100"), ("limits.hugepages.2MB", "10MB"), ("security.idmap.size", "100000"),
        ("security.idmap.base", "200000"), ("boot.autostart.delay", "-5"), ("snapshots.expiry", "1d 2w"),
        ("snapshots.schedule", "@daily"), ("snapshots.schedule", "0 6 * * *"), ("volatile.uuid", "2dcc178f-cf5b-48ff-b97c-b0f05f44db1a"),
        ("user.anything.Goes", "x"), ("environment.FOO", "bar"), ("image.os", "busybox"), ("volatile.eth0.hwaddr", "00:16:3e:00:00:01"),
        ("volatile.idmap.base", "5"), ("linux.sysctl.net.ipv4.ip_forward", "1"), ("limits.kernel.nofile", "100"),
        ("raw.lxc", "lxc.cgroup.memory.limit_in_bytes = 10000000\n# comment\n\n"), ("raw.idmap", "both 1000 1000"),
        ("cloud-init.user-data", "#cloud-config\npackages: [a]"), ("cloud-init.user-data", "#!/bin/sh\necho"),
        ("limits.memory", ""), ("security.privileged", ""),
    ])
    func accepted(_ key: String, _ value: String) {
        #expect(message([key: value]) == nil)
    }

    @Test(arguments: [
        ("foo", "bar", "Unknown configuration key: foo"),
        ("volatile.foo", "bar", "Unknown configuration key: volatile.foo"),
        ("migration.stateful", "true", "Unknown configuration key: migration.stateful"),
        ("limits.memory", "abc", "Invalid value: abc"),
        ("limits.memory", "1.5GB", "Invalid value: 1.5GB"),
        ("limits.memory", "10%x", "Invalid value: 10%x"),
        ("limits.memory", "0", "Memory limit can't be 0"),
        ("limits.memory", "0%", "Memory limit can't be 0%"),
        ("limits.memory", "x%", "strconv.ParseInt: parsing \"x\": invalid syntax"),
        ("security.privileged", "maybe", "Invalid value for a boolean \"maybe\""),
        ("limits.memory.swap", "maybe", "Invalid value for a boolean \"maybe\""),
        ("limits.memory.enforce", "medium", "Invalid value \"medium\" (not one of [soft hard])"),
        ("limits.processes", "abc", "Invalid value for an integer \"abc\""),
        ("limits.cpu.priority", "11", "Invalid value for a limit \"11\". Must be between 0 and 10"),
        ("limits.disk.priority", "x", "Invalid value for an integer \"x\""),
        ("limits.cpu", "1-3,3", "Cannot define CPU multiple times"),
        ("limits.cpu", "a", "Invalid CPU limit syntax"),
        ("limits.cpu.allowance", "abc", "Invalid allowance: abc"),
        ("limits.cpu.allowance", "x%", "strconv.Atoi: parsing \"x\": invalid syntax"),
        ("security.idmap.base", "-1", "Invalid value for uint32 \"-1\": strconv.ParseUint: parsing \"-1\": invalid syntax"),
        (
            "security.idmap.size", "99999999999",
            "Invalid value for uint32 \"99999999999\": strconv.ParseUint: parsing \"99999999999\": value out of range"
        ),
        ("snapshots.expiry", "garbage", "Invalid expiry expression"),
        ("snapshots.schedule", "garbage", "Schedule must be of the form: <minute> <hour> <day-of-month> <month> <day-of-week>"),
        ("volatile.uuid", "nope", "Invalid UUID"),
        ("raw.lxc", "garbage", "Invalid raw.lxc line: garbage"),
        ("raw.lxc", "lxc.logfile=/tmp/x", "Setting lxc.logfile is not allowed"),
        ("raw.lxc", "lxc.log.syslog = daemon", "Setting lxc.log.syslog is not allowed"),
        ("raw.lxc", "lxc.ephemeral = 1", "Setting lxc.ephemeral is not allowed"),
        ("raw.lxc", "lxc.net.0.type = veth", "Only interface-specific ipv4/ipv6 lxc.net. keys are allowed"),
    ])
    func refused(_ key: String, _ value: String, _ expected: String) {
        #expect(message([key: value]) == expected)
    }

    @Test func profilesTakeKeysOfEveryInstanceTypeButNoVolatileOrImageKeys() {
        #expect(message(["migration.stateful": "true"], .profile) == nil)
        #expect(message(["volatile.idmap.base": "5"], .profile) == "Volatile keys can only be set on instances")
        #expect(message(["image.os": "x"], .profile) == "Image keys can only be set on instances")
        #expect(message(["foo": "bar"], .profile) == "Unknown configuration key: foo")
    }

    @Test func combinationsAreChecked() {
        #expect(
            message(["security.syscalls.deny": "a", "security.syscalls.blacklist": "b"])
                == "Mutually exclusive keys security.syscalls.deny and security.syscalls.blacklist are set")
        #expect(
            message(["raw.seccomp": "x", "security.syscalls.deny": "a"]) == "raw.seccomp is mutually exclusive with security.syscalls*")
        #expect(
            message(["security.syscalls.allow": "a", "security.syscalls.deny_default": "true"])
                == "security.syscalls.allow is mutually exclusive with security.syscalls.deny*")
    }

    @Test func idmapKeysMayChangeButNotDisappear() {
        #expect(throws: ConfigValueError("Volatile idmap keys can't be deleted by the user")) {
            try ConfigValidator.checkProtectedKeysKept(old: ["volatile.idmap.base": "0"], new: [:])
        }
        #expect(throws: Never.self) {
            try ConfigValidator.checkProtectedKeysKept(
                old: ["volatile.uuid": "x", "volatile.idmap.base": "0"], new: ["volatile.idmap.base": "7"])
        }
    }

    @Test(arguments: [
        ("0", CPUSet.count(0)), ("2", .count(2)), ("0-1", .cpus([0...1])), ("3,1", .cpus([1...1, 3...3])),
        ("0,2-4", .cpus([0...0, 2...4])), ("2-1", .cpus([])), ("1-3000000000", .cpus([1...3_000_000_000])),
    ])
    func cpuSets(_ text: String, _ expected: CPUSet) throws {
        #expect(try CPUSet.parse(text) == expected)
    }

    @Test(arguments: [
        (CPUSet.count(1), "0"), (.count(2), "0-1"), (.count(16), "0-3"), (.count(0), "0-3"), (.cpus([0...0, 2...3]), "0,2-3"),
        (.cpus([7...7]), "0-3"), (.cpus([]), "0-3"), (.cpus([2...3_000_000_000]), "2-3"),
    ])
    func cpusetLists(_ set: CPUSet, _ list: String) {
        #expect(set.cpusetList(hostCPUs: 4) == list)
    }

    @Test(arguments: [
        ("50%", CPUAllowance.percent(50)), ("25ms/100ms", .quota(quotaMicroseconds: 25000, periodMicroseconds: 100000)),
        ("10/20", .quota(quotaMicroseconds: 10000, periodMicroseconds: 20000)),
    ])
    func allowances(_ text: String, _ expected: CPUAllowance) throws {
        #expect(try CPUAllowance.parse(text) == expected)
    }

    @Test(arguments: [
        ("", Int64(0)), ("10", 10), ("10B", 10), ("10 bytes", 10), ("2kB", 2000), ("3MB", 3_000_000), ("1GiB", 1 << 30), ("1EiB", 1 << 60),
    ])
    func byteSizes(_ text: String, _ bytes: Int64) throws {
        #expect(try ByteSizeParser.parse(text) == bytes)
    }

    @Test(arguments: [
        ("abc", "Invalid value: abc"), ("-5MB", "Invalid value: -5MB"), ("12XB", "Invalid value: 12XB"),
        ("99999999999999999999", "Invalid integer: 99999999999999999999"),
        ("9000000000EiB", "Overflow multiplying 9000000000 with 1152921504606846976"),
    ])
    func badByteSizes(_ text: String, _ expected: String) {
        #expect(throws: ConfigValueError(expected)) { try ByteSizeParser.parse(text) }
    }

    @Test(arguments: [("a\"b", "\"a\\\"b\""), ("x\ny", "\"x\\ny\""), ("\u{1}", "\"\\x01\"")])
    func goQuoting(_ text: String, _ quoted: String) {
        #expect(GoSyntax.quote(text) == quoted)
    }
}

/// Device entries per type, with LXD 5.0.2's messages.
@Suite struct DeviceValidatorTests {
    private func message(_ devices: [String: [String: String]]) -> String? {
        do {
            try DeviceValidator.validate(devices)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        ["type": "disk", "path": "/", "pool": "default"], ["type": "disk", "source": "/tmp", "path": "/mnt", "readonly": "true"],
        ["type": "disk", "source": "/tmp", "path": "/mnt", "limits.read": "10MB", "limits.write": "20iops", "user.note": "x"],
        ["type": "disk", "source": "vol1", "pool": "default", "path": "/data"], ["type": "unix-char", "path": "/dev/zzz"],
        ["type": "unix-block", "source": "/dev/loop0", "major": "7", "minor": "0", "uid": "1000", "gid": "0", "mode": "0660"],
        ["type": "none"], ["type": "nic", "nictype": "bridged", "parent": "lxdbr0"],
    ])
    func accepted(_ device: [String: String]) {
        #expect(message(["dev": device]) == nil)
    }

    @Test(arguments: [
        (["path": "/a"], "Failed loading device \"x\": Missing device type in config"),
        (["type": "gpu"], "Failed loading device \"x\": Unsupported device type"),
        (["type": "disk", "path": "/a"], "Disk entry is missing the required \"source\" or \"path\" property"),
        (["type": "disk"], "Disk entry is missing the required \"source\" or \"path\" property"),
        (["type": "disk", "path": "/a", "source": "/tmp", "foo": "1"], "Invalid device option \"foo\""),
        (["type": "disk", "path": "/a", "source": "tmp"], "Source path must be absolute for local sources"),
        (["type": "disk", "path": "/", "source": "/tmp", "pool": "p"], "Root disk entry may not have a \"source\" property set"),
        (["type": "disk", "path": "/"], "Root disk entry must have a \"pool\" property set"),
        (["type": "disk", "path": "/a", "source": "/tmp", "size": "1GB"], "Only the root disk may have a size quota"),
        (["type": "disk", "path": "/", "pool": "p", "size": "abc"], "Invalid value for device option \"size\": Invalid value: abc"),
        (
            ["type": "disk", "path": "/a", "source": "/tmp", "readonly": "maybe"],
            "Invalid value for device option \"readonly\": Invalid value for a boolean \"maybe\""
        ),
        (["type": "unix-char"], "Unix device entry is missing the required \"source\" or \"path\" property"),
        (
            ["type": "unix-char", "path": "/dev/z", "mode": "abc"],
            "Invalid value for device option \"mode\": Invalid value for an octal file mode"
        ),
        (
            ["type": "unix-char", "path": "/dev/z", "major": "x"],
            "Invalid value for device option \"major\": Invalid value for a UNIX device number"
        ),
        (["type": "unix-block", "path": "/dev/z", "uid": "-1"], "Invalid value for device option \"uid\": Invalid value for a UNIX ID"),
        (["type": "none", "foo": "bar"], "Invalid device option \"foo\""),
    ])
    func refused(_ device: [String: String], _ expected: String) {
        #expect(message(["x": device]) == "Device validation failed for \"x\": \(expected)")
    }

    @Test func twoDisksOnOnePathAreRefused() {
        let disk = ["type": "disk", "path": "/a", "source": "/tmp"]
        #expect(
            message(["x": disk, "y": disk]) == "Device validation failed for \"x\": More than one disk device uses the same path \"/a\"")
    }

    @Test func missingSourcesAreReportedForInstances() {
        #expect(throws: ConfigValueError("Failed add validation for device \"g\": Missing source path \"/no/such\" for disk \"g\"")) {
            try DeviceValidator.checkSources(["g": ["type": "disk", "source": "/no/such", "path": "/g"]])
        }
        #expect(throws: Never.self) {
            try DeviceValidator.checkSources(["g": ["type": "disk", "source": "/no/such", "path": "/g", "required": "false"]])
        }
    }
}
