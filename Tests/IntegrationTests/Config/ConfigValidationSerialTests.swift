import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// Every config key and device is checked against LXD 5.0.2's reference before it is stored,
/// with LXD's messages, and a refused change leaves the instance or profile as it was.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ConfigValidationSerialTests {
    /// The error envelope of a raw request: (HTTP status, message).
    private func error(_ f: DaemonFixture, _ method: String, _ path: String, _ body: String) throws -> (Int, String) {
        let response = try f.http.request(method, path, body: Data(body.utf8))
        let envelope = try LXDJSON.decode(ResponseRaw.self, from: response.body)
        return (response.status, envelope.error)
    }

    @Test func badInstanceConfigIsRefusedWithLXDsMessagesAndNothingChanges() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("cfg")
            try f.lxc(["init", f.imageAlias, name, "-c", "user.keep=1"]).check()
            let before = try f.get("/1.0/instances/\(name)", as: Instance.self)
            let refusals: [([String], String)] = [
                (["foo", "bar"], "Error: Invalid config: Unknown configuration key: foo"),
                (["volatile.foo", "bar"], "Error: Invalid config: Unknown configuration key: volatile.foo"),
                (["limits.memory", "abc"], "Error: Invalid config: Invalid value: abc"),
                (["security.privileged", "maybe"], "Error: Invalid config: Invalid value for a boolean \"maybe\""),
                (["limits.memory.enforce", "medium"], "Error: Invalid config: Invalid value \"medium\" (not one of [soft hard])"),
                (["limits.cpu.priority", "11"], "Error: Invalid config: Invalid value for a limit \"11\". Must be between 0 and 10"),
                (["limits.cpu.allowance", "abc"], "Error: Invalid config: Invalid allowance: abc"),
                (["raw.lxc", "garbage"], "Error: Invalid config: Invalid raw.lxc line: garbage"),
                (["raw.lxc", "lxc.log.file=/tmp/x"], "Error: Invalid config: Setting lxc.logfile is not allowed"),
                (["raw.idmap", "foo"], "Error: Failed to get ID map: Invalid ID map line \"foo\""),
            ]
            for (arguments, expected) in refusals {
                let result = try f.lxc(["config", "set", name] + arguments)
                #expect(result.status == 1 && result.stderr == expected + "\n", "\(arguments): \(result.stderr)")
            }
            // liblxc itself refuses keys it does not know, at set time.
            let unknownLXC = try f.lxc(["config", "set", name, "raw.lxc", "lxc.no.such.key = 1"])
            #expect(unknownLXC.status == 1 && unknownLXC.stderr.contains("loading config file for the container failed"))

            let badDevice = try f.lxc(["config", "device", "add", name, "d1", "disk", "path=/mnt"])
            #expect(
                badDevice.stderr
                    == "Error: Invalid devices: Device validation failed for \"d1\": Disk entry is missing the required \"source\" or \"path\" property\n"
            )
            let badOption = try f.lxc(["config", "device", "add", name, "d1", "disk", "source=/tmp", "path=/mnt", "colour=red"])
            #expect(badOption.stderr == "Error: Invalid devices: Device validation failed for \"d1\": Invalid device option \"colour\"\n")

            // PATCH is synchronous in LXD 5.0.2: a 500 with the same message.
            let (status, message) = try error(f, "PATCH", "/1.0/instances/\(name)", #"{"config":{"foo":"bar"}}"#)
            #expect(status == 500 && message == "Invalid config: Unknown configuration key: foo")
            // The id map keys cannot be removed by a client.
            let shown = try f.lxc(["config", "show", name]).check().stdout
            let edited = shown.split(separator: "\n").filter { !$0.contains("volatile.idmap.base") }.joined(separator: "\n")
            let edit = try f.lxc(["config", "edit", name], stdin: Data(edited.utf8))
            #expect(edit.stderr == "Error: Volatile idmap keys can't be deleted by the user\n")

            let after = try f.get("/1.0/instances/\(name)", as: Instance.self)
            #expect(after.config == before.config)
            #expect(after.devices == before.devices)

            // Allowed namespaces and values go through.
            for (key, value) in [
                ("user.note", "x"), ("environment.FOO", "bar"), ("limits.memory", "50%"), ("limits.cpu.allowance", "25ms/100ms"),
                ("volatile.idmap.base", "0"), ("raw.lxc", "lxc.cgroup.memory.limit_in_bytes = 100000000"),
            ] {
                try f.lxc(["config", "set", name, key, value]).check()
                #expect(try f.lxc(["config", "get", name, key]).check().stdout == value + "\n")
            }
        }
    }

    @Test func badConfigAtCreateFailsTheOperationAndLeavesNoInstance() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("new")
            let result = try f.lxc(["init", f.imageAlias, name, "-c", "foo=bar"])
            #expect(result.status == 1)
            #expect(result.stderr.hasSuffix("Error: Failed creating instance record: Unknown configuration key: foo\n"))
            let device = try f.lxc(["init", f.imageAlias, name, "-d", "root,size=abc"])
            #expect(
                device.stderr.hasSuffix(
                    "Error: Failed creating instance record: Failed initialising instance: Invalid devices: Device validation failed for \"root\": Invalid value for device option \"size\": Invalid value: abc\n"
                ))
            #expect(try f.get("/1.0/instances", as: [String].self).isEmpty)
        }
    }

    @Test func profilesUseTheSameValidator() async throws {
        try await DaemonFixture.with { f in
            let create = try error(f, "POST", "/1.0/profiles", #"{"name":"p1","config":{"foo":"bar"}}"#)
            #expect(create == (400, "Unknown configuration key: foo"))
            #expect(try f.lxc(["profile", "show", "p1"]).status == 1)

            try f.lxc(["profile", "create", "p2"]).check()
            try f.lxc(["profile", "set", "p2", "limits.memory", "64MB"]).check()
            let before = try f.get("/1.0/profiles/p2", as: Profile.self)
            let set = try f.lxc(["profile", "set", "p2", "security.privileged", "maybe"])
            #expect(set.stderr == "Error: Invalid value for a boolean \"maybe\"\n")
            let volatile = try error(f, "PUT", "/1.0/profiles/p2", #"{"config":{"volatile.idmap.base":"5"},"devices":{}}"#)
            #expect(volatile == (500, "Volatile keys can only be set on instances"))
            let image = try error(f, "PATCH", "/1.0/profiles/p2", #"{"config":{"image.os":"x"}}"#)
            #expect(image == (500, "Image keys can only be set on instances"))
            let device = try error(f, "PATCH", "/1.0/profiles/p2", #"{"devices":{"x":{"type":"unix-char","path":"/dev/z","mode":"abc"}}}"#)
            #expect(
                device == (
                    500,
                    "Device validation failed for \"x\": Invalid value for device option \"mode\": Invalid value for an octal file mode"
                ))
            let after = try f.get("/1.0/profiles/p2", as: Profile.self)
            #expect(after.config == before.config && after.devices == before.devices)
            // A VM-only key is fine in a profile (profiles serve every instance type).
            try f.lxc(["profile", "set", "p2", "migration.stateful", "true"]).check()
        }
    }

    /// `environment.*` reaches both the container's init and every exec.
    @Test func environmentKeysReachInitAndExec() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("env")
            try f.lxc(["init", f.imageAlias, name, "-c", "environment.SWIFTLXD_GREETING=hello from config"]).check()
            try f.lxc(["start", name]).check()
            #expect(try f.lxc(["exec", name, "--", "sh", "-c", "echo $SWIFTLXD_GREETING"]).check().stdout == "hello from config\n")
            let initEnvironment = try f.lxc(["exec", name, "--", "sh", "-c", "tr '\\0' '\\n' < /proc/1/environ"]).check().stdout
            #expect(initEnvironment.split(separator: "\n").contains("SWIFTLXD_GREETING=hello from config"))
            // Set live: exec sees it at once (init keeps the environment it started with).
            try f.lxc(["config", "set", name, "environment.LATER", "yes"]).check()
            #expect(try f.lxc(["exec", name, "--", "sh", "-c", "echo $LATER"]).check().stdout == "yes\n")
        }
    }
}
