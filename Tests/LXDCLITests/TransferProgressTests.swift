import Synchronization
import Testing

@testable import LXDCLI

@Suite struct TransferProgressTests {
    final class Captured: Sendable {
        let text = Mutex("")
        var sink: OutputSink { OutputSink { chunk in self.text.withLock { $0 += chunk } } }
    }

    /// LXD 5.0.2's progress tracker reports a transfer of unknown length (`lxc file pull`) only
    /// once it has run for a second: a quick pull prints nothing at all.
    @Test func aQuickTransferOfUnknownLengthPrintsNothing() {
        let captured = Captured()
        let renderer = ProgressRenderer(format: "Pulling x from y: %s", quiet: false, out: captured.sink)
        let progress = TransferProgress(renderer, length: nil)
        progress.update(8)
        progress.update(4096)
        renderer.finish()
        #expect(captured.text.withLock { $0 }.isEmpty)
    }

    /// A transfer of known length (`lxc file push`) shows its 100% when it completes.
    @Test func aCompletedTransferOfKnownLengthShowsItsEnd() {
        let captured = Captured()
        let renderer = ProgressRenderer(format: "Pushing x to y: %s", quiet: false, out: captured.sink)
        let progress = TransferProgress(renderer, length: 8)
        progress.update(8)
        #expect(captured.text.withLock { $0 }.hasPrefix("\rPushing x to y: 100% ("))
    }
}
