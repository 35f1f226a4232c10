import Foundation
import Glibc
import LXDHTTP

/// A daemon under test: a name for the table, its `LXD_DIR`, and the pid whose RSS we read.
struct Target: Sendable {
    var name: String
    var directory: String
    var pid: Int32

    var socket: String { directory + "/unix.socket" }
    var http: HTTPClient { HTTPClient(unixSocketPath: socket) }

    /// `NAME=LXD_DIR` or `NAME=LXD_DIR:PID`. Without a pid, the daemon's is read from the socket
    /// (`SO_PEERCRED` names the process that called `listen`).
    static func parse(_ spec: String) throws -> Target {
        guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex else {
            throw BenchError("--target wants NAME=LXD_DIR[:PID], not \(spec)")
        }
        let name = String(spec[..<equals])
        var directory = String(spec[spec.index(after: equals)...])
        var pid: Int32 = 0
        if let colon = directory.lastIndex(of: ":"), let parsed = Int32(directory[directory.index(after: colon)...]) {
            pid = parsed
            directory = String(directory[..<colon])
        }
        if pid == 0 { pid = try peerPID(socket: directory + "/unix.socket") }
        return Target(name: name, directory: directory, pid: pid)
    }

    /// The pid of the process listening on a unix socket.
    static func peerPID(socket path: String) throws -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: errno \(errno)") }
        defer { Glibc.close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw BenchError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw BenchError("cannot connect to \(path): errno \(errno)") }
        // struct ucred (pid, uid, gid) is behind _GNU_SOURCE in Glibc's module: same layout here.
        var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout<Int32>.size * 3)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0, credentials.pid > 0 else {
            throw BenchError("SO_PEERCRED on \(path): errno \(errno)")
        }
        return credentials.pid
    }
}

/// A failure worth one line on stderr.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The daemon answered LXD's "not implemented" (501) or an equivalent refusal.
struct NotImplemented: Error, CustomStringConvertible {
    var description: String
}
