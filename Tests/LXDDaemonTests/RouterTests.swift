import LXDAPI
import Testing

@testable import LXDDaemon

@Suite struct RouterTests {
    private static let handler: Handler = { _ in .emptyObject }
    private static let action = Action(handler)
    /// Marks an action so a test can tell which endpoint answered.
    private static let streaming = Action(handler, streamsBody: true)

    private static let router = Router(endpoints: [
        Endpoint("/", get: action),
        Endpoint("/1.0", get: action, put: action, patch: action),
        Endpoint("/1.0/images", get: action, post: streaming),
        Endpoint("/1.0/images/aliases", get: action, post: action),
        Endpoint("/1.0/images/aliases/{name}", get: action, put: action, post: action, patch: action, delete: action),
        Endpoint("/1.0/images/{fingerprint}", get: action, put: action, patch: action, delete: action),
        Endpoint("/1.0/images/{fingerprint}/export", get: action),
        Endpoint("/1.0/instances", get: action, post: action),
        Endpoint("/1.0/instances/{name}", get: action, put: action, post: action, patch: action, delete: action),
        Endpoint("/1.0/instances/{name}/state", get: action, put: action),
        Endpoint("/1.0/instances/{name}/logs/{file}", get: action),
        Endpoint("/1.0/operations/{id}/wait", get: action),
    ])

    private func parameters(_ method: String, _ path: String, router: Router = RouterTests.router) -> [String: String]? {
        guard case .action(_, let parameters) = router.resolve(method: method, rawPath: path) else { return nil }
        return parameters
    }

    private func failure(_ method: String, _ path: String) -> LXDError? {
        guard case .failure(let error) = Self.router.resolve(method: method, rawPath: path) else { return nil }
        return error
    }

    // MARK: Splitting raw paths

    @Test(arguments: [
        ("/1.0/instances/c1", ["1.0", "instances", "c1"]),
        ("/1.0/instances/c1/", ["1.0", "instances", "c1"]),
        ("/1.0/instances?recursion=1", ["1.0", "instances"]),
        ("/1.0/instances/?recursion=2&filter=", ["1.0", "instances"]),
        ("/1.0/operations/abc/wait?timeout=30", ["1.0", "operations", "abc", "wait"]),
        ("/1.0/images/aliases/a%2Fb", ["1.0", "images", "aliases", "a/b"]),
        ("/1.0/images/aliases/a%2Fb/", ["1.0", "images", "aliases", "a/b"]),
        ("/1.0/images/aliases/what%3F", ["1.0", "images", "aliases", "what?"]),
        ("/1.0/instances/a%20b", ["1.0", "instances", "a b"]),
        ("/1.0", ["1.0"]),
        ("/", []),
        ("", []),
        ("/?x=1", []),
    ])
    func segmentsOfRawPath(path: String, expected: [String]) {
        #expect(Router.segments(ofRawPath: path) == expected)
    }

    @Test func encodedSlashStaysInsideItsSegment() {
        let segments = Router.segments(ofRawPath: "/1.0/instances/c1/logs/a%2F..%2Fb")
        #expect(segments.count == 5)
        #expect(segments.last == "a/../b")
    }

    // MARK: Resolution

    @Test func unknownPathIsNotFound() throws {
        for path in ["/1.0/nothing", "/2.0", "/1.0/instances/c1/state/extra", "/1.0/instances/c1/bogus", "/internal"] {
            let error = try #require(failure("GET", path), "\(path)")
            #expect(error == LXDError(.notFound, "not found"))
        }
    }

    @Test func knownPathWithUnknownMethodIsNotImplemented() throws {
        for (method, path) in [("DELETE", "/1.0"), ("POST", "/1.0/instances/c1/state"), ("PUT", "/1.0/images"), ("HEAD", "/1.0/instances")]
        {
            let error = try #require(failure(method, path), "\(method) \(path)")
            #expect(error == LXDError(.notImplemented, "not implemented"))
        }
    }

    @Test(arguments: [
        ("GET", "/", [String: String]()),
        ("GET", "/1.0", [:]),
        ("PATCH", "/1.0/", [:]),
        ("GET", "/1.0/instances?recursion=1", [:]),
        ("PUT", "/1.0/instances/c1/state", ["name": "c1"]),
        ("DELETE", "/1.0/instances/c1", ["name": "c1"]),
        ("GET", "/1.0/instances/c1/logs/lxc.log", ["name": "c1", "file": "lxc.log"]),
        ("GET", "/1.0/images/aliases/a%2Fb", ["name": "a/b"]),
        ("GET", "/1.0/images/abc123/export", ["fingerprint": "abc123"]),
        ("GET", "/1.0/operations/0d2c-11/wait?timeout=-1", ["id": "0d2c-11"]),
    ])
    func extractsParameters(method: String, path: String, expected: [String: String]) {
        #expect(parameters(method, path) == expected)
    }

    @Test func literalSegmentBeatsALaterParameter() {
        #expect(parameters("GET", "/1.0/images/aliases") == [:])
        #expect(parameters("POST", "/1.0/images/aliases") == [:])
        #expect(parameters("GET", "/1.0/images/abc") == ["fingerprint": "abc"])
    }

    @Test func firstMatchWins() {
        let handler: Handler = { _ in .emptyObject }
        let reversed = Router(endpoints: [
            Endpoint("/1.0/images/{fingerprint}", get: Action(handler)),
            Endpoint("/1.0/images/aliases", get: Action(handler), post: Action(handler)),
        ])
        #expect(parameters("GET", "/1.0/images/aliases", router: reversed) == ["fingerprint": "aliases"])
        // The first match decides the method set too: no fall-through to the second endpoint.
        guard case .failure(let error) = reversed.resolve(method: "POST", rawPath: "/1.0/images/aliases") else {
            Issue.record("POST should not fall through to the second endpoint")
            return
        }
        #expect(error.status == .notImplemented)
    }

    @Test func resolvesTheMethodsAction() {
        guard case .action(let action, _) = Self.router.resolve(method: "POST", rawPath: "/1.0/images") else {
            Issue.record("POST /1.0/images should resolve")
            return
        }
        #expect(action.streamsBody)
        guard case .action(let get, _) = Self.router.resolve(method: "GET", rawPath: "/1.0/images") else {
            Issue.record("GET /1.0/images should resolve")
            return
        }
        #expect(!get.streamsBody)
    }

    @Test func emptyParameterDoesNotMatch() {
        #expect(parameters("GET", "/1.0/instances//state") == nil)
    }

    @Test func endpointPatternIgnoresSlashes() {
        let endpoint = Endpoint("/1.0/instances/{name}/", get: Action({ _ in .emptyObject }))
        #expect(endpoint.pattern == ["1.0", "instances", "{name}"])
        #expect(endpoint.match(["1.0", "instances", "c1"]) == ["name": "c1"])
        #expect(endpoint.match(["1.0", "instances"]) == nil)
        #expect(endpoint.match(["1.0", "profiles", "c1"]) == nil)
        #expect(Set(endpoint.actions.keys) == ["GET"])
    }
}
