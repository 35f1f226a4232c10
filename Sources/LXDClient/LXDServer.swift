import Foundation
import LXDAPI
import LXDHTTP

/// A connection to one LXD server, over its unix socket or HTTPS (LXD's `client.ProtocolLXD`).
/// Every call is one request on a fresh connection and blocks the calling thread, as the CLI wants.
public final class LXDServer: Sendable {
    public let http: HTTPClient
    /// "unix://" or "https://host:port", as LXD's client names the server in messages.
    public let url: String
    /// `GET /1.0`, fetched when connecting.
    public let server: Server
    /// The raw `GET /1.0` metadata, in the server's key order (for `lxc info`).
    public let serverRaw: Data

    static let userAgent = "LXD 5.0.2"

    /// `$LXD_SOCKET`, else `$LXD_DIR/unix.socket`, else `/var/lib/lxd/unix.socket`.
    public static func defaultSocketPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let socket = environment["LXD_SOCKET"], !socket.isEmpty { return socket }
        if let dir = environment["LXD_DIR"], !dir.isEmpty { return dir + "/unix.socket" }
        return "/var/lib/lxd/unix.socket"
    }

    /// Connects: the first request of every run is `GET /1.0`.
    public convenience init(socketPath: String) throws {
        try self.init(http: HTTPClient(unixSocketPath: socketPath), url: "unix://")
    }

    /// Connects through `http` (unix socket or TLS): `GET /1.0`.
    public init(http: HTTPClient, url: String) throws {
        self.http = http
        self.url = url
        let response = try LXDServer.send(http, "GET", "/1.0", body: nil)
        self.server = try LXDServer.metadata(Server.self, of: response)
        self.serverRaw = try LXDServer.rawMetadata(response.body)
    }

    public var socketPath: String { http.unixSocketPath }

    /// True when the server trusts this client (`auth: trusted`).
    public var isTrusted: Bool { server.auth == "trusted" }

    public func hasExtension(_ name: String) -> Bool { server.apiExtensions.contains(name) }

    // MARK: Raw queries

    static func headers(json: Bool, etag: String? = nil) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers["Host"] = "unix.socket"
        headers["User-Agent"] = userAgent
        if json { headers["Content-Type"] = "application/json" }
        if let etag, !etag.isEmpty { headers["If-Match"] = etag }
        return headers
    }

    /// Decodes the envelope; an error envelope becomes the `LXDError` it carries.
    static func parse(_ response: HTTPResponse) throws -> ResponseRaw {
        let envelope = try decodeEnvelope(ResponseRaw.self, response)
        try check(response, type: envelope.type, errorCode: envelope.errorCode, error: envelope.error)
        return envelope
    }

    /// The metadata decoded straight into `T` (after the envelope's check): one Codable pass,
    /// where `parse` and `JSONValue.decode` make three.
    static func metadata<T: Decodable>(_ type: T.Type, of response: HTTPResponse) throws -> T {
        let head = try decodeEnvelope(ResponseHead.self, response)
        try check(response, type: head.type, errorCode: head.errorCode, error: head.error)
        return try LXDJSON.decode(ResponseMetadata<T>.self, from: response.body).metadata
    }

    private static func decodeEnvelope<Envelope: Decodable>(_ type: Envelope.Type, _ response: HTTPResponse) throws -> Envelope {
        do {
            return try LXDJSON.decode(Envelope.self, from: response.body)
        } catch {
            if response.status == 404 { throw LXDError.notFound() }
            throw LXDError(HTTPStatus(response.status), "Failed to fetch \(response.status): invalid response")
        }
    }

    /// An error envelope becomes the `LXDError` it carries.
    private static func check(_ response: HTTPResponse, type: String, errorCode: Int, error: String) throws {
        guard type == "error" else { return }
        throw LXDError(HTTPStatus(errorCode == 0 ? response.status : errorCode), error)
    }

    /// One request; a transport failure becomes Go's wording of it.
    static func send(_ http: HTTPClient, _ method: String, _ path: String, body: Data?, etag: String? = nil) throws -> HTTPResponse {
        do {
            return try http.request(method, path, headers: headers(json: body != nil, etag: etag), body: body)
        } catch let error as LXDError {
            throw error
        } catch {
            throw LXDError(.internalServerError, LXDServer.describeConnectError(error, http, path: path))
        }
    }

    /// Returns the metadata as a JSONValue plus the raw `metadata` bytes in server order.
    static func query(_ http: HTTPClient, _ method: String, _ path: String, body: Data?, etag: String? = nil) throws -> (JSONValue, Data) {
        let response = try send(http, method, path, body: body, etag: etag)
        let envelope = try parse(response)
        return (envelope.metadata, try rawMetadata(response.body))
    }

    /// Go's wording for a server that cannot be reached.
    static func describeConnectError(_ error: any Error, _ http: HTTPClient, path: String) -> String {
        switch http.transport {
        case .unix(let socket):
            // A failed connect already reads "dial unix PATH: connect: REASON".
            if let error = error as? HTTPError, case .connect = error { return "Get \"http://unix.socket/1.0\": \(error)" }
            return "Get \"http://unix.socket/1.0\": dial unix \(socket): connect: \(error)"
        case .tls:
            let target = "https://\(http.hostDescription)\(path == "/1.0" ? "/1.0" : path)"
            if let error = error as? HTTPError, case .connectTCP = error {
                return "Get \"\(target)\": Unable to connect to: \(http.hostDescription) ([\(error)])"
            }
            return "Get \"\(target)\": \(error)"
        }
    }

    /// The `metadata` member of an envelope, re-serialised in the server's key order.
    static func rawMetadata(_ body: Data) throws -> Data {
        guard let value = try? OrderedValue.metadata(of: body) else { return Data("null".utf8) }
        return value
    }

    public func query(_ method: String, _ path: String, body: Data? = nil, etag: String? = nil) throws -> (JSONValue, Data) {
        try LXDServer.query(http, method, path, body: body, etag: etag)
    }

    /// Returns the metadata as `T` plus the raw `metadata` bytes in server order.
    public func query<T: Decodable>(_ method: String, _ path: String, as type: T.Type, body: Data? = nil) throws -> (T, Data) {
        let response = try LXDServer.send(http, method, path, body: body)
        return (try LXDServer.metadata(type, of: response), try LXDServer.rawMetadata(response.body))
    }

    public func get<T: Decodable>(_ path: String, as type: T.Type) throws -> T {
        try LXDServer.metadata(type, of: try LXDServer.send(http, "GET", path, body: nil))
    }

    /// A GET whose raw metadata (server key order) is returned alongside the typed value.
    public func getRaw(_ path: String) throws -> Data { try query("GET", path).1 }

    /// Sends an action that answers with an operation. As LXD's client, the events listener is
    /// connected first so that no state change can be missed.
    public func queryOperation(_ method: String, _ path: String, body: Data?, etag: String? = nil) throws -> RemoteOperation {
        let listener = try? EventListener(http: http)
        let response: HTTPResponse
        do {
            response = try http.request(method, path, headers: LXDServer.headers(json: body != nil, etag: etag), body: body)
        } catch {
            listener?.close()
            throw LXDError(.internalServerError, String(describing: error))
        }
        let operation: LXDAPI.Operation
        do {
            operation = try LXDServer.metadata(LXDAPI.Operation.self, of: response)
        } catch {
            listener?.close()
            throw error
        }
        return RemoteOperation(server: self, operation: operation, listener: listener)
    }

    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    // MARK: Images

    public func getImages() throws -> (images: [Image], raw: Data) {
        return try query("GET", "/1.0/images?recursion=1", as: [Image].self)
    }

    public func getImage(_ fingerprint: String) throws -> (image: Image, raw: Data) {
        return try query("GET", "/1.0/images/" + LXDServer.escape(fingerprint), as: Image.self)
    }

    public func getImageAliases() throws -> (aliases: [ImageAliasesEntry], raw: Data) {
        return try query("GET", "/1.0/images/aliases?recursion=1", as: [ImageAliasesEntry].self)
    }

    public func getImageAlias(_ name: String) throws -> ImageAliasesEntry {
        try get("/1.0/images/aliases/" + LXDServer.escape(name), as: ImageAliasesEntry.self)
    }

    public func createImageAlias(_ alias: ImageAliasesEntry) throws {
        _ = try query("POST", "/1.0/images/aliases", body: try LXDServer.encode(alias))
    }

    public func deleteImageAlias(_ name: String) throws {
        _ = try query("DELETE", "/1.0/images/aliases/" + LXDServer.escape(name))
    }

    public func renameImageAlias(_ name: String, to newName: String) throws {
        _ = try query(
            "POST", "/1.0/images/aliases/" + LXDServer.escape(name), body: try LXDServer.encode(ImageAliasesEntryPost(name: newName)))
    }

    /// `GET /1.0/images/FP/export`, streamed: `head` sees the response headers (size, type,
    /// `Content-Disposition`) before `consume` gets the body. An error answer becomes its `LXDError`.
    public func exportImage(
        _ fingerprint: String, secret: String = "", head: (HTTPHeaders) throws -> Void, consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let query = secret.isEmpty ? "" : "?secret=" + LXDServer.escape(secret)
        do {
            _ = try http.download(
                "/1.0/images/\(LXDServer.escape(fingerprint))/export" + query, headers: LXDServer.headers(json: false), head: head,
                consume: consume)
        } catch HTTPError.unexpectedStatus(let status, let body) {
            _ = try LXDServer.parse(HTTPResponse(status: status, headers: HTTPHeaders(), body: body))
            throw LXDError(HTTPStatus(status), "Failed to fetch \(status): invalid response")
        }
    }

    public func updateImage(_ fingerprint: String, _ put: ImagePut) throws {
        _ = try query("PUT", "/1.0/images/\(LXDServer.escape(fingerprint))", body: try LXDServer.encode(put))
    }

    public func refreshImage(_ fingerprint: String) throws -> RemoteOperation {
        try queryOperation("POST", "/1.0/images/\(LXDServer.escape(fingerprint))/refresh", body: nil)
    }

    public func deleteImage(_ fingerprint: String) throws -> RemoteOperation {
        try queryOperation("DELETE", "/1.0/images/" + LXDServer.escape(fingerprint), body: nil)
    }

    /// Uploads a unified image tarball (chunked body, `X-LXD-filename`), returning the
    /// operation; as LXD's client, the events listener is opened only after the 202.
    public func createImage(file: String, isPublic: Bool, properties: [String: String]) throws -> RemoteOperation {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw LXDError(.badRequest, "open \(file): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var headers = LXDServer.headers(json: false)
        headers["Content-Type"] = "application/octet-stream"
        headers["X-LXD-filename"] = (file as NSString).lastPathComponent
        if isPublic { headers["X-LXD-public"] = "true" }
        if !properties.isEmpty {
            var components = URLComponents()
            components.queryItems = properties.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
            headers["X-LXD-properties"] = components.percentEncodedQuery ?? ""
        }
        let response: HTTPResponse
        do {
            response = try http.upload("POST", "/1.0/images", headers: headers, fd: fd)
        } catch {
            throw LXDError(.internalServerError, String(describing: error))
        }
        let operation = try LXDServer.metadata(LXDAPI.Operation.self, of: response)
        return RemoteOperation(server: self, operation: operation, listener: try? EventListener(http: http))
    }

    // MARK: Instances

    /// `filters` are "key=value" pairs the server evaluates (`api_filtering`), joined with "and".
    public func getInstancesFull(filters: [String] = []) throws -> (instances: [InstanceFull], raw: Data) {
        return try query("GET", "/1.0/instances?filter=\(LXDServer.filterQuery(filters))&recursion=2", as: [InstanceFull].self)
    }

    /// LXD's client: "k1=v1", "k2=v2" become "k1 eq v1 and k2 eq v2", query-escaped as Go does.
    static func filterQuery(_ filters: [String]) -> String {
        let clauses = filters.compactMap { filter -> String? in
            guard let equals = filter.firstIndex(of: "=") else { return nil }
            return "\(filter[..<equals]) eq \(filter[filter.index(after: equals)...])"
        }
        return clauses.map { URLCoding.percentEncode($0) }.joined(separator: "+and+").replacingOccurrences(of: "%20", with: "+")
    }

    public func getInstance(_ name: String) throws -> Instance {
        try get("/1.0/instances/" + LXDServer.escape(name), as: Instance.self)
    }

    public func getInstanceFull(_ name: String) throws -> InstanceFull {
        try get("/1.0/instances/" + LXDServer.escape(name) + "?recursion=1", as: InstanceFull.self)
    }

    public func createInstance(_ post: InstancesPost) throws -> RemoteOperation {
        try queryOperation("POST", "/1.0/instances", body: try LXDServer.encode(InstancesPostBody(post: post)))
    }

    public func updateInstanceState(_ name: String, _ state: InstanceStatePut) throws -> RemoteOperation {
        try queryOperation("PUT", "/1.0/instances/" + LXDServer.escape(name) + "/state", body: try LXDServer.encode(state))
    }

    public func deleteInstance(_ name: String) throws -> RemoteOperation {
        try queryOperation("DELETE", "/1.0/instances/" + LXDServer.escape(name), body: nil)
    }

    public func renameInstance(_ name: String, to newName: String) throws -> RemoteOperation {
        let body = InstanceRenameBody(name: newName)
        return try queryOperation("POST", "/1.0/instances/" + LXDServer.escape(name), body: try LXDServer.encode(body))
    }

    public func execInstance(_ name: String, _ post: InstanceExecPost) throws -> RemoteOperation {
        try queryOperation("POST", "/1.0/instances/" + LXDServer.escape(name) + "/exec", body: try LXDServer.encode(post))
    }

    /// Opens one of an operation's websockets.
    public func operationWebSocket(_ id: String, secret: String) throws -> WebSocket {
        do {
            return try http.webSocket("/1.0/operations/\(id)/websocket?secret=\(secret)", headers: LXDServer.headers(json: false))
        } catch let error as HTTPError {
            if case .unexpectedStatus(_, let body) = error, let envelope = try? LXDJSON.decode(ResponseRaw.self, from: body),
                envelope.type == "error"
            {
                throw LXDError(HTTPStatus(envelope.errorCode), envelope.error)
            }
            throw LXDError(.internalServerError, String(describing: error))
        }
    }

    // MARK: Operations

    public func getOperations() throws -> (operations: [String: [LXDAPI.Operation]], raw: Data) {
        return try query("GET", "/1.0/operations?recursion=1", as: [String: [LXDAPI.Operation]].self)
    }

    public func getOperation(_ id: String) throws -> (operation: LXDAPI.Operation, raw: Data) {
        return try query("GET", "/1.0/operations/" + LXDServer.escape(id), as: LXDAPI.Operation.self)
    }

    public func deleteOperation(_ id: String) throws {
        _ = try query("DELETE", "/1.0/operations/" + LXDServer.escape(id))
    }

    /// Opens `GET /1.0/events`, optionally filtered by type.
    public func events(types: [String] = []) throws -> EventListener {
        try EventListener(http: http, types: types)
    }

    /// Percent-encodes one path segment.
    public static func escape(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}

/// The body `lxc move a b` sends for a local rename (LXD's `api.InstancePost` in full).
struct InstanceRenameBody: Encodable {
    var name: String
    enum CodingKeys: String, CodingKey {
        case name, migration, live, target, pool, project
        case instanceOnly = "instance_only"
        case containerOnly = "container_only"
        case allowInconsistent = "allow_inconsistent"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(false, forKey: .migration)
        try c.encode(false, forKey: .live)
        try c.encode(false, forKey: .instanceOnly)
        try c.encode(false, forKey: .containerOnly)
        try c.encodeNil(forKey: .target)
        try c.encode("", forKey: .pool)
        try c.encode("", forKey: .project)
        try c.encode(false, forKey: .allowInconsistent)
    }
}

/// Extracts an envelope's `metadata` bytes without re-ordering keys.
enum OrderedValue {
    static func metadata(of body: Data) throws -> Data {
        // Find `"metadata":` at the top level and return the balanced value after it.
        let bytes = [UInt8](body)
        var depth = 0
        var index = 0
        var inString = false
        var keyStart = -1
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 1, keyStart >= 0 {
                        let key = String(decoding: bytes[keyStart..<index], as: UTF8.self)
                        var after = index + 1
                        while after < bytes.count, bytes[after] == 0x20 { after += 1 }
                        if key == "metadata", after < bytes.count, bytes[after] == UInt8(ascii: ":") {
                            return Data(try balanced(bytes, from: after + 1))
                        }
                    }
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                keyStart = index + 1
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
            index += 1
        }
        return Data("null".utf8)
    }

    static func balanced(_ bytes: [UInt8], from start: Int) throws -> ArraySlice<UInt8> {
        var index = start
        while index < bytes.count, [0x20, 0x0A, 0x09, 0x0D].contains(bytes[index]) { index += 1 }
        let begin = index
        var depth = 0
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return bytes[begin...index] }
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return bytes[begin...index] }
                if depth < 0 { return bytes[begin..<index] }
            case UInt8(ascii: ","):
                if depth == 0 { return bytes[begin..<index] }
            default: break
            }
            index += 1
        }
        return bytes[begin..<index]
    }
}

/// `POST /1.0/instances` as LXD's client sends it: `profiles` is null unless given (the server
/// then applies "default"), an empty list when `--no-profiles`.
struct InstancesPostBody: Encodable {
    let post: InstancesPost

    enum CodingKeys: String, CodingKey {
        case architecture, config, devices, ephemeral, profiles, stateful, description, name, source, type
        case instanceType = "instance_type"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(post.put.architecture, forKey: .architecture)
        try c.encode(post.put.config, forKey: .config)
        try c.encode(post.put.devices, forKey: .devices)
        try c.encode(post.put.ephemeral, forKey: .ephemeral)
        if let profiles = post.put.profiles {
            try c.encode(profiles, forKey: .profiles)
        } else {
            try c.encodeNil(forKey: .profiles)
        }
        try c.encode(post.put.stateful, forKey: .stateful)
        try c.encode(post.put.description, forKey: .description)
        try c.encode(post.name, forKey: .name)
        try c.encode(post.source, forKey: .source)
        try c.encode(post.instanceType, forKey: .instanceType)
        try c.encode(post.type, forKey: .type)
    }
}
