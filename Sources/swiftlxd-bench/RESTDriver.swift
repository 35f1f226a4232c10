import Foundation
import LXDAPI
import LXDHTTP

/// Lifecycle operations through the REST API over the unix socket: each one is the request plus
/// `GET /1.0/operations/ID/wait` until the operation ends, as a client sees it.
struct RESTDriver: Sendable {
    let target: Target
    let http: HTTPClient

    init(target: Target) {
        self.target = target
        http = target.http
    }

    // MARK: Lifecycle

    func initInstance(_ name: String, fingerprint: String) throws {
        var post = InstancesPost()
        post.name = name
        post.type = "container"
        post.put.profiles = ["default"]
        post.source.type = "image"
        post.source.fingerprint = fingerprint
        try wait(try send("POST", "/1.0/instances", post))
    }

    func start(_ name: String) throws {
        try wait(try send("PUT", "/1.0/instances/\(name)/state", InstanceStatePut(action: "start", timeout: -1)))
    }

    func stopForce(_ name: String) throws {
        try wait(try send("PUT", "/1.0/instances/\(name)/state", InstanceStatePut(action: "stop", timeout: -1, force: true)))
    }

    func delete(_ name: String) throws {
        try wait(try send("DELETE", "/1.0/instances/\(name)", nil as String?))
    }

    func snapshot(_ name: String, as snapshot: String) throws {
        try wait(try send("POST", "/1.0/instances/\(name)/snapshots", ["name": snapshot]))
    }

    func deleteSnapshot(_ name: String, _ snapshot: String) throws {
        try wait(try send("DELETE", "/1.0/instances/\(name)/snapshots/\(snapshot)", nil as String?))
    }

    /// A local copy of a stopped instance (`lxc copy a b`).
    func copy(_ source: String, to name: String) throws {
        var post = InstancesPost()
        post.name = name
        post.type = "container"
        post.put.profiles = ["default"]  // as `lxc copy` sends the source's profiles
        post.source.type = "copy"
        post.source.source = source
        post.source.instanceOnly = true
        try wait(try send("POST", "/1.0/instances", post))
    }

    /// `exec -- COMMAND` without websockets: `wait-for-websocket=false`, `record-output=false`
    /// (the command's stdio is /dev/null), then wait for the operation. Returns the exit status.
    @discardableResult
    func execNoWebSocket(_ name: String, _ command: [String]) throws -> Int {
        var post = InstanceExecPost()
        post.command = command
        post.waitForWebsocket = false
        post.recordOutput = false
        let operation = try wait(try send("POST", "/1.0/instances/\(name)/exec", post))
        return operation.metadata["return"]?.intValue ?? -1
    }

    /// `exec -- COMMAND` as `lxc exec` does it without a terminal: `wait-for-websocket=true`,
    /// connect the control socket and stdin, stdout, stderr; drain stdout and stderr up to their
    /// end-of-stream frames, wait for the operation, close. Returns the exit status.
    @discardableResult
    func execWebSocket(_ name: String, _ command: [String]) throws -> Int {
        var post = InstanceExecPost()
        post.command = command
        post.waitForWebsocket = true
        post.interactive = false
        let envelope = try send("POST", "/1.0/instances/\(name)/exec", post)
        guard case .object(let fds)? = envelope.metadata["metadata"]?["fds"] else {
            throw BenchError("exec: no fds in the operation's metadata")
        }
        let id = try operationID(envelope)
        var sockets: [WebSocket] = []
        defer { sockets.forEach { $0.close() } }
        for key in ["control", "0", "1", "2"] {
            guard let secret = fds[key]?.stringValue else { throw BenchError("exec: no secret for fd \(key)") }
            sockets.append(try http.webSocket("/1.0/operations/\(id)/websocket?secret=\(secret)"))
        }
        // As `lxc exec`: stdout and stderr end with an empty text frame, then the client closes.
        for output in sockets[2...] {
            while let message = try output.receive(), message != .text("") {}
            output.close()
        }
        let operation = try waitFor(id)
        return operation.metadata["return"]?.intValue ?? -1
    }

    // MARK: Queries

    func imageFingerprint(alias: String) throws -> String {
        let envelope = try send("GET", "/1.0/images/aliases/\(alias)", nil as String?)
        guard let target = envelope.metadata["target"]?.stringValue, !target.isEmpty else {
            throw BenchError("image alias \(alias) not found on \(self.target.name)")
        }
        return target
    }

    func instanceNames() throws -> [String] {
        let envelope = try send("GET", "/1.0/instances", nil as String?)
        guard case .array(let urls) = envelope.metadata else { return [] }
        return urls.compactMap { $0.stringValue?.split(separator: "/").last.map(String.init) }
    }

    func status(_ name: String) throws -> String {
        let envelope = try send("GET", "/1.0/instances/\(name)", nil as String?)
        return envelope.metadata["status"]?.stringValue ?? ""
    }

    // MARK: Plumbing

    /// Sends a request; an error envelope throws (501 as `NotImplemented`).
    func send(_ method: String, _ path: String, _ body: (some Encodable)?) throws -> ResponseRaw {
        var data: Data?
        var headers = HTTPHeaders()
        if let body {
            data = try LXDJSON.encode(body)
            headers["Content-Type"] = "application/json"
        }
        let response = try http.request(method, path, headers: headers, body: data)
        let envelope: ResponseRaw
        do {
            envelope = try LXDJSON.decode(ResponseRaw.self, from: response.body)
        } catch {
            throw BenchError("\(method) \(path): HTTP \(response.status), not an LXD envelope")
        }
        if envelope.type == "error" || response.status >= 400 {
            if response.status == 501 || envelope.errorCode == 501 {
                throw NotImplemented(description: "\(method) \(path): \(envelope.error)")
            }
            throw BenchError("\(method) \(path): \(response.status) \(envelope.error)")
        }
        return envelope
    }

    private func operationID(_ envelope: ResponseRaw) throws -> String {
        guard envelope.type == "async", let id = envelope.operation.split(separator: "/").last else {
            throw BenchError("expected an async response, got \(envelope.type)")
        }
        return String(id)
    }

    /// Waits for the operation an async response started; a failed operation throws.
    @discardableResult
    func wait(_ envelope: ResponseRaw) throws -> LXDAPI.Operation {
        try waitFor(try operationID(envelope))
    }

    @discardableResult
    func waitFor(_ id: String) throws -> LXDAPI.Operation {
        let envelope = try send("GET", "/1.0/operations/\(id)/wait?timeout=120", nil as String?)
        let operation = try envelope.metadata.decode(LXDAPI.Operation.self)
        guard operation.statusCode == 200 else {
            let message = "operation \(operation.description) ended \(operation.status): \(operation.err)"
            if operation.err.localizedCaseInsensitiveContains("not implemented")
                || operation.err.localizedCaseInsensitiveContains("not supported")
            {
                throw NotImplemented(description: message)
            }
            throw BenchError(message)
        }
        return operation
    }
}
