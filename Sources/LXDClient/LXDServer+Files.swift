import Foundation
import LXDAPI
import LXDHTTP

/// What `GET /1.0/instances/NAME/files` says about a path (LXD's `InstanceFileResponse`).
public struct InstanceFileResponse: Sendable {
    public var uid: Int64
    public var gid: Int64
    public var mode: Int
    /// `file`, `directory` or `symlink`.
    public var type: String
    /// A directory's entries.
    public var entries: [String] = []
    /// A symlink's target as the server sends it.
    public var linkTarget: String = ""

    /// LXD's `ParseLXDFileHeaders` on a response: a missing or bad id is -1, the mode is read
    /// with Go's base prefixes, the type defaults to `file`.
    public init(headers: HTTPHeaders) {
        uid = headers["X-LXD-uid"].flatMap { Int64($0) } ?? -1
        gid = headers["X-LXD-gid"].flatMap { Int64($0) } ?? -1
        mode = -1
        if let raw = headers["X-LXD-mode"], Int(raw) != nil {
            let octal = raw.hasPrefix("0") && raw.count > 1 ? Int(raw.dropFirst(), radix: 8) : Int(raw)
            mode = (octal ?? -1) & 0o777
        }
        type = headers["X-LXD-type"].flatMap { $0.isEmpty ? nil : $0 } ?? "file"
    }
}

/// What `CreateInstanceFile` sends (LXD's `InstanceFileArgs`); -1 leaves an id or mode out.
public struct InstanceFileArgs: Sendable {
    public enum Content: Sendable {
        case none
        case data(Data)
        /// Streamed from this descriptor (from its current offset); the caller owns it.
        case fd(Int32)
    }

    public var uid: Int64 = -1
    public var gid: Int64 = -1
    public var mode: Int = -1
    public var type = ""
    public var writeMode = ""
    public var content: Content = .none

    public init(uid: Int64 = -1, gid: Int64 = -1, mode: Int = -1, type: String = "", writeMode: String = "", content: Content = .none) {
        self.uid = uid
        self.gid = gid
        self.mode = mode
        self.type = type
        self.writeMode = writeMode
        self.content = content
    }
}

extension LXDServer {
    /// `url.QueryEscape`: everything but unreserved characters is percent-encoded, a space is `+`.
    static func queryEscape(_ value: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~ ")
        let encoded = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
        return encoded.replacingOccurrences(of: " ", with: "+")
    }

    static func filesPath(_ instance: String, _ path: String) -> String {
        "/1.0/instances/" + escape(instance) + "/files?path=" + queryEscape(path)
    }

    /// `GET .../files`: a regular file's bytes go to the consumer `open` returns once the
    /// headers are known (nothing is created for an error); a directory's entries and a
    /// symlink's target come back in the response.
    @discardableResult
    public func getInstanceFile(
        _ instance: String, path: String, open: (InstanceFileResponse) throws -> (UnsafeRawBufferPointer) throws -> Void = { _ in { _ in } }
    ) throws -> InstanceFileResponse {
        var response: InstanceFileResponse?
        var collected = Data()
        var sink: ((UnsafeRawBufferPointer) throws -> Void)?
        do {
            _ = try http.download(
                Self.filesPath(instance, path), headers: Self.headers(json: false),
                head: { headers in
                    let parsed = InstanceFileResponse(headers: headers)
                    response = parsed
                    if parsed.type == "file" { sink = try open(parsed) }
                },
                consume: { piece in
                    if let sink { try sink(piece) } else { collected.append(contentsOf: piece) }
                })
        } catch HTTPError.unexpectedStatus(let status, let body) {
            _ = try Self.parse(HTTPResponse(status: status, headers: HTTPHeaders(), body: body))
            throw LXDError(HTTPStatus(status), "Failed to fetch \(status): invalid response")
        } catch let error as HTTPError {
            throw LXDError(.internalServerError, String(describing: error))
        }
        guard var result = response else { throw LXDError(.internalServerError, "No response") }
        switch result.type {
        case "directory":
            result.entries = try Self.metadata([String].self, of: HTTPResponse(status: 200, headers: HTTPHeaders(), body: collected))
        case "symlink":
            result.linkTarget = String(decoding: collected, as: UTF8.self)
        default:
            break
        }
        return result
    }

    /// `POST .../files` with the X-LXD-* headers LXD's client sets; a file body is streamed
    /// (chunked) and `progress` sees the bytes sent.
    public func createInstanceFile(_ instance: String, path: String, _ args: InstanceFileArgs, progress: ((Int64) -> Void)? = nil)
        throws
    {
        if args.type == "directory" && !hasExtension("directory_manipulation") {
            throw LXDError(.badRequest, "The server is missing the required \"directory_manipulation\" API extension")
        }
        if args.type == "symlink" && !hasExtension("file_symlinks") {
            throw LXDError(.badRequest, "The server is missing the required \"file_symlinks\" API extension")
        }
        if args.writeMode == "append" && !hasExtension("file_append") {
            throw LXDError(.badRequest, "The server is missing the required \"file_append\" API extension")
        }
        var headers = Self.headers(json: false)
        if args.uid > -1 { headers["X-LXD-uid"] = String(args.uid) }
        if args.gid > -1 { headers["X-LXD-gid"] = String(args.gid) }
        if args.mode > -1 {
            let digits = String(args.mode, radix: 8)
            headers["X-LXD-mode"] = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
        if !args.type.isEmpty { headers["X-LXD-type"] = args.type }
        if !args.writeMode.isEmpty { headers["X-LXD-write"] = args.writeMode }
        let target = Self.filesPath(instance, path)
        let response: HTTPResponse
        do {
            switch args.content {
            case .none:
                response = try http.request("POST", target, headers: headers, body: nil)
            case .data(let data):
                response = try http.request("POST", target, headers: headers, body: data)
                progress?(Int64(data.count))
            case .fd(let fd):
                response = try http.upload("POST", target, headers: headers, fd: fd, progress: progress)
            }
        } catch let error as LXDError {
            throw error
        } catch {
            throw LXDError(.internalServerError, String(describing: error))
        }
        _ = try Self.parse(response)
    }

    /// `DELETE .../files`.
    public func deleteInstanceFile(_ instance: String, path: String) throws {
        if !hasExtension("file_delete") {
            throw LXDError(.badRequest, "The server is missing the required \"file_delete\" API extension")
        }
        _ = try query("DELETE", Self.filesPath(instance, path))
    }
}
