import Glibc
import LXDOS
import Testing

@Suite struct PTYTests {
    @Test func childGetsTheSlaveAsControllingTerminal() async throws {
        let pty = try PTY.open(width: 100, height: 30)
        let slave = pty.slave.rawValue
        let pid = try Command(
            path: "/bin/sh", arguments: ["/bin/sh", "-c", "tty; stty size; [ -t 0 ] && echo ctty-ok; exit 5"],
            fds: [slave, slave, slave], flags: [.setsid, .setctty]
        ).spawn()
        try pty.slave.close()
        let output = String(decoding: readUntilHangup(pty.master), as: UTF8.self)
        try pty.master.close()
        #expect(output.contains("/dev/pts/"))
        #expect(output.contains("30 100"))
        #expect(output.contains("ctty-ok\r\n"))
        #expect(await ProcessSupervisor.shared.wait(pid: pid) == .exited(5))
    }

    @Test func windowSizeCanChange() throws {
        let pty = try PTY.open()
        defer { pty.close() }
        try pty.setWindowSize(width: 132, height: 43)
        var size = winsize()
        #expect(ioctl(pty.slave.rawValue, UInt(TIOCGWINSZ), &size) == 0)
        #expect(size.ws_col == 132 && size.ws_row == 43)
    }

    /// A pty master reports EIO once the last slave is closed.
    private func readUntilHangup(_ master: FileDescriptor) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(master.rawValue, $0.baseAddress, $0.count) }
            if count > 0 {
                result += chunk[0..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return result
            }
        }
    }
}

@Suite struct FileDescriptorTests {
    @Test func writeAllThenReadAllRoundTrips() throws {
        let pipe = try FileDescriptor.pipe()
        let payload = (0..<40_000).map { UInt8(truncatingIfNeeded: $0) }
        try pipe.write.writeAll(payload)
        try pipe.write.close()
        #expect(try pipe.read.readAll() == payload)
        try pipe.read.close()
    }

    @Test func pipesAreCloseOnExec() throws {
        let pipe = try FileDescriptor.pipe()
        defer { pipe.close() }
        #expect(fcntl(pipe.read.rawValue, F_GETFD) & FD_CLOEXEC != 0)
        #expect(fcntl(pipe.write.rawValue, F_GETFD) & FD_CLOEXEC != 0)
    }

    @Test func errnoDescribesItself() {
        #expect(Errno.ENOENT.description == "No such file or directory")
    }
}
