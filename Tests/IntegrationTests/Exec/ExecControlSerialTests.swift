import Foundation
import LXDAPI
import LXDHTTP
import LXDTestSupport
import Testing

/// The exec control channel through the raw API, as Debian's client uses it: window resizes in
/// pty mode, signals forwarded in pipe mode.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ExecControlSerialTests {
    struct Started {
        let id: String
        let fds: [String: String]
    }

    func startExec(_ f: DaemonFixture, _ name: String, _ command: [String], interactive: Bool, width: Int = 0, height: Int = 0) throws
        -> Started
    {
        var post = InstanceExecPost()
        post.command = command
        post.waitForWebsocket = true
        post.interactive = interactive
        post.width = width
        post.height = height
        let response = try f.http.request(
            "POST", "/1.0/instances/\(name)/exec", headers: HTTPHeaders([("Content-Type", "application/json")]),
            body: try LXDJSON.encode(post))
        #expect(response.status == 202)
        let envelope = try LXDJSON.decode(ResponseRaw.self, from: response.body)
        let id = try #require(envelope.metadata["id"]?.stringValue)
        guard case .object(let fds)? = envelope.metadata["metadata"]?["fds"] else { throw TestFailure("no fds in \(envelope)") }
        return Started(id: id, fds: fds.compactMapValues(\.stringValue))
    }

    func socket(_ f: DaemonFixture, _ started: Started, _ key: String) throws -> WebSocket {
        try f.http.webSocket("/1.0/operations/\(started.id)/websocket?secret=\(try #require(started.fds[key]))")
    }

    /// Reads binary frames until the empty text frame (EOF).
    func drain(_ socket: WebSocket) throws -> String {
        var output = Data()
        while let message = try socket.receive() {
            switch message {
            case .binary(let data): output.append(data)
            case .text(let text): if text.isEmpty { return String(decoding: output, as: UTF8.self) }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    func finalOperation(_ f: DaemonFixture, _ id: String) throws -> LXDAPI.Operation {
        try f.get("/1.0/operations/\(id)/wait?timeout=30", as: LXDAPI.Operation.self)
    }

    @Test func windowResizeReachesThePTY() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("pty")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let started = try startExec(
                f, name, ["sh", "-c", "stty size; read line; stty size; exit 6"], interactive: true, width: 100, height: 30)
            #expect(started.fds.keys.sorted() == ["0", "control"])
            let control = try socket(f, started, "control")
            let stream = try socket(f, started, "0")
            var seen = ""
            while !seen.contains("30 100") {
                guard case .binary(let data)? = try stream.receive() else { break }
                seen += String(decoding: data, as: UTF8.self)
            }
            #expect(seen.contains("30 100"))
            try control.sendText(#"{"command":"window-resize","args":{"width":"120","height":"40"},"signal":0}"#)
            usleep(200_000)
            try stream.sendBinary(Data("go\n".utf8))
            let rest = try drain(stream)
            #expect(rest.contains("40 120"))
            let done = try finalOperation(f, started.id)
            #expect(done.metadata["return"]?.intValue == 6)
            control.close()
            stream.close()
        }
    }

    @Test func signalsAreForwarded() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("sig")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let started = try startExec(f, name, ["sleep", "30"], interactive: false)
            let sockets = try ["control", "0", "1", "2"].map { try socket(f, started, $0) }
            usleep(300_000)
            try sockets[0].sendText(#"{"command":"signal","args":null,"signal":15}"#)
            let done = try finalOperation(f, started.id)
            #expect(done.status == "Success")
            #expect(done.metadata["return"]?.intValue == 143)
            for socket in sockets { socket.close() }
        }
    }
}
