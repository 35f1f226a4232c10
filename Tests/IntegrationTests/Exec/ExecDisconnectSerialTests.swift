import Foundation
import LXDAPI
import LXDHTTP
import LXDTestSupport
import Testing

/// A client that goes away in the middle of an exec: as LXD 5.0.2 (checked on the real daemon,
/// `kill -9` of `lxc exec`), losing the control socket kills the command, so nothing is left
/// running in the container and the operation ends.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ExecDisconnectSerialTests {
    /// The command lines of the container's processes, through `lxc exec ... ps`.
    func processes(_ f: DaemonFixture, _ name: String) throws -> String {
        try f.lxc(["exec", name, "--", "ps", "-o", "args"]).check().stdout
    }

    @Test(arguments: [false, true])
    func closingTheControlSocketKillsTheCommand(interactive: Bool) async throws {
        try await DaemonFixture.with { f in
            let name = f.name(interactive ? "ptydrop" : "pipedrop")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let exec = ExecControlSerialTests()
            let started = try exec.startExec(f, name, ["sleep", "1001"], interactive: interactive)
            let sockets = try started.fds.keys.sorted().map { try exec.socket(f, started, $0) }
            #expect(eventually { ((try? processes(f, name)) ?? "").contains("sleep 1001") })

            for socket in sockets { socket.close() }

            let done = try f.get("/1.0/operations/\(started.id)/wait?timeout=30", as: LXDAPI.Operation.self)
            #expect(done.status != "Running")
            #expect(eventually { !((try? processes(f, name)) ?? "sleep 1001").contains("sleep 1001") })
        }
    }

    /// The real case: Debian's `lxc exec` killed with SIGKILL while its command runs.
    @Test func killedClientLeavesNothingRunning() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("killed")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let client = Process()
            client.executableURL = URL(fileURLWithPath: "/usr/bin/lxc")
            client.arguments = ["exec", name, "--", "sleep", "1002"]
            client.environment = f.environment
            client.standardInput = FileHandle.nullDevice
            client.standardOutput = FileHandle.nullDevice
            client.standardError = FileHandle.nullDevice
            try client.run()
            f.addCleanup { if client.isRunning { kill(client.processIdentifier, SIGKILL) } }
            #expect(eventually { ((try? processes(f, name)) ?? "").contains("sleep 1002") })

            kill(client.processIdentifier, SIGKILL)
            client.waitUntilExit()

            #expect(eventually { !((try? processes(f, name)) ?? "sleep 1002").contains("sleep 1002") })
            let running = {
                (try? f.get("/1.0/operations?recursion=1", as: [String: [LXDAPI.Operation]].self)).map { $0["running"]?.count ?? 0 } ?? -1
            }
            #expect(eventually { running() == 0 })
        }
    }
}
