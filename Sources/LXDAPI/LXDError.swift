import Foundation

/// An HTTP status as LXD uses it; a struct so that any code can be carried.
public struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
    public let code: Int

    public init(_ code: Int) { self.code = code }

    public static let ok = HTTPStatus(200)
    public static let created = HTTPStatus(201)
    public static let accepted = HTTPStatus(202)
    public static let badRequest = HTTPStatus(400)
    public static let forbidden = HTTPStatus(403)
    public static let notFound = HTTPStatus(404)
    public static let conflict = HTTPStatus(409)
    public static let preconditionFailed = HTTPStatus(412)
    public static let internalServerError = HTTPStatus(500)
    public static let notImplemented = HTTPStatus(501)
    public static let serviceUnavailable = HTTPStatus(503)

    public var description: String { String(code) }
}

/// The one error type that reaches clients: an HTTP status and LXD's message.
/// On the wire it is the error envelope; `lxc` prints `Error: <message>`.
public struct LXDError: Error, Sendable, CustomStringConvertible, Equatable {
    public let status: HTTPStatus
    public let message: String

    public init(_ status: HTTPStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    public static func badRequest(_ message: String) -> LXDError { LXDError(.badRequest, message) }
    public static func forbidden(_ message: String = "not authorized") -> LXDError { LXDError(.forbidden, message) }
    public static func notFound(_ message: String = "not found") -> LXDError { LXDError(.notFound, message) }
    public static func conflict(_ message: String) -> LXDError { LXDError(.conflict, message) }
    public static func preconditionFailed(_ message: String) -> LXDError { LXDError(.preconditionFailed, message) }
    public static func internalError(_ message: String) -> LXDError { LXDError(.internalServerError, message) }
    public static func notImplemented(_ message: String = "not implemented") -> LXDError { LXDError(.notImplemented, message) }

    /// Maps any error to what a client sees (LXD's `SmartError`): an `LXDError` stays as it is,
    /// anything else becomes a 500 with its description.
    public init(mapping error: any Error) {
        if let error = error as? LXDError {
            self = error
        } else if let error = error as? DecodingError {
            self = LXDError(.badRequest, LXDError.describe(error))
        } else {
            self = LXDError(.internalServerError, String(describing: error))
        }
    }

    /// A short decoder message in the spirit of Go's (`json: cannot unmarshal ...`).
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "json: cannot unmarshal into field \(path) of type \(type)"
        case .valueNotFound(_, let context), .keyNotFound(_, let context):
            return "json: \(context.debugDescription)"
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError as NSError?,
                let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String
            {
                return "invalid JSON: \(detail)"
            }
            return context.codingPath.isEmpty ? "invalid JSON: \(context.debugDescription)" : context.debugDescription
        @unknown default:
            return "invalid JSON"
        }
    }
}
