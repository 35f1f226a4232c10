import Foundation
import LXDAPI
import LXDTestSupport
import Testing

@Suite(.serialized, .enabled(if: containersAvailable))
struct EphemeralSerialTests {
    @Test func ephemeralIsDeletedWhenStopped() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("eph")
            try f.lxc(["launch", f.imageAlias, name, "--ephemeral"]).check()
            #expect(try f.get("/1.0/instances/\(name)", as: Instance.self).ephemeral)
            try f.lxc(["stop", name, "--force"]).check()
            #expect(try f.get("/1.0/instances", as: [String].self).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: f.directory + "/storage-pools/default/containers/\(name)"))
        }
    }

    /// The container's own init ending (here `poweroff` inside) reaches the daemon through
    /// liblxc's post-stop hook.
    @Test func ephemeralIsDeletedWhenItsInitExits() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("ephx")
            try f.lxc(["launch", f.imageAlias, name, "--ephemeral"]).check()
            _ = try f.lxc(["exec", name, "--", "poweroff"])
            #expect(try eventually(timeout: 30) { try f.get("/1.0/instances", as: [String].self).isEmpty })
        }
    }

    /// A container that stops by itself is recorded as stopped: the next daemon start leaves it so.
    @Test func selfStopIsRemembered() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("self")
            try f.lxc(["launch", f.imageAlias, name]).check()
            _ = try f.lxc(["exec", name, "--", "poweroff"])
            #expect(
                try eventually(timeout: 30) {
                    try f.get("/1.0/instances/\(name)", as: Instance.self).config["volatile.last_state.power"] == "STOPPED"
                })
            try f.shutdownDaemon()
            try f.startDaemon()
            #expect(try f.get("/1.0/instances/\(name)", as: Instance.self).status == "Stopped")
        }
    }
}
