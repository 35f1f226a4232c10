import Foundation
import LXDAPI
import LXDHTTP
import LXDTestSupport
import Testing

/// The end of an exec's output streams as a client that reads until the socket closes sees it:
/// the data, the empty text frame, then a clean end of stream (not a reset: the daemon must not
/// close a socket with the client's pong still unread).
@Suite(.serialized, .enabled(if: containersAvailable))
struct ExecStreamEndSerialTests {
    /// Every message until the socket closes; a reset or protocol error throws.
    func readToClose(_ socket: WebSocket) throws -> (output: String, sawEOFMarker: Bool) {
        var output = Data()
        var sawEOFMarker = false
        while let message = try socket.receive() {
            switch message {
            case .binary(let data): output.append(data)
            case .text(let text): if text.isEmpty { sawEOFMarker = true }
            }
        }
        return (String(decoding: output, as: UTF8.self), sawEOFMarker)
    }

    @Test func outputSocketsEndWithoutAReset() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("eos")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let control = ExecControlSerialTests()
            for round in 0..<3 {
                let started = try control.startExec(f, name, ["sh", "-c", "echo out\(round); echo err\(round) >&2"], interactive: false)
                let sockets = try ["control", "0", "1", "2"].map { try control.socket(f, started, $0) }
                defer { sockets.forEach { $0.close() } }
                let stdout = try readToClose(sockets[2])
                let stderr = try readToClose(sockets[3])
                #expect(stdout.output == "out\(round)\n")
                #expect(stderr.output == "err\(round)\n")
                #expect(stdout.sawEOFMarker && stderr.sawEOFMarker)
                let done = try control.finalOperation(f, started.id)
                #expect(done.metadata["return"]?.intValue == 0)
            }
        }
    }
}
