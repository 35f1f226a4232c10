import CShim
import Glibc

/// An owned or borrowed file descriptor number. A value type: closing is explicit (`close()`,
/// `closeAfter`), as in swift-system.
public struct FileDescriptor: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    public static let standardInput = FileDescriptor(rawValue: 0)
    public static let standardOutput = FileDescriptor(rawValue: 1)
    public static let standardError = FileDescriptor(rawValue: 2)

    /// open(2), always with O_CLOEXEC.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(Errno) -> FileDescriptor {
        let fd = try retryingEINTR { Glibc.open(path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(rawValue: fd)
    }

    /// A close-on-exec pipe (pipe2 O_CLOEXEC).
    public static func pipe() throws(Errno) -> PipePair {
        var fds: [Int32] = [-1, -1]
        try Errno.check(negated: lxd_os_pipe_cloexec(&fds))
        return PipePair(read: FileDescriptor(rawValue: fds[0]), write: FileDescriptor(rawValue: fds[1]))
    }

    /// Closes the fd. EINTR is not retried: on Linux the fd is gone either way.
    public func close() throws(Errno) {
        if Glibc.close(rawValue) != 0 {
            let error = Errno.current
            if error != .EINTR { throw error }
        }
    }

    /// Runs `body` and closes the fd afterwards, whether `body` throws or not.
    public func closeAfter<R>(_ body: () throws -> R) throws -> R {
        defer { try? close() }
        return try body()
    }

    /// One read(2), retried on EINTR; 0 at EOF.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retryingEINTR { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Reads until EOF.
    public func readAll(chunkSize: Int = 65536) throws(Errno) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = try retryingEINTR { chunk.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, $0.count) } }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes every byte, looping over partial writes and EINTR.
    public func writeAll(_ bytes: some Sequence<UInt8>) throws(Errno) {
        let array = Array(bytes)
        var offset = 0
        while offset < array.count {
            let written = try retryingEINTR {
                array.withUnsafeBytes { Glibc.write(rawValue, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            }
            offset += written
        }
    }

    public func writeAll(_ string: String) throws(Errno) {
        try writeAll(string.utf8)
    }

    public func setCloseOnExec(_ on: Bool) throws(Errno) {
        try Errno.check(negated: lxd_os_set_cloexec(rawValue, on))
    }

    public func setNonBlocking(_ on: Bool) throws(Errno) {
        try Errno.check(negated: lxd_os_set_nonblocking(rawValue, on))
    }

    public var isOpen: Bool { lxd_os_fd_is_open(rawValue) }
}

/// Both ends of a pipe.
public struct PipePair: Sendable {
    public var read: FileDescriptor
    public var write: FileDescriptor

    public func close() {
        try? read.close()
        try? write.close()
    }
}
