import Foundation
import LXDTestSupport
import Testing

/// The "Try `lxc info --show-log`" hint of `lxc start/stop/restart/pause`.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ActionHintSerialTests {
    /// LXD 5.0.2's client adds the hint only when the operation fails while it waits for it; an
    /// operation already failed when first looked at (stopping a stopped instance fails at once)
    /// is reported bare. Timing decides, so each case gets a few tries: one bare answer is enough.
    @Test func anOperationThatFailedAtOnceGetsNoLogHint() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("hint")
            try f.lxc(["init", f.imageAlias, name]).check()
            for (action, message) in [("stop", "The instance is already stopped"), ("pause", "The container isn't running")] {
                var answers: [String] = []
                for _ in 0..<3 {
                    let result = try f.lxc([action, name], client: f.ourLXC)
                    #expect(result.status == 1)
                    answers.append(result.stderr)
                }
                #expect(answers.contains("Error: \(message)\n"), "\(action): \(answers)")
            }
        }
    }

    /// A start that fails (init missing): LXD's error names the forkstart command and its exit
    /// status; each client adds the hint once, `lxc launch` with the remote in the name.
    @Test func aFailedStartIsReportedOnceWithOneHint() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("noinit")
            let lxd = URL(fileURLWithPath: f.lxd).resolvingSymlinksInPath().path
            let failure =
                "Error: Failed to run: \(lxd) forkstart \(name) \(f.directory)/containers "
                + "\(f.directory)/logs/\(name)/lxc.conf: exit status 1\n"
            for client in [f.ourLXC, "/usr/bin/lxc"] {
                let launch = try f.lxc(["launch", f.imageAlias, name, "-c", "raw.lxc=lxc.init.cmd=/nonexistent"], client: client)
                #expect(launch.status == 1)
                // (after the notice that the instance has no network)
                #expect(
                    launch.stderr.hasSuffix("\n\n" + failure + "Try `lxc info --show-log local:\(name)` for more info\n"),
                    "\(client): \(launch)")
                let start = try f.lxc(["start", name], client: client)
                #expect(start.status == 1)
                #expect(start.stderr == failure + "Try `lxc info --show-log \(name)` for more info\n", "\(client): \(start)")
                try f.lxc(["delete", name]).check()
            }
        }
    }
}
