import Foundation
import LXDAPI
import LXDHTTP
import LXDOS
import LXDTestSupport
import Testing

/// A client run on a pseudo-terminal of its own, driven like a person at a keyboard.
final class TerminalSession {
    let pty: PTY
    let pid: Int32
    private(set) var output = ""

    init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        pty = try PTY.open(width: 100, height: 30)
        let command = Command(
            path: executable, arguments: [executable] + arguments, environment: environment.map { "\($0.key)=\($0.value)" },
            fds: [pty.slave.rawValue, pty.slave.rawValue, pty.slave.rawValue], flags: [.setsid, .setctty])
        pid = try command.spawn()
        try? pty.slave.close()
    }

    /// Reads until `text` has appeared (bounded; the output so far is in the failure).
    func expect(_ text: String, timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !output.contains(text) {
            let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard left > 0 else { throw TestFailure("no \"\(text)\" within \(timeout)s; got \(output.debugDescription)") }
            var fds = [pollfd(fd: pty.master.rawValue, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 1, left) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(pty.master.rawValue, $0.baseAddress, $0.count) }
            guard count > 0 else { throw TestFailure("terminal closed before \"\(text)\"; got \(output.debugDescription)") }
            output += String(decoding: buffer[0..<count], as: UTF8.self)
        }
    }

    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(pty.master.rawValue, $0.baseAddress, $0.count) }
    }

    /// ctrl+a, then q: one key at a time, as a person types them (LXD's client only looks at
    /// the first byte of each read).
    func detach() {
        type("\u{1}")
        usleep(300_000)
        type("q")
    }

    func wait() async -> LXDOS.ExitStatus {
        let status = await ProcessSupervisor.shared.wait(pid: pid)
        try? pty.master.close()
        return status
    }

    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
    }
}

/// `lxc console` and the console log through Debian's `lxc` 5.0.2 and ours: a session on a real
/// pty that types into the container's console shell and detaches with ctrl+a q.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ConsoleSerialTests {
    @Test func consoleSessionTypesIntoTheShellAndDetaches() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("con")
            try f.lxc(["launch", f.imageAlias, name]).check()
            for (round, client) in [TestEnvironment.debianLXC, f.ourLXC, TestEnvironment.debianLXC, f.ourLXC].enumerated() {
                let session = try TerminalSession(client, ["console", name], environment: f.environment)
                f.addCleanup { session.kill() }
                try session.expect("To detach from the console, press: <ctrl>+a q")
                usleep(500_000)
                session.type("\r")
                try session.expect("# ")
                // The shell's own arithmetic proves the text went through it.
                session.type("echo round-\(round)-$((6*7))\r")
                try session.expect("round-\(round)-42")
                session.detach()
                let status = await session.wait()
                #expect(status == .exited(0), "\(client): \(session.output.debugDescription)")
            }
            // Every session ended and freed the console.
            let operations = try f.get("/1.0/operations?recursion=1", as: [String: [LXDAPI.Operation]].self)
            #expect(operations["running"] == nil || operations["running"]?.isEmpty == true)
        }
    }

    @Test func consoleLogRunningAndStopped() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("log")
            try f.lxc(["launch", f.imageAlias, name]).check()
            // busybox's init asks for Enter on the console: the ring buffer has it (reads consume it).
            var seen = ""
            #expect(
                try eventually {
                    seen += String(decoding: try f.http.request("GET", "/1.0/instances/\(name)/console").body, as: UTF8.self)
                    return seen.contains("Please press Enter to activate this console.")
                })
            try f.lxc(["exec", name, "--", "sh", "-c", "echo marker-one > /dev/console"]).check()
            let shown = try f.lxc(["console", name, "--show-log"], client: f.ourLXC).check().stdout
            #expect(shown.hasPrefix("\nConsole log:\n\n") && shown.contains("marker-one"))
            // DELETE clears the buffer.
            try f.lxc(["exec", name, "--", "sh", "-c", "echo marker-two > /dev/console"]).check()
            #expect(try f.http.request("DELETE", "/1.0/instances/\(name)/console").status == 200)
            let cleared = try f.http.request("GET", "/1.0/instances/\(name)/console")
            #expect(cleared.status == 200 && !String(decoding: cleared.body, as: UTF8.self).contains("marker-two"))

            // Stopped: the console.log file, the same through both clients.
            try f.lxc(["stop", name]).check()
            let pair = ClientPair(fixture: f)
            let (debian, ours) = try pair.run(["console", name, "--show-log"])
            #expect(debian.status == 0 && ours.stdout == debian.stdout && ours.stderr == debian.stderr)
            #expect(ours.stdout.contains("The system is going down NOW!"))
            #expect(try f.http.request("DELETE", "/1.0/instances/\(name)/console").status == 200)
            #expect(try f.lxc(["console", name, "--show-log"], client: f.ourLXC).check().stdout == "\nConsole log:\n\n\n")
            // lxc info --show-log appends the container's lxc.log, as Debian's client does.
            try pair.expectSame(["info", name, "--show-log"])
            #expect(try f.lxc(["info", name, "--show-log"], client: f.ourLXC).check().stdout.contains("\nLog:\n\n"))
        }
    }

    @Test func badRequestsAsLXD() async throws {
        try await DaemonFixture.with { f in
            let running = f.name("run")
            let stopped = f.name("stop")
            try f.lxc(["launch", f.imageAlias, running]).check()
            try f.lxc(["init", f.imageAlias, stopped]).check()
            func post(_ name: String, _ body: String) throws -> (Int, String) {
                let response = try f.http.request(
                    "POST", "/1.0/instances/\(name)/console", headers: HTTPHeaders([("Content-Type", "application/json")]),
                    body: Data(body.utf8))
                let envelope = try LXDJSON.decode(ResponseRaw.self, from: response.body)
                return (response.status, envelope.error)
            }
            #expect(try post(stopped, #"{"width":80,"height":24}"#) == (400, "Instance is not running"))
            #expect(try post(running, #"{"type":"vga"}"#) == (400, "VGA console is only supported by virtual machines"))
            #expect(try post(running, #"{"type":"serial"}"#) == (400, "Unknown console type \"serial\""))
            #expect(try post("nosuch", "{}") == (404, "Instance not found"))
            #expect(try post(running, "{").0 == 400)
            try f.lxc(["pause", running]).check()
            #expect(try post(running, "{}") == (400, "Instance is frozen"))
            try f.lxc(["start", running]).check()

            let pair = ClientPair(fixture: f)
            let cases: [[String]] = [
                ["console", "--help"], ["console"], ["console", "a", "b"], ["console", "--type", "bad", running],
                ["console", "--show-log", "--type", "vga", running], ["console", "--show-log", "nosuch"], ["console", stopped],
                ["info", "--show-log", "nosuch"],
            ]
            for arguments in cases { try pair.expectSame(arguments) }
        }
    }

    @Test func rawSessionWithWindowResize() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("raw")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let response = try f.http.request(
                "POST", "/1.0/instances/\(name)/console", headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: Data(#"{"width":80,"height":24,"type":"console"}"#.utf8))
            #expect(response.status == 202)
            let envelope = try LXDJSON.decode(ResponseRaw.self, from: response.body)
            let id = try #require(envelope.metadata["id"]?.stringValue)
            #expect(envelope.metadata["class"]?.stringValue == "websocket")
            #expect(envelope.metadata["description"]?.stringValue == "Showing console")
            guard case .object(let fds)? = envelope.metadata["metadata"]?["fds"] else { throw TestFailure("no fds") }
            #expect(fds.keys.sorted() == ["0", "control"])
            let control = try f.http.webSocket("/1.0/operations/\(id)/websocket?secret=\(try #require(fds["control"]?.stringValue))")
            let data = try f.http.webSocket("/1.0/operations/\(id)/websocket?secret=\(try #require(fds["0"]?.stringValue))")
            try control.sendText(#"{"command":"window-resize","args":{"width":"120","height":"40"}}"#)
            try data.sendBinary(Data("\recho raw-$((5*5))\r".utf8))
            var seen = ""
            while !seen.contains("raw-25") {
                guard let message = try data.receive() else { break }
                if case .binary(let bytes) = message { seen += String(decoding: bytes, as: UTF8.self) }
            }
            #expect(seen.contains("raw-25"))
            // Closing the control socket ends the session: a last line break, then the operation succeeds.
            try control.sendClose(code: 1000, reason: "Detaching from console")
            control.close()
            var tail = Data()
            while let message = try? data.receive() {
                if case .binary(let bytes) = message { tail.append(bytes) }
            }
            #expect(String(decoding: tail, as: UTF8.self).hasSuffix("\n\r"))
            let done = try f.get("/1.0/operations/\(id)/wait?timeout=30", as: LXDAPI.Operation.self)
            #expect(done.status == "Success")
            data.close()
        }
    }
}
