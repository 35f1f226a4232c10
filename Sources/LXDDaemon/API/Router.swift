import Foundation
import LXDAPI

typealias Handler = @Sendable (APIRequest) async throws -> APIResponse

/// One method of an endpoint; `streamsBody` handlers read the body themselves (uploads).
/// `access` says who may call it (project-scoped trusted clients unless said otherwise).
struct Action: Sendable {
    let handler: Handler
    var streamsBody = false
    var access: Access = .project

    init(_ handler: @escaping Handler, streamsBody: Bool = false, access: Access = .project) {
        self.handler = handler
        self.streamsBody = streamsBody
        self.access = access
    }
}

/// A path pattern and its methods (LXD's `APIEndpoint`). Pattern segments in braces are
/// parameters: `/1.0/instances/{name}/state`.
struct Endpoint: Sendable {
    let pattern: [String]
    let actions: [String: Action]

    init(
        _ path: String, get: Action? = nil, put: Action? = nil, post: Action? = nil, patch: Action? = nil,
        delete: Action? = nil, head: Action? = nil
    ) {
        pattern = path.split(separator: "/").map(String.init)
        var actions: [String: Action] = [:]
        actions["GET"] = get
        actions["PUT"] = put
        actions["POST"] = post
        actions["PATCH"] = patch
        actions["DELETE"] = delete
        actions["HEAD"] = head
        self.actions = actions
    }

    /// Path parameters when `segments` match the pattern, else nil.
    func match(_ segments: [String]) -> [String: String]? {
        guard segments.count == pattern.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, segments) {
            if expected.hasPrefix("{") {
                guard !actual.isEmpty else { return nil }
                parameters[String(expected.dropFirst().dropLast())] = actual
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}

/// The endpoint table; resolves a method and raw path to an action.
struct Router: Sendable {
    enum Resolution: Sendable {
        case action(Action, parameters: [String: String])
        case failure(LXDError)
    }

    let endpoints: [Endpoint]

    /// Splits the raw (still percent-encoded) path so that an encoded `/` stays inside its segment.
    static func segments(ofRawPath rawPath: String) -> [String] {
        let path = rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map { String($0).removingPercentEncoding ?? String($0) }
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    func resolve(method: String, rawPath: String) -> Resolution {
        let segments = Self.segments(ofRawPath: rawPath)
        for endpoint in endpoints {
            guard let parameters = endpoint.match(segments) else { continue }
            guard let action = endpoint.actions[method] else { return .failure(.notImplemented()) }
            return .action(action, parameters: parameters)
        }
        return .failure(.notFound())
    }
}
