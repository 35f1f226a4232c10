import Foundation
import LXDAPI
import LXDTestSupport
import Testing

@Suite(.serialized, .enabled(if: containersAvailable))
struct InstanceLifecycleSerialTests {
    @Test func launchIsUnprivilegedAndTemplated() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("c1")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let list = try f.lxc(["list", "--format", "csv", "-c", "ns"]).check().stdout
            #expect(list.contains("\(name),RUNNING"))

            let pid = try #require(try infoPID(f, name))
            #expect(hostUID(ofPID: pid) == 100000)

            // The seed's hostname template ran at first start.
            #expect(try f.lxc(["exec", name, "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
            #expect(try f.lxc(["exec", name, "--", "cat", "/etc/conf.d/hostname"]).check().stdout == "hostname=\"\(name)\"\n")

            // A file root creates inside is owned by the mapped root on the host.
            try f.lxc(["exec", name, "--", "touch", "/root/made-inside"]).check()
            var info = stat()
            #expect(stat(f.directory + "/storage-pools/default/containers/\(name)/rootfs/root/made-inside", &info) == 0)
            #expect(info.st_uid == 100000)

            let instance = try f.get("/1.0/instances/\(name)", as: Instance.self)
            #expect(instance.config["volatile.last_state.power"] == "RUNNING")
            #expect(instance.config["volatile.idmap.current"]?.contains("\"Hostid\":100000") == true)
            #expect(instance.config["volatile.apply_template"] == nil)
            #expect(instance.expandedDevices["root"]?["pool"] == "default")

            let state = try f.get("/1.0/instances/\(name)/state", as: InstanceState.self)
            #expect(state.status == "Running" && state.pid == Int64(pid))
            #expect(state.processes >= 1)
            #expect(state.memory.usage > 0)
        }
    }

    @Test func stopStartRestartPauseDelete() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("c2")
            try f.lxc(["init", f.imageAlias, name]).check()
            #expect(try f.lxc(["list", "--format", "csv", "-c", "ns"]).check().stdout.contains("\(name),STOPPED"))
            try f.lxc(["start", name]).check()
            let again = try f.lxc(["start", name])
            #expect(again.status == 1 && again.stderr.contains("The instance is already running"))

            try f.lxc(["pause", name]).check()
            #expect(try f.lxc(["list", "--format", "csv", "-c", "ns"]).check().stdout.contains("\(name),FROZEN"))
            try f.lxc(["start", name]).check()
            #expect(try f.lxc(["list", "--format", "csv", "-c", "ns"]).check().stdout.contains("\(name),RUNNING"))

            try f.lxc(["restart", name, "--force"]).check()
            #expect(try f.lxc(["list", "--format", "csv", "-c", "ns"]).check().stdout.contains("\(name),RUNNING"))

            let running = try f.lxc(["delete", name])
            #expect(running.status == 1)
            try f.lxc(["stop", name, "--force"]).check()
            let stopped = try f.lxc(["stop", name, "--force"])
            #expect(stopped.status == 1 && stopped.stderr.contains("The instance is already stopped"))
            try f.lxc(["delete", name]).check()
            #expect(!FileManager.default.fileExists(atPath: f.directory + "/storage-pools/default/containers/\(name)"))
            #expect(!FileManager.default.fileExists(atPath: f.directory + "/containers/\(name)"))
            #expect(try f.get("/1.0/instances", as: [String].self).isEmpty)
        }
    }

    @Test func renameAndLegacyContainersPath() async throws {
        try await DaemonFixture.with { f in
            let old = f.name("old")
            let new = f.name("new")
            try f.lxc(["init", f.imageAlias, old]).check()
            try f.lxc(["move", old, new]).check()
            #expect(try f.get("/1.0/containers", as: [String].self) == ["/1.0/containers/\(new)"])
            try f.lxc(["start", new]).check()
            #expect(try f.lxc(["exec", new, "--", "true"]).status == 0)
        }
    }
}
