import Foundation
import LXDAPI
import LXDHTTP

/// The HTTP connection behind a request. Only one thread uses it at a time: the connection's own
/// thread blocks while the async handler runs, and a handler that streams the body does so from a
/// `Blocking.run` thread.
final class RequestConnection: @unchecked Sendable {
    let connection: HTTPServerConnection

    init(_ connection: HTTPServerConnection) {
        self.connection = connection
    }
}

/// A request as handlers see it: the head, the path parameters, the pre-read body (for JSON
/// endpoints) and the connection (for streaming endpoints).
struct APIRequest: Sendable {
    let method: String
    let path: String
    let query: [String: String]
    let headers: HTTPHeaders
    let parameters: [String: String]
    let body: Data
    let connection: RequestConnection
    let peer: PeerCredentials?
    /// Who asked (unix socket, trusted certificate, untrusted TLS client).
    var trust: RequestTrust = .unixSocket

    func parameter(_ name: String) -> String { parameters[name] ?? "" }

    /// `?recursion=N` (0 when absent or not a number).
    var recursion: Int { Int(query["recursion"] ?? "") ?? 0 }

    /// Decodes the JSON body into `T`; a malformed body is a 400 with the decoder's message.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try LXDJSON.decode(type, from: body.isEmpty ? Data("{}".utf8) : body)
        } catch {
            throw LXDError(mapping: error)
        }
    }

    /// The `If-Match` ETag without its quotes, if the client sent one.
    var ifMatch: String? {
        guard var value = headers["If-Match"], !value.isEmpty else { return nil }
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
            value = String(value.dropFirst().dropLast())
        }
        return value
    }

    /// LXD's ETag check: 412 when the client's If-Match differs from the current hash.
    func checkETag(_ current: String) throws {
        if let expected = ifMatch, expected != current {
            throw LXDError.preconditionFailed("ETag doesn't match: \(current) vs \(expected)")
        }
    }

    /// Who asked, for lifecycle events (`requestor`).
    var requestor: EventLifecycleRequestor {
        if case .certificate(let certificate) = trust.kind {
            return EventLifecycleRequestor(username: certificate.fingerprint, protocol: "tls", address: trust.remoteAddress ?? "")
        }
        return EventLifecycleRequestor(username: peer.map { Self.userName($0.uid) } ?? "", protocol: "unix", address: "@")
    }

    private static func userName(_ uid: UInt32) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return String(uid) }
        return String(cString: name)
    }
}
