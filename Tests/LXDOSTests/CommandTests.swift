import Foundation
import Glibc
import LXDOS
import Testing

@Suite struct CommandTests {
    @Test func exitCodeIsReported() async throws {
        let status = try await Command(path: "/bin/sh", arguments: ["/bin/sh", "-c", "exit 3"]).run()
        #expect(status == .exited(3))
        #expect(status.shellCode == 3)
    }

    @Test func signalIsReported() async throws {
        let status = try await Command(path: "/bin/sh", arguments: ["/bin/sh", "-c", "kill -TERM $$"]).run()
        #expect(status == .signaled(SIGTERM))
        #expect(status.shellCode == 143)
    }

    @Test func missingProgramThrowsENOENT() throws {
        #expect(throws: Errno.ENOENT) {
            _ = try Command(path: "/nonexistent/program").spawn()
        }
    }

    @Test func outputAndEnvironmentGoThroughThePassedFds() async throws {
        let output = try FileDescriptor.pipe()
        let pid = try Command(
            path: "/bin/sh", arguments: ["/bin/sh", "-c", "echo \"$GREETING\"; echo err >&2"], environment: ["GREETING=hello"],
            fds: [-1, output.write.rawValue, output.write.rawValue]
        ).spawn()
        try output.write.close()
        let bytes = try output.read.readAll()
        try output.read.close()
        #expect(String(decoding: bytes, as: UTF8.self) == "hello\nerr\n")
        #expect(await ProcessSupervisor.shared.wait(pid: pid) == .exited(0))
    }

    @Test func onlyTheGivenFdsReachTheChild() async throws {
        // A descriptor opened WITHOUT close-on-exec must still not leak.
        let leaky = Glibc.open("/dev/null", O_RDONLY)
        #expect(leaky >= 0)
        defer { Glibc.close(leaky) }
        let extra = try FileDescriptor.pipe()
        defer { extra.close() }
        let devNull = try FileDescriptor.open("/dev/null", O_RDWR)
        defer { try? devNull.close() }

        let fds = [devNull.rawValue, devNull.rawValue, devNull.rawValue, extra.write.rawValue]
        let pid = try Command(path: "/bin/sleep", arguments: ["/bin/sleep", "10"], fds: fds).spawn()
        // sleep may open a locale file for a moment after exec; a leaked fd stays in every look.
        var open: [Int] = []
        for attempt in 0..<20 {
            let now = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap(Int.init).sorted()
            if attempt == 0 || now.count < open.count { open = now }
            usleep(5_000)
        }
        try Signal.send(SIGKILL, to: pid)
        #expect(open == [0, 1, 2, 3])
        #expect(await ProcessSupervisor.shared.wait(pid: pid) == .signaled(SIGKILL))
    }

    @Test func closedSlotsStayClosed() async throws {
        let output = try FileDescriptor.pipe()
        let pid = try Command(
            path: "/bin/sh", arguments: ["/bin/sh", "-c", "[ -e /proc/self/fd/0 ] && echo open || echo closed"],
            fds: [-1, output.write.rawValue]
        ).spawn()
        try output.write.close()
        let text = String(decoding: try output.read.readAll(), as: UTF8.self)
        try output.read.close()
        #expect(text == "closed\n")
        #expect(await ProcessSupervisor.shared.wait(pid: pid) == .exited(0))
    }
}
