import CShim
import Glibc
import Synchronization

/// A `ByteStream` over a socket (or any fd) that it owns: it closes the fd on `close()` or deinit.
///
/// `close()` never closes the fd under a thread still using it (the number could be reused by an
/// unrelated open): it shuts the socket down, which unblocks the user, and the last user out closes.
public final class SocketStream: ByteStream {
    private struct State {
        var fd: Int32
        var isClosed = false
        var users = 0
    }

    private let state: Mutex<State>

    /// Takes ownership of `fd`.
    public init(fd: Int32) {
        state = Mutex(State(fd: fd))
    }

    deinit {
        state.withLock { state in
            if state.fd >= 0 {
                Glibc.close(state.fd)
                state.fd = -1
            }
        }
    }

    /// The fd while the stream is open (for `SO_PEERCRED`, `fstat` and the like), nil once closed.
    public var fileDescriptor: Int32? {
        state.withLock { $0.isClosed ? nil : $0.fd }
    }

    public var isClosed: Bool {
        state.withLock { $0.isClosed }
    }

    /// Runs `body` with the fd, keeping it open meanwhile; nil when the stream is already closed.
    func withFD<R>(_ body: (Int32) throws -> R) rethrows -> R? {
        let fd: Int32? = state.withLock { state in
            guard !state.isClosed, state.fd >= 0 else { return nil }
            state.users += 1
            return state.fd
        }
        guard let fd else { return nil }
        defer {
            state.withLock { state in
                state.users -= 1
                if state.isClosed, state.users == 0, state.fd >= 0 {
                    Glibc.close(state.fd)
                    state.fd = -1
                }
            }
        }
        return try body(fd)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        let result: Int? = try withFD { fd in
            while true {
                let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n >= 0 { return n }
                let code = errno
                if code == EINTR { continue }
                // A local close() raced with us: report end of stream, not an error.
                if isClosed { return 0 }
                throw HTTPError.io(operation: "read", errno: code)
            }
        }
        return result ?? 0
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0, let base = bytes.baseAddress else { return }
        let done: Bool? = try withFD { fd in
            var offset = 0
            var useSend = true
            while offset < bytes.count {
                let n =
                    useSend
                    ? Glibc.send(fd, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                    : Glibc.write(fd, base + offset, bytes.count - offset)
                if n >= 0 {
                    offset += n
                    continue
                }
                let code = errno
                if code == EINTR { continue }
                if code == ENOTSOCK, useSend {
                    useSend = false
                    continue
                }
                throw HTTPError.io(operation: "write", errno: code)
            }
            return true
        }
        if done == nil { throw HTTPError.io(operation: "write", errno: EBADF) }
    }

    public func waitReadable(timeoutMilliseconds: Int32) throws -> Bool {
        let ready: Bool? = try withFD { fd in
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while true {
                let n = poll(&pfd, 1, timeoutMilliseconds)
                if n >= 0 { return n > 0 }
                let code = errno
                if code == EINTR { continue }
                throw HTTPError.io(operation: "poll", errno: code)
            }
        }
        return ready ?? true
    }

    public func shutdown() {
        _ = withFD { fd in Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public func shutdownWrite() {
        _ = withFD { fd in Glibc.shutdown(fd, Int32(SHUT_WR)) }
    }

    public func close() {
        state.withLock { state in
            guard !state.isClosed else { return }
            state.isClosed = true
            guard state.fd >= 0 else { return }
            // Unblocks current users (the last one out closes the fd) and tells the peer even when
            // a forked child still holds a copy of the socket.
            Glibc.shutdown(state.fd, Int32(SHUT_RDWR))
            if state.users == 0 {
                Glibc.close(state.fd)
                state.fd = -1
            }
        }
    }
}
