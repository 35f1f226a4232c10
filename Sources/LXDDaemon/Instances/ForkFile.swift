import CShim
import Foundation
import LXDAPI
import LXDCore
import LXDOS

/// What `lxd forkfile` says about a path, in the container's own ids.
struct InstanceFileInfo: Sendable, Equatable {
    enum Kind: String, Sendable {
        case file, directory, symlink, other
    }

    var kind: Kind
    var uid: Int64
    var gid: Int64
    /// Permission bits only (`0o644`).
    var mode: UInt32
    var modified: Date
    var size: Int64
}

/// A descriptor the daemon received from `forkfile` (a regular file inside the container),
/// closed when the last reference goes.
final class ReceivedFile: Sendable {
    let fd: Int32

    init(_ fd: Int32) { self.fd = fd }

    deinit { close(fd) }
}

/// One `forkfile` answer: the header, the payload after it, and the file descriptor it passed.
struct ForkFileReply: Sendable {
    var info: InstanceFileInfo?
    var payload: [UInt8]
    var file: ReceivedFile?

    /// A directory's entries (NUL-terminated names, then "\n" once complete).
    func entries() throws -> [String] {
        guard payload.last == UInt8(ascii: "\n") else { throw LXDError.internalError("Failed listing directory: incomplete answer") }
        return payload.dropLast().split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Parses the header line and what follows (see lxd_forkfile.h); an `err` line becomes the
    /// `LXDError` LXD answers for it.
    static func parse(_ bytes: [UInt8], file: ReceivedFile?, path: String, extra: String = "") throws -> ForkFileReply {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            throw LXDError.internalError("Failed accessing \"\(path)\" in the instance: no answer from forkfile")
        }
        let fields = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ").map(String.init)
        let payload = Array(bytes[(newline + 1)...])
        switch fields.first {
        case "ok" where fields.count == 1:
            return ForkFileReply(info: nil, payload: payload, file: file)
        case "ok" where fields.count == 7:
            guard let kind = InstanceFileInfo.Kind(rawValue: fields[1]), let uid = Int64(fields[2]), let gid = Int64(fields[3]),
                let mode = UInt32(fields[4], radix: 8), let mtime = Int64(fields[5]), let size = Int64(fields[6])
            else { break }
            let info = InstanceFileInfo(
                kind: kind, uid: uid, gid: gid, mode: mode, modified: Date(timeIntervalSince1970: TimeInterval(mtime)), size: size)
            return ForkFileReply(info: info, payload: payload, file: file)
        case "err" where fields.count == 3:
            guard let code = Int32(fields[1]) else { break }
            throw error(errno: code, operation: fields[2], path: path, extra: extra)
        default:
            break
        }
        throw LXDError.internalError("Failed accessing \"\(path)\" in the instance: unexpected answer from forkfile")
    }

    /// LXD's answers, which come from its SFTP server: a missing path is a 404 "Not Found", a
    /// refused one a 403 "Forbidden", anything else a 500 carrying the SFTP failure text.
    static func error(errno code: Int32, operation: String, path: String, extra: String = "") -> LXDError {
        switch code {
        case ENOENT: return .notFound("Not Found")
        case EACCES, EPERM: return .forbidden("Forbidden")
        default: break
        }
        switch operation {
        case "lstat", "open", "readlink", "chown", "chmod", "mkdir", "remove", "symlink":
            let subject = extra.isEmpty ? path : "\(extra) \(path)"
            return .internalError("sftp: \"\(operation) \(subject): \(goErrorText(code))\" (SSH_FX_FAILURE)")
        default:
            return .internalError("Failed accessing the instance's files (\(operation)): \(String(cString: strerror(code)))")
        }
    }

    /// Go's text for an errno: glibc's with a lower-case first letter ("no such file or directory").
    static func goErrorText(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}

/// Runs `lxd forkfile` (our own binary, C only) against a running container (its init's pidfd)
/// or a stopped one (its rootfs), and collects the reply.
struct ForkFile: Sendable {
    enum Target: Sendable {
        /// The init's pid and the map the container runs with.
        case running(pid: Int32, idmap: ContainerIdmap)
        /// The rootfs and the map its ids are written in.
        case stopped(rootfs: String, idmap: ContainerIdmap)
    }

    let executable: String
    /// Spare `lxd` processes the helper is handed to when one is waiting.
    let helpers: SpareHelpers

    /// `/proc/PID/uid_map` lines joined with commas ("-" for no user namespace).
    static func mapArgument(_ idmap: ContainerIdmap, isUID: Bool) -> String {
        guard !idmap.isPrivileged else { return "-" }
        var seen: Set<String> = []
        let lines = idmap.entries.filter { isUID ? $0.isUID : $0.isGID }.map { "\($0.nsID) \($0.hostID) \($0.range)" }
        return lines.filter { seen.insert($0).inserted }.joined(separator: ",")
    }

    func run(
        _ operation: String, path: String, arguments: [String] = [], target: Target, idsMapped: Bool = true, errorExtra: String = ""
    ) async throws -> ForkFileReply {
        guard !path.utf8.contains(0), !arguments.contains(where: { $0.utf8.contains(0) }) else {
            throw LXDError.badRequest("Invalid path \(path)")
        }
        let targetFD: Int32
        switch target {
        case .running(let pid, _):
            targetFD = lxd_os_pidfd_open(pid)
            guard targetFD >= 0 else { throw LXDError.internalError("Failed opening the instance's init: \(Errno(rawValue: -targetFD))") }
        case .stopped(let rootfs, _):
            targetFD = open(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard targetFD >= 0 else { throw LXDError.internalError("Failed opening the instance's rootfs: \(Errno.current)") }
        }
        defer { close(targetFD) }
        var sockets: [Int32] = [-1, -1]
        let made = lxd_os_socketpair_cloexec(&sockets)
        guard made == 0 else { throw LXDError.internalError("Failed creating socket pair: \(Errno(rawValue: -made))") }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        let mode: [String]
        switch target {
        case .running(_, let idmap): mode = ["running", Self.mapArgument(idmap, isUID: true), Self.mapArgument(idmap, isUID: false)]
        case .stopped(_, let idmap): mode = ["stopped", Self.mapArgument(idmap, isUID: true), Self.mapArgument(idmap, isUID: false)]
        }
        let command = Command(
            path: executable, arguments: ["lxd", "forkfile", operation] + mode + [idsMapped ? "1" : "0", path] + arguments,
            environment: InstanceManager.helperEnvironment, fds: [devNull, devNull, devNull, sockets[1], targetFD])
        let pid: Int32
        do {
            pid = try helpers.spawn(command)
        } catch {
            close(devNull)
            close(sockets[0])
            close(sockets[1])
            throw LXDError.internalError("Failed running forkfile: \(error)")
        }
        close(devNull)
        close(sockets[1])
        let reader = sockets[0]
        let received = try await Blocking.run("lxd-forkfile") { () -> ([UInt8], ReceivedFile?) in
            defer { close(reader) }
            return try Self.readReply(reader)
        }
        _ = await ProcessSupervisor.shared.wait(pid: pid)
        return try ForkFileReply.parse(received.0, file: received.1, path: path, extra: errorExtra)
    }

    /// Reads the whole reply (bounded) and the one descriptor it may carry.
    private static func readReply(_ socket: Int32) throws -> ([UInt8], ReceivedFile?) {
        var bytes: [UInt8] = []
        var file: ReceivedFile?
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            var fd: Int32 = -1
            let count = buffer.withUnsafeMutableBytes { lxd_os_recv_with_fd(socket, $0.baseAddress, $0.count, &fd) }
            if fd >= 0 {
                if file == nil { file = ReceivedFile(fd) } else { close(fd) }
            }
            guard count > 0 else { break }
            bytes += buffer[0..<Int(count)]
            if bytes.count > 256 << 20 { throw LXDError.internalError("Failed reading forkfile's answer: too large") }
        }
        return (bytes, file)
    }
}
