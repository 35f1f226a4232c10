import Foundation
import LXDAPI
import LXDCore
import LXDHTTP

/// `/1.0/instances/NAME/files?path=...` (LXD's instance_file.go): read, stat (HEAD), write and
/// delete files, directories and symlinks inside an instance, running or stopped, with its own
/// ids. The work happens in `lxd forkfile`; regular files come back as descriptors and are
/// streamed from here.
struct InstanceFilesAPI: Sendable {
    let state: DaemonState

    private var instances: InstanceManager { state.instances }

    /// The instance name and the absolute path (LXD adds the leading slash the client strips).
    private func target(_ request: APIRequest) async throws -> (name: String, path: String) {
        let name = request.parameter("name")
        if name.contains("/") { throw LXDError.badRequest("Invalid instance name") }
        _ = try await instances.record(name)
        guard var path = request.query["path"], !path.isEmpty else { throw LXDError.badRequest("Missing path argument") }
        if !path.hasPrefix("/") { path = "/" + path }
        return (name, path)
    }

    /// X-LXD-uid/gid/mode/modified/type as LXD sends them.
    static func headers(_ info: InstanceFileInfo) -> HTTPHeaders {
        HTTPHeaders([
            ("X-LXD-uid", String(info.uid)), ("X-LXD-gid", String(info.gid)), ("X-LXD-mode", octal(info.mode)),
            ("X-LXD-modified", HTTPDates.goUTC(info.modified)),
            ("X-LXD-type", info.kind == .other ? "file" : info.kind.rawValue),
        ])
    }

    /// `%04o`.
    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func event(_ action: String, _ name: String, _ path: String) {
        state.events.lifecycle(action, source: "/1.0/instances/\(name)", context: ["path": .string(path)])
    }

    func instanceFileGet(_ request: APIRequest) async throws -> APIResponse {
        let (name, path) = try await target(request)
        let reply = try await instances.fileOperation(name, "get", path: path)
        guard let info = reply.info else { throw LXDError.internalError("Failed reading \"\(path)\": no file information") }
        var headers = Self.headers(info)
        switch info.kind {
        case .directory:
            guard let (status, envelopeHeaders, body) = APIResponse.sync(try reply.entries()).rendered() else {
                throw LXDError.internalError("Failed encoding the directory listing")
            }
            for (key, value) in envelopeHeaders { headers[key] = value }
            event("instance-file-retrieved", name, path)
            return .raw(status: status, headers: headers, body: body)
        case .symlink:
            let target = String(decoding: reply.payload, as: UTF8.self)
            let resolved = Self.resolveLink(target, at: path)
            Self.addDownloadHeaders(&headers, path: path, modified: Date())
            event("instance-file-retrieved", name, path)
            return .raw(status: 200, headers: headers, body: Data(resolved.utf8))
        case .file:
            guard let file = reply.file else { throw LXDError.internalError("Failed opening \"\(path)\": no descriptor") }
            Self.addDownloadHeaders(&headers, path: path, modified: info.modified)
            event("instance-file-retrieved", name, path)
            return .descriptor(file, headers: headers)
        case .other:
            throw LXDError.badRequest("Path \"\(path)\" is not a regular file, a directory or a symlink")
        }
    }

    /// What LXD answers for a symlink: its target made absolute against the link's folder and
    /// cleaned lexically (`../etc/passwd` in `/root` is `/etc/passwd`).
    static func resolveLink(_ target: String, at path: String) -> String {
        let joined = target.hasPrefix("/") ? target : (path as NSString).deletingLastPathComponent + "/" + target
        return cleanPath(joined)
    }

    /// Go's `path.Clean` for an absolute path.
    static func cleanPath(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    private static func addDownloadHeaders(_ headers: inout HTTPHeaders, path: String, modified: Date) {
        headers["Content-Type"] = "application/octet-stream"
        headers["Content-Disposition"] = "inline;filename=" + (path as NSString).lastPathComponent
        headers["Last-Modified"] = HTTPDates.http(modified)
    }

    func instanceFileHead(_ request: APIRequest) async throws -> APIResponse {
        let (name, path) = try await target(request)
        let reply = try await instances.fileOperation(name, "stat", path: path)
        guard let info = reply.info else { throw LXDError.internalError("Failed reading \"\(path)\": no file information") }
        var headers = Self.headers(info)
        headers["Content-Type"] = "application/json"
        return .raw(status: 200, headers: headers, body: Data())
    }

    /// The X-LXD-* request headers, read as LXD's `ParseLXDFileHeaders` does: a bad or missing id
    /// is -1 (keep), a mode is decimal digits read with Go's base prefixes (`0644` is octal).
    struct PushHeaders: Equatable {
        var uid: Int64 = -1
        var gid: Int64 = -1
        var mode: Int = -1
        var type = "file"
        var write = "overwrite"

        init(_ headers: HTTPHeaders) {
            // Any negative id means "keep", as LXD only applies ids >= 0.
            uid = max(-1, headers["X-LXD-uid"].flatMap { Int64($0) } ?? -1)
            gid = max(-1, headers["X-LXD-gid"].flatMap { Int64($0) } ?? -1)
            if let raw = headers["X-LXD-mode"], Int(raw) != nil, let value = Self.parseGoInteger(raw) {
                mode = value & 0o777
            }
            if let value = headers["X-LXD-type"], !value.isEmpty { type = value }
            if let value = headers["X-LXD-write"], !value.isEmpty { write = value }
        }

        /// `strconv.ParseInt(s, 0, 0)`: `0x`, `0o`, `0b` or a leading `0` pick the base.
        static func parseGoInteger(_ text: String) -> Int? {
            var body = Substring(text)
            var negative = false
            if body.hasPrefix("-") || body.hasPrefix("+") {
                negative = body.hasPrefix("-")
                body = body.dropFirst()
            }
            let lower = body.lowercased()
            let value: Int?
            if lower.hasPrefix("0x") {
                value = Int(lower.dropFirst(2), radix: 16)
            } else if lower.hasPrefix("0o") {
                value = Int(lower.dropFirst(2), radix: 8)
            } else if lower.hasPrefix("0b") {
                value = Int(lower.dropFirst(2), radix: 2)
            } else if lower.hasPrefix("0") && lower.count > 1 {
                value = Int(lower.dropFirst(), radix: 8)
            } else {
                value = Int(lower, radix: 10)
            }
            return value.map { negative ? -$0 : $0 }
        }
    }

    func instanceFilePost(_ request: APIRequest) async throws -> APIResponse {
        let (name, path) = try await target(request)
        let push = PushHeaders(request.headers)
        guard ["overwrite", "append"].contains(push.write) else { throw LXDError.badRequest("Bad file write mode: \(push.write)") }
        guard ["file", "symlink", "directory"].contains(push.type) else { throw LXDError.badRequest("Bad file type: \(push.type)") }
        var arguments = [push.type, String(push.uid), String(push.gid), String(push.mode), push.write]
        var errorExtra = ""
        if push.type == "symlink" {
            let connection = request.connection
            let body = try await Blocking.run("lxd-request-body") { try connection.connection.readBody(limit: 4096) }
            let target = String(decoding: body, as: UTF8.self)
            guard !target.isEmpty else { throw LXDError.notFound("Not Found") }
            arguments.append(target)
            errorExtra = target
        }
        let reply = try await instances.fileOperation(
            name, "push", path: path, arguments: arguments, owner: (push.uid, push.gid), errorExtra: errorExtra)
        if push.type == "file" {
            guard let file = reply.file else { throw LXDError.internalError("Failed opening \"\(path)\": no descriptor") }
            let connection = request.connection
            try await Blocking.run("lxd-file-push") { try Self.copyBody(connection, into: file, path: path) }
        }
        event("instance-file-pushed", name, path)
        return .emptyObject
    }

    /// Streams the request body into the file.
    private static func copyBody(_ connection: RequestConnection, into file: ReceivedFile, path: String) throws {
        try connection.connection.streamBody { piece in
            var offset = 0
            while offset < piece.count {
                let written = write(file.fd, piece.baseAddress.map { $0 + offset }, piece.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw LXDError.internalError("Failed writing \"\(path)\": \(ForkFileReply.goErrorText(errno))")
                }
                offset += written
            }
        }
    }

    func instanceFileDelete(_ request: APIRequest) async throws -> APIResponse {
        let (name, path) = try await target(request)
        _ = try await instances.fileOperation(name, "delete", path: path)
        event("instance-file-deleted", name, path)
        return .emptyObject
    }
}

/// The two date formats file responses carry.
enum HTTPDates {
    /// `Fri, 04 Dec 2026 06:47:04 GMT` (Last-Modified).
    static func http(_ date: Date) -> String { format(date, "%a, %d %b %Y %H:%M:%S GMT") }

    /// Go's `time.Time.UTC().String()` for whole seconds: `2026-12-04 06:47:04 +0000 UTC`.
    static func goUTC(_ date: Date) -> String { format(date, "%Y-%m-%d %H:%M:%S +0000 UTC") }

    private static func format(_ date: Date, _ pattern: String) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [Int8](repeating: 0, count: 64)
        // The C locale's day and month names: the daemon never calls setlocale.
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
