import Foundation
import LXDAPI
import LXDHTTP

extension LXDServer {
    /// `POST /1.0/instances/NAME/console`: a websocket operation (`fds` "0" and "control").
    public func consoleInstance(_ name: String, _ post: InstanceConsolePost) throws -> RemoteOperation {
        if !hasExtension("console") { throw LXDError(.badRequest, "The server is missing the required \"console\" API extension") }
        return try queryOperation("POST", "/1.0/instances/" + Self.escape(name) + "/console", body: try Self.encode(post))
    }

    /// `GET /1.0/instances/NAME/console`: the console log's bytes.
    public func getInstanceConsoleLog(_ name: String) throws -> Data {
        if !hasExtension("console") { throw LXDError(.badRequest, "The server is missing the required \"console\" API extension") }
        return try rawGet("/1.0/instances/" + Self.escape(name) + "/console")
    }

    /// A GET whose 200 body is returned as is (a log, a file); an error answer is its `LXDError`.
    public func rawGet(_ path: String) throws -> Data {
        var body = Data()
        do {
            _ = try http.download(path, headers: Self.headers(json: false)) { body.append(contentsOf: $0) }
        } catch HTTPError.unexpectedStatus(let status, let errorBody) {
            _ = try Self.parse(HTTPResponse(status: status, headers: HTTPHeaders(), body: errorBody))
            throw LXDError(HTTPStatus(status), "Failed to fetch \(status): invalid response")
        } catch let error as HTTPError {
            throw LXDError(.internalServerError, String(describing: error))
        }
        return body
    }
}
