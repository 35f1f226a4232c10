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
}
