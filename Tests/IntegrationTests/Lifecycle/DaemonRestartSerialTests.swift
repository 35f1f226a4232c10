import Foundation
import LXDAPI
import LXDTestSupport
import Testing

@Suite(.serialized, .enabled(if: containersAvailable))
struct DaemonRestartSerialTests {
    /// `kill -9` of the daemon leaves running containers untouched; the next daemon shows them
    /// running, can exec into them and stop them.
    @Test func killNineLeavesContainersRunning() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("k9")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let pid = try #require(try infoPID(f, name))
            f.killDaemon()
            #expect(kill(Int32(pid), 0) == 0)
            try f.startDaemon()
            #expect(try infoPID(f, name) == pid)
            #expect(try f.lxc(["list", "--format", "csv", "-c", "ns"]).check().stdout.contains("\(name),RUNNING"))
            #expect(try f.lxc(["exec", name, "--", "echo", "still here"]).check().stdout == "still here\n")
            try f.lxc(["stop", name, "--force"]).check()
            #expect(try f.lxc(["list", "--format", "csv", "-c", "ns"]).check().stdout.contains("\(name),STOPPED"))
        }
    }

    /// `lxd shutdown` stops the containers; the next start brings back those that were running.
    @Test func shutdownAndRestartResumesRunningContainers() async throws {
        try await DaemonFixture.with { f in
            let running = f.name("up")
            let stopped = f.name("down")
            try f.lxc(["launch", f.imageAlias, running]).check()
            try f.lxc(["init", f.imageAlias, stopped]).check()
            let pid = try #require(try infoPID(f, running))
            try f.shutdownDaemon()
            #expect(eventually { kill(Int32(pid), 0) != 0 })
            try f.startDaemon()
            let list = try f.lxc(["list", "--format", "csv", "-c", "ns"]).check().stdout
            #expect(list.contains("\(running),RUNNING"))
            #expect(list.contains("\(stopped),STOPPED"))
            #expect(try f.lxc(["exec", running, "--", "true"]).status == 0)
        }
    }
}
