import Foundation
import LXDCore
import Testing

@testable import LXDAPI

@Suite struct InstanceTests {
    static let created = Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789)

    static var sample: Instance {
        var instance = Instance()
        instance.architecture = "x86_64"
        instance.config = ["image.os": "busybox", "volatile.base_image": "c79c"]
        instance.profiles = ["default"]
        instance.createdAt = created
        instance.expandedConfig = instance.config
        instance.expandedDevices = ["root": ["path": "/", "pool": "default", "type": "disk"]]
        instance.name = "c1"
        instance.status = "Stopped"
        instance.statusCode = 102
        return instance
    }

    @Test func encodesLikeLXD() throws {
        #expect(
            try jsonText(Self.sample)
                == #"{"architecture":"x86_64","config":{"image.os":"busybox","volatile.base_image":"c79c"},"created_at":"2023-11-14T22:13:20.123456789Z","description":"","devices":{},"ephemeral":false,"expanded_config":{"image.os":"busybox","volatile.base_image":"c79c"},"expanded_devices":{"root":{"path":"/","pool":"default","type":"disk"}},"last_used_at":"1970-01-01T00:00:00Z","location":"none","name":"c1","profiles":["default"],"project":"default","stateful":false,"status":"Stopped","status_code":102,"type":"container"}"#
        )
    }

    @Test func decodesLXDsJSON() throws {
        let instance = try decode(
            Instance.self,
            #"""
            {"architecture":"x86_64","config":{"image.os":"busybox"},"devices":{"eth0":{"type":"nic","nictype":"bridged"}},
             "ephemeral":true,"profiles":["default","p1"],"stateful":false,"description":"web",
             "created_at":"2023-11-14T22:13:20.123456789Z","expanded_config":{"image.os":"busybox","limits.memory":"256MB"},
             "expanded_devices":{},"name":"c1","status":"Running","status_code":103,
             "last_used_at":"2023-11-15T00:13:20+02:00","location":"none","type":"container","project":"default",
             "some_future_field":{"ignored":true}}
            """#)
        #expect(instance.name == "c1")
        #expect(instance.ephemeral)
        #expect(instance.profiles == ["default", "p1"])
        #expect(instance.devices["eth0"]?["nictype"] == "bridged")
        #expect(instance.createdAt == Self.created)
        #expect(instance.lastUsedAt == Timestamp(seconds: 1_700_000_000))
        #expect(instance.expandedConfig["limits.memory"] == "256MB")
        #expect(instance.statusCode == 103)
        #expect(instance.description == "web")
    }

    @Test func roundTrips() throws {
        let decoded = try decode(Instance.self, try jsonText(Self.sample))
        #expect(try jsonText(decoded) == jsonText(Self.sample))
    }

    /// Go's decoder leaves absent fields and fields sent as null at their zero value.
    @Test(arguments: [
        "{}",
        #"{"architecture":null,"config":null,"devices":null,"ephemeral":null,"profiles":null,"stateful":null,"description":null,"created_at":null,"expanded_config":null,"expanded_devices":null,"name":null,"status":null,"status_code":null,"last_used_at":null,"location":null,"type":null,"project":null}"#,
    ])
    func absentOrNullFieldsAreZero(body: String) throws {
        let instance = try decode(Instance.self, body)
        #expect(instance.architecture == "")
        #expect(instance.config.isEmpty)
        #expect(instance.devices.isEmpty)
        #expect(!instance.ephemeral)
        #expect(instance.profiles.isEmpty)
        #expect(instance.name == "")
        #expect(instance.statusCode == 0)
        #expect(instance.createdAt == .unixEpoch)
        #expect(instance.location == "")
        #expect(instance.type == "")
        #expect(instance.project == "")
    }

    @Test(arguments: [
        #"{"name":5}"#, #"{"ephemeral":"yes"}"#, #"{"config":{"limits.cpu":2}}"#, #"{"profiles":"default"}"#,
        #"{"devices":{"root":"disk"}}"#, #"{"status_code":"103"}"#, #"{"created_at":"yesterday"}"#, #"{"config":[]}"#, "[]",
    ])
    func wrongTypesThrow(body: String) {
        #expect(throws: DecodingError.self) { try decode(Instance.self, body) }
    }

    @Test func writableCopiesTheEditableFields() {
        let put = Self.sample.writable
        #expect(put.architecture == "x86_64")
        #expect(put.config == Self.sample.config)
        #expect(put.profiles == ["default"])
        #expect(put.restore == nil)
    }

    @Test func instancePutEncodesLikeLXD() throws {
        var put = InstancePut()
        put.architecture = "x86_64"
        put.config = ["limits.memory": "256MB"]
        put.profiles = ["default", "p1"]
        #expect(
            try jsonText(put)
                == #"{"architecture":"x86_64","config":{"limits.memory":"256MB"},"description":"","devices":{},"ephemeral":false,"profiles":["default","p1"],"stateful":false}"#
        )
    }

    /// `lxc restore t1 s1` (lxd-api-map §10): nulls everywhere but `restore`.
    @Test func restoreBodyDecodes() throws {
        let put = try decode(
            InstancePut.self,
            #"{"architecture":"","config":null,"devices":null,"ephemeral":false,"profiles":null,"restore":"t1/s1","stateful":false,"description":""}"#
        )
        #expect(put.restore == "t1/s1")
        #expect(put.config.isEmpty)
        #expect(put.devices.isEmpty)
        #expect(put.profiles == nil)
    }

    @Test func instanceFullCarriesStateAndSnapshots() throws {
        let full = InstanceFull(instance: Self.sample, state: InstanceState(status: .running, pid: 42), snapshots: [])
        let text = try jsonText(full)
        #expect(text.contains(#""name":"c1""#))
        #expect(text.contains(#""snapshots":[]"#))
        #expect(text.contains(#""backups":null"#))
        let decoded = try decode(InstanceFull.self, text)
        #expect(decoded.instance.name == "c1")
        #expect(decoded.state?.pid == 42)
        #expect(decoded.state?.status == "Running")
        #expect(decoded.state?.statusCode == 103)
        #expect(decoded.snapshots?.isEmpty == true)
    }
}

@Suite struct InstancesPostTests {
    /// `lxc init bb2 t1` from Debian's client (lxd-api-map §10).
    static let initBody = #"""
        {"architecture":"","config":{},"devices":{},"ephemeral":false,"profiles":null,"stateful":false,"description":"",
         "name":"t1","source":{"type":"image","certificate":"","fingerprint":"c79c1fef0a520","allow_inconsistent":false},
         "instance_type":"","type":"container"}
        """#

    /// `lxc copy t1 t2` from Debian's client (lxd-api-map §10).
    static let copyBody = #"""
        {"architecture":"x86_64","config":{"image.description":"busybox","image.os":"busybox","image.release":"1.35",
         "limits.memory":"256MB","volatile.base_image":"c79ca520"},"devices":{},"ephemeral":false,
         "profiles":["default","p1"],"stateful":false,"description":"","name":"t2",
         "source":{"type":"copy","certificate":"","base-image":"c79ca520","source":"t1","live":true,"allow_inconsistent":false,
                   "instance_only":true,"container_only":true},
         "instance_type":"","type":"container"}
        """#

    @Test func initBodyDecodes() throws {
        let post = try decode(InstancesPost.self, Self.initBody)
        #expect(post.name == "t1")
        #expect(post.type == "container")
        #expect(post.put.profiles == nil, "null profiles means the default profile")
        #expect(post.put.config.isEmpty)
        #expect(post.source.type == "image")
        #expect(post.source.fingerprint == "c79c1fef0a520")
        #expect(post.source.alias == "")
        #expect(!post.source.allowInconsistent)
    }

    @Test func copyBodyDecodes() throws {
        let post = try decode(InstancesPost.self, Self.copyBody)
        #expect(post.name == "t2")
        #expect(post.put.architecture == "x86_64")
        #expect(post.put.profiles == ["default", "p1"])
        #expect(post.put.config["volatile.base_image"] == "c79ca520")
        #expect(post.source.type == "copy")
        #expect(post.source.baseImage == "c79ca520")
        #expect(post.source.source == "t1")
        #expect(post.source.live)
        #expect(post.source.instanceOnly)
    }

    @Test func emptyProfilesStayEmpty() throws {
        let post = try decode(InstancesPost.self, #"{"name":"t1","profiles":[]}"#)
        #expect(post.put.profiles == [])
    }

    @Test func minimalBodyDecodes() throws {
        let post = try decode(InstancesPost.self, #"{"name":"t1","source":{"type":"none"}}"#)
        #expect(post.name == "t1")
        #expect(post.source.type == "none")
        #expect(post.put.profiles == nil)
        #expect(post.type == "")
        #expect(try decode(InstancesPost.self, #"{"source":null}"#).source == InstanceSource())
    }

    @Test(arguments: [#"{"name":["t1"]}"#, #"{"source":"image"}"#, #"{"source":{"live":"yes"}}"#, #"{"profiles":[1]}"#])
    func wrongTypesThrow(body: String) {
        #expect(throws: DecodingError.self) { try decode(InstancesPost.self, body) }
    }

    @Test func encodesTheFlatShape() throws {
        var post = InstancesPost()
        post.name = "t1"
        post.type = "container"
        post.put.profiles = ["default"]
        post.put.restore = "ignored"
        post.source.type = "image"
        post.source.fingerprint = "abc"
        let keys = try topLevelKeys(post)
        #expect(
            keys == [
                "architecture", "config", "devices", "ephemeral", "profiles", "stateful", "description", "name", "source",
                "instance_type", "type",
            ])
        let decoded = try decode(InstancesPost.self, try jsonText(post))
        #expect(decoded.name == "t1")
        #expect(decoded.put.profiles == ["default"])
        #expect(decoded.put.restore == nil)
        #expect(decoded.source == post.source)
    }

    /// Go encodes a nil `Profiles` slice as `null` (which the server reads as "default
    /// profile"); `InstancePut.encode` writes `[]` instead, so nil profiles turn into "no
    /// profiles" after a round trip. (`LXDClient.InstancesPostBody` works around it.)
    @Test(.disabled("bug: InstancePut.encode writes nil profiles as [] instead of null (Instance.swift:43)"))
    func nilProfilesEncodeAsNull() throws {
        var post = InstancesPost()
        post.name = "t1"
        #expect(try jsonText(post).contains(#""profiles":null"#))
        #expect(try decode(InstancesPost.self, try jsonText(post)).put.profiles == nil)
    }
}

@Suite struct InstanceExecPostTests {
    /// `lxc exec c1 -- sh` from Debian's client.
    static let body = #"""
        {"command":["sh","-c","echo hi"],"wait-for-websocket":true,"interactive":true,"environment":{"TERM":"xterm","HOME":"/root"},
         "width":80,"height":24,"record-output":false,"user":0,"group":0,"cwd":""}
        """#

    @Test func decodesTheClientsBody() throws {
        let post = try decode(InstanceExecPost.self, Self.body)
        #expect(post.command == ["sh", "-c", "echo hi"])
        #expect(post.waitForWebsocket)
        #expect(post.interactive)
        #expect(post.environment["TERM"] == "xterm")
        #expect(post.width == 80)
        #expect(post.height == 24)
        #expect(!post.recordOutput)
        #expect(post.user == 0)
    }

    @Test func usesLXDsHyphenatedKeys() throws {
        var post = InstanceExecPost()
        post.command = ["true"]
        post.waitForWebsocket = true
        post.recordOutput = true
        let keys = try topLevelKeys(post)
        #expect(keys.contains("wait-for-websocket"))
        #expect(keys.contains("record-output"))
        #expect(!keys.contains("waitForWebsocket"))
        #expect(!keys.contains("recordOutput"))
        let decoded = try decode(InstanceExecPost.self, try jsonText(post))
        #expect(decoded.waitForWebsocket)
        #expect(decoded.recordOutput)
    }

    @Test func camelCaseKeysAreNotRecognised() throws {
        let post = try decode(InstanceExecPost.self, #"{"command":["true"],"waitForWebsocket":true,"recordOutput":true}"#)
        #expect(!post.waitForWebsocket)
        #expect(!post.recordOutput)
    }

    @Test func absentFieldsAreZero() throws {
        let post = try decode(InstanceExecPost.self, #"{"command":["ls"],"environment":null}"#)
        #expect(post.command == ["ls"])
        #expect(post.environment.isEmpty)
        #expect(!post.waitForWebsocket)
        #expect(post.cwd == "")
    }

    @Test(arguments: [#"{"command":"ls"}"#, #"{"wait-for-websocket":"true"}"#, #"{"user":-1}"#, #"{"width":1.5}"#])
    func wrongTypesThrow(body: String) {
        #expect(throws: DecodingError.self) { try decode(InstanceExecPost.self, body) }
    }

    @Test func controlMessagesDecode() throws {
        let control = try decode(InstanceExecControl.self, #"{"command":"window-resize","args":{"width":"100","height":"30"}}"#)
        #expect(control.command == "window-resize")
        #expect(control.args["width"] == "100")
        #expect(control.signal == 0)
        #expect(try decode(InstanceExecControl.self, #"{"command":"signal","signal":15}"#).signal == 15)
    }
}

@Suite struct InstanceStatePutTests {
    @Test(arguments: [
        (#"{"action":"start","timeout":0,"force":false,"stateful":false}"#, "start", 0, false),
        (#"{"action":"start","timeout":-1,"force":false,"stateful":false}"#, "start", -1, false),
        (#"{"action":"stop","timeout":-1,"force":true,"stateful":false}"#, "stop", -1, true),
        (#"{"action":"restart"}"#, "restart", 0, false),
    ])
    func decodesTheClientsBodies(body: String, action: String, timeout: Int, force: Bool) throws {
        let put = try decode(InstanceStatePut.self, body)
        #expect(put.action == action)
        #expect(put.timeout == timeout)
        #expect(put.force == force)
    }
}
