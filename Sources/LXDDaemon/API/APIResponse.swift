import Foundation
import LXDAPI
import LXDHTTP

/// What a handler returns; the connection thread turns it into bytes (LXD's `response.Response`).
enum APIResponse: Sendable {
    /// A sync envelope around already-encoded metadata JSON.
    case sync(metadataJSON: Data, status: Int, etag: String?, location: String?)
    /// An async envelope for a started operation (202 + Location).
    case async(BackgroundOperation)
    case error(LXDError)
    /// A file download (image export, file pull).
    case file(path: String, headers: HTTPHeaders)
    /// Several files as one `multipart/form-data` body (a split image's export).
    case multipart([MultipartFile])
    /// Upgrade to a websocket, then hand it to `session` on the connection's own thread.
    case webSocket(@Sendable (WebSocket) -> Void)
    /// An already open file (a file pulled out of an instance), sent whole, then closed.
    case descriptor(ReceivedFile, headers: HTTPHeaders)
    /// Status, headers and body exactly as given (a sync envelope with extra headers, HEAD).
    case raw(status: Int, headers: HTTPHeaders, body: Data)

    /// A sync response; metadata is encoded here, off the connection thread.
    static func sync(_ metadata: some Encodable, status: Int = 200, etag: String? = nil, location: String? = nil) -> APIResponse {
        do {
            return .sync(metadataJSON: try LXDJSON.encode(metadata), status: status, etag: etag, location: location)
        } catch {
            return .error(.internalError("Failed encoding response: \(error)"))
        }
    }

    /// `metadata: {}` as LXD answers PUT/PATCH/DELETE of most objects.
    static var emptyObject: APIResponse { .sync(metadataJSON: Data("{}".utf8), status: 200, etag: nil, location: nil) }
    /// `metadata: null`, as for 201 creates.
    static func created(location: String) -> APIResponse {
        .sync(metadataJSON: Data("null".utf8), status: 201, etag: nil, location: location)
    }

    /// The status, headers and body to write; nil for the cases the connection handles itself.
    func rendered() -> (status: Int, headers: HTTPHeaders, body: Data)? {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        switch self {
        case .sync(let metadata, let status, let etag, let location):
            if let etag { headers["ETag"] = "\"\(etag)\"" }
            if let location { headers["Location"] = location }
            var body = Data(
                #"{"type":"sync","status":"Success","status_code":200,"operation":"","error_code":0,"error":"","metadata":"#.utf8)
            body.append(metadata)
            body.append(contentsOf: Array("}\n".utf8))
            return (status, headers, body)
        case .async(let operation):
            headers["Location"] = operation.url
            let envelope = ResponseEnvelope.async(operationURL: operation.url, operation.snapshot)
            let body = (try? LXDJSON.encode(envelope)) ?? Data()
            return (202, headers, body + Data("\n".utf8))
        case .error(let error):
            headers["X-Content-Type-Options"] = "nosniff"
            let body = (try? LXDJSON.encode(ResponseEnvelope<JSONValue>.error(error))) ?? Data()
            return (error.status.code, headers, body + Data("\n".utf8))
        case .raw(let status, let headers, let body):
            return (status, headers, body)
        case .file, .webSocket, .multipart, .descriptor:
            return nil
        }
    }
}

/// One part of a multipart download.
struct MultipartFile: Sendable {
    let name: String
    let filename: String
    let path: String
}
