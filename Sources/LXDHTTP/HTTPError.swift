import Foundation
import Glibc

/// Errors of the HTTP and WebSocket stack. Descriptions follow Go's wording where LXD's client
/// shows them to users (`dial unix …: connect: no such file or directory`).
public enum HTTPError: Error, Sendable, CustomStringConvertible {
    /// Connecting to a unix socket failed.
    case connect(path: String, errno: Int32)
    /// Connecting to a TCP address failed (`address` as "host:port").
    case connectTCP(address: String, errno: Int32)
    /// Resolving a host name failed.
    case resolve(host: String, reason: String)
    /// The TLS handshake or a TLS read/write failed.
    case tls(String)
    /// Creating, binding or listening on a server socket failed (`call` is "socket", "bind", …).
    case listen(path: String, call: String, errno: Int32)
    /// A read, write or poll on an established connection failed.
    case io(operation: String, errno: Int32)
    /// The peer closed the connection in the middle of a message.
    case unexpectedEOF
    /// The request could not be parsed (answered with 400 by the server).
    case malformedRequest(String)
    /// The response could not be parsed.
    case malformedResponse(String)
    /// The head of a request or response exceeded the limit (answered with 431 by the server).
    case headersTooLarge(limit: Int)
    /// A body exceeded the caller's limit.
    case bodyTooLarge(limit: Int)
    /// A chunked body was malformed.
    case invalidChunkedBody(String)
    /// The handler already sent its response (or upgraded the connection).
    case responseAlreadySent
    /// A websocket handshake failed (bad request headers, or a bad answer from the server).
    case webSocketHandshake(String)
    /// The websocket peer broke RFC 6455 (a close frame was sent, best effort).
    case webSocketProtocol(String)
    /// The websocket is closed for sending.
    case webSocketClosed
    /// The server answered with an unexpected status; `body` holds (the start of) its body.
    case unexpectedStatus(Int, body: Data)

    public var description: String {
        switch self {
        case .connect(let path, let code):
            return "dial unix \(path): connect: \(errnoText(code))"
        case .connectTCP(let address, let code):
            return "dial tcp \(address): connect: \(errnoText(code))"
        case .resolve(let host, let reason):
            return "dial tcp: lookup \(host): \(reason)"
        case .tls(let reason):
            return reason
        case .listen(let path, let call, let code):
            return path.hasPrefix("/") || path.hasPrefix("@")
                ? "listen unix \(path): \(call): \(errnoText(code))" : "listen tcp \(path): \(call): \(errnoText(code))"
        case .io(let operation, let code):
            return "\(operation): \(errnoText(code))"
        case .unexpectedEOF:
            return "unexpected EOF"
        case .malformedRequest(let reason):
            return "malformed HTTP request: \(reason)"
        case .malformedResponse(let reason):
            return "malformed HTTP response: \(reason)"
        case .headersTooLarge(let limit):
            return "HTTP headers larger than \(limit) bytes"
        case .bodyTooLarge(let limit):
            return "HTTP body larger than \(limit) bytes"
        case .invalidChunkedBody(let reason):
            return "invalid chunked body: \(reason)"
        case .responseAlreadySent:
            return "response already sent"
        case .webSocketHandshake(let reason):
            return "websocket: bad handshake: \(reason)"
        case .webSocketProtocol(let reason):
            return "websocket: \(reason)"
        case .webSocketClosed:
            return "websocket: close sent"
        case .unexpectedStatus(let status, let body):
            let text = String(decoding: body.prefix(512), as: UTF8.self)
            return text.isEmpty ? "unexpected HTTP status \(status)" : "unexpected HTTP status \(status): \(text)"
        }
    }
}

/// strerror text with Go's lowercase first letter ("no such file or directory").
func errnoText(_ code: Int32) -> String {
    guard let cString = strerror(code) else { return "errno \(code)" }
    let text = String(cString: cString)
    guard let first = text.first else { return "errno \(code)" }
    return first.lowercased() + text.dropFirst()
}
