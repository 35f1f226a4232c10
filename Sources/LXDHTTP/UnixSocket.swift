import CShim
import Glibc

/// Unix-socket plumbing: sockaddr_un, connect, listen. Every fd is close-on-exec.
enum UnixSocket {
    /// Connects to `path`; errors keep Go's wording ("dial unix …: connect: …").
    static func connect(path: String) throws -> SocketStream {
        let fd = lxd_os_socket_cloexec(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPError.connect(path: path, errno: -fd) }
        let stream = SocketStream(fd: fd)
        let result = try withAddress(path, onError: { HTTPError.connect(path: path, errno: $0) }) { address, length in
            var rc: Int32
            repeat {
                rc = Glibc.connect(fd, address, length)
            } while rc != 0 && errno == EINTR
            return rc == 0 ? 0 : errno
        }
        guard result == 0 else {
            stream.close()
            throw HTTPError.connect(path: path, errno: result)
        }
        return stream
    }

    /// Binds and listens on `path`; returns the listening fd.
    static func listen(path: String, backlog: Int32) throws -> Int32 {
        let fd = lxd_os_socket_cloexec(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPError.listen(path: path, call: "socket", errno: -fd) }
        do {
            let bound = try withAddress(path, onError: { HTTPError.listen(path: path, call: "bind", errno: $0) }) { address, length in
                Glibc.bind(fd, address, length) == 0 ? 0 : errno
            }
            guard bound == 0 else { throw HTTPError.listen(path: path, call: "bind", errno: bound) }
            guard Glibc.listen(fd, backlog) == 0 else { throw HTTPError.listen(path: path, call: "listen", errno: errno) }
            return fd
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    private static func withAddress(
        _ path: String, onError: (Int32) -> HTTPError, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32
    ) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else { throw onError(ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path) ?? 2) + socklen_t(bytes.count + 1)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
