import Foundation
import LXDAPI
import LXDHTTP
import LXDTestSupport
import Testing

@Suite(.serialized, .enabled(if: containersAvailable))
struct ExecSerialTests {
    @Test func streamsExitCodesAndEnvironment() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("x")
            try f.lxc(["launch", f.imageAlias, name]).check()

            let both = try f.lxc(["exec", name, "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(both.status == 3)
            #expect(both.stdout == "out\n")
            #expect(both.stderr == "err\n")

            let piped = try f.lxc(["exec", name, "--", "sh", "-c", "tr a-z A-Z"], stdin: Data("hello stdin\n".utf8))
            #expect(piped.stdout == "HELLO STDIN\n")

            let missing = try f.lxc(["exec", name, "--", "/no/such/command"])
            #expect(missing.status == 127)
            #expect(missing.stderr.contains("Command not found"))

            let killed = try f.lxc(["exec", name, "--", "sh", "-c", "kill -9 $$"])
            #expect(killed.status == 137)

            let env = try f.lxc(["exec", name, "--env", "FOO=bar", "--", "sh", "-c", "echo $FOO $HOME $PATH"]).check()
            #expect(env.stdout == "bar /root /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n")

            let cwd = try f.lxc([
                "exec", name, "--cwd", "/tmp", "--user", "65534", "--group", "65534", "--", "sh", "-c", "pwd; id -u; id -g",
            ])
            .check()
            #expect(cwd.stdout == "/tmp\n65534\n65534\n")

            // 1 MiB through stdout arrives whole.
            let big = try f.lxc(["exec", name, "--", "sh", "-c", "head -c 1048576 /dev/zero | tr '\\\\0' x"]).check()
            #expect(big.stdout.utf8.count == 1_048_576)
        }
    }

    /// Only fds 0, 1 and 2 reach the container: nothing of the daemon's leaks through exec.
    @Test func noDaemonFileDescriptorReachesTheContainer() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("fd")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let fds = try f.lxc(["exec", name, "--", "sh", "-c", "cd /proc/self/fd && echo *"]).check().stdout
            #expect(fds == "0 1 2\n" || fds == "0 1 2 3\n")  // 3 is the shell's own directory read
            let initFDs = try f.lxc(["exec", name, "--", "sh", "-c", "ls /proc/1/fd | tr '\\n' ' '"]).check().stdout
            #expect(initFDs.split(separator: " ").allSatisfy { ["0", "1", "2"].contains($0) })
        }
    }
    /// A background job that keeps the command's stdout open does not hold the exec forever:
    /// what came before it arrives, the exec ends a few seconds after its command, and the
    /// daemon says why its output was cut.
    @Test func aBackgroundJobHoldingStdoutDoesNotHoldTheExec() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("bg")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let result = try f.lxc(["exec", name, "--", "sh", "-c", "echo before; sleep 60 &"], timeout: 50)
            #expect(result.status == 0)
            #expect(result.stdout == "before\n")
            let log = f.daemonLogTail(lines: 400)
            #expect(log.contains("Exec output still open after the command ended"), "\(log)")
        }
    }

    @Test func interactivePTY() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("tty")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let tty = try f.lxc(["exec", name, "-t", "--", "sh", "-c", "tty; exit 5"])
            #expect(tty.status == 5)
            #expect(tty.stdout.hasPrefix("/dev/pts/"))
            #expect(tty.stdout.hasSuffix("\r\n"))
        }
    }

    @Test func recordOutputThroughTheAPI() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("rec")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let body =
                #"{"command":["sh","-c","echo recorded; echo oops >&2; exit 4"],"wait-for-websocket":false,"record-output":true,"interactive":false}"#
            let response = try f.http.request(
                "POST", "/1.0/instances/\(name)/exec", headers: HTTPHeadersFactory.ifMatch("").removingIfMatch(), body: Data(body.utf8))
            #expect(response.status == 202)
            let async = try LXDJSON.decode(ResponseRaw.self, from: response.body)
            let id = try #require(async.metadata["id"]?.stringValue)
            let done = try f.get("/1.0/operations/\(id)/wait?timeout=30", as: LXDAPI.Operation.self)
            #expect(done.status == "Success")
            #expect(done.metadata["return"]?.intValue == 4)
            let stdoutURL = try #require(done.metadata["output"]?["1"]?.stringValue)
            let output = try f.http.request("GET", stdoutURL)
            #expect(String(decoding: output.body, as: UTF8.self) == "recorded\n")
        }
    }
}

extension HTTPHeaders {
    func removingIfMatch() -> HTTPHeaders {
        HTTPHeaders([("Content-Type", "application/json")])
    }
}
