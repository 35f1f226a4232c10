import Foundation
import LXDAPI
import LXDCore
import LXDHTTP

/// Runs on each HTTP connection's thread: resolves the route, reads a JSON body, runs the async
/// handler while the thread waits, then writes the response or serves the upgraded websocket.
struct RequestDispatcher: Sendable {
    let router: Router
    let logger: Logger
    /// Decides who a network client is (the unix socket is always trusted).
    let trust: TrustStore?
    /// Requests are refused with 503 until the daemon has finished starting.
    let isReady: @Sendable () -> Bool

    static let jsonBodyLimit = 16 << 20

    func handle(_ connection: HTTPServerConnection) {
        let head = connection.head
        logger.debug("Handling API request", ["method": head.method, "url": head.target])
        let response: APIResponse
        switch router.resolve(method: head.method, rawPath: head.target) {
        case .failure(let error):
            response = .error(error)
        case .action(let action, let parameters):
            let trust = self.trust?.trust(of: connection) ?? .unixSocket
            guard trust.permits(action.access) else {
                response = .error(.forbidden())
                break
            }
            // `/internal/ready` too: `lxd waitready` polls it until the start (networks
            // restored, instances resumed) is over.
            if !isReady() && head.target != "/1.0" {
                response = .error(LXDError(.serviceUnavailable, "LXD daemon is still starting up"))
                break
            }
            var body = Data()
            if !action.streamsBody {
                do {
                    body = try connection.readBody(limit: Self.jsonBodyLimit)
                } catch {
                    response = .error(.badRequest("Failed reading request body: \(error)"))
                    break
                }
            }
            let request = APIRequest(
                method: head.method, path: head.path, query: head.query, headers: head.headers, parameters: parameters, body: body,
                connection: RequestConnection(connection), peer: connection.peer, trust: trust)
            response = Self.wait { () async -> APIResponse in
                do {
                    return try await action.handler(request)
                } catch {
                    return .error(LXDError(mapping: error))
                }
            }
        }
        write(response, to: connection)
    }

    private func write(_ response: APIResponse, to connection: HTTPServerConnection) {
        switch response {
        case .webSocket(let session):
            guard let socket = try? connection.upgradeToWebSocket() else { return }
            session(socket)
        case .file(let path, var headers):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                write(.error(.notFound()), to: connection)
                return
            }
            defer { close(fd) }
            headers["Accept-Ranges"] = "bytes"
            try? connection.sendFile(status: 200, headers: headers, fd: fd)
        case .descriptor(let file, var headers):
            headers["Accept-Ranges"] = "bytes"
            try? connection.sendFile(status: 200, headers: headers, fd: file.fd)
        case .multipart(let files):
            writeMultipart(files, to: connection)
        default:
            guard let (status, headers, body) = response.rendered() else { return }
            try? connection.send(status: status, headers: headers, body: body)
        }
    }

    /// Streams the files as `multipart/form-data`, each part named and with its filename, as
    /// LXD's client expects for a split image.
    private func writeMultipart(_ files: [MultipartFile], to connection: HTTPServerConnection) {
        var descriptors: [Int32] = []
        defer { for fd in descriptors { close(fd) } }
        for file in files {
            let fd = open(file.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                write(.error(.notFound()), to: connection)
                return
            }
            descriptors.append(fd)
        }
        let boundary = Hex.random(byteCount: 16)
        let headers = HTTPHeaders([("Content-Type", "multipart/form-data; boundary=\(boundary)")])
        try? connection.sendChunked(status: 200, headers: headers) { writer in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            for (index, file) in files.enumerated() {
                let head =
                    (index == 0 ? "" : "\r\n") + "--\(boundary)\r\n"
                    + "Content-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n"
                try writer.write(Data(head.utf8))
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptors[index], $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { break }
                    try buffer.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                }
            }
            try writer.write(Data("\r\n--\(boundary)--\r\n".utf8))
        }
    }

    /// Blocks this (non-pool) connection thread until the async handler finishes.
    private static func wait(_ body: @escaping @Sendable () async -> APIResponse) -> APIResponse {
        let box = ResultBox()
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            box.value = await body()
            semaphore.signal()
        }
        semaphore.wait()
        return box.value ?? .error(.internalError("No response"))
    }
}

/// Hands a handler's result to the waiting connection thread; the semaphore orders the accesses.
private final class ResultBox: @unchecked Sendable {
    var value: APIResponse?
}
