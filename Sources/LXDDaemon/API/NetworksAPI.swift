import Foundation
import LXDAPI

/// `/1.0/networks`: managed networks (and the host's other interfaces, read-only).
struct NetworksAPI: Sendable {
    let state: DaemonState

    var endpoints: [Endpoint] {
        [
            Endpoint("/1.0/networks", get: Action(networksGet), post: Action(networksPost)),
            Endpoint(
                "/1.0/networks/{name}", get: Action(networkGet), put: Action(networkPut), post: Action(networkPost),
                patch: Action(networkPatch), delete: Action(networkDelete)),
            Endpoint("/1.0/networks/{name}/leases", get: Action(networkLeasesGet)),
            Endpoint("/1.0/networks/{name}/state", get: Action(networkStateGet)),
        ]
    }

    func networksGet(_ request: APIRequest) async throws -> APIResponse {
        let networks = try await state.networks.list()
        if request.recursion > 0 { return .sync(networks) }
        return .sync(networks.map { "/1.0/networks/\($0.name)" })
    }

    func networksPost(_ request: APIRequest) async throws -> APIResponse {
        let post = try request.decode(NetworksPost.self)
        try await state.networks.create(post, requestor: request.requestor)
        return .created(location: "/1.0/networks/\(post.name)")
    }

    func networkGet(_ request: APIRequest) async throws -> APIResponse {
        let (network, record) = try await state.networks.get(request.parameter("name"))
        return .sync(network, etag: ETag.of(record?.put ?? network.writable))
    }

    func networkPut(_ request: APIRequest) async throws -> APIResponse {
        let record = try await state.networks.record(request.parameter("name"))
        try request.checkETag(ETag.of(record.put))
        let put = try request.decode(NetworkPut.self)
        try await state.networks.update(record.name, put, requestor: request.requestor)
        return .emptyObject
    }

    /// PATCH merges the given keys into the config (an empty value removes a key).
    func networkPatch(_ request: APIRequest) async throws -> APIResponse {
        let record = try await state.networks.record(request.parameter("name"))
        try request.checkETag(ETag.of(record.put))
        let patch = try request.decode(JSONValue.self)
        var put = record.put
        let given = try request.decode(NetworkPut.self)
        put.config.merge(given.config) { _, new in new }
        if case .object(let members) = patch, members["description"] != nil { put.description = given.description }
        try await state.networks.update(record.name, put, requestor: request.requestor)
        return .emptyObject
    }

    func networkPost(_ request: APIRequest) async throws -> APIResponse {
        let record = try await state.networks.record(request.parameter("name"))
        let post = try request.decode(NetworkPost.self)
        try await state.networks.rename(record.name, to: post.name, requestor: request.requestor)
        return .created(location: "/1.0/networks/\(post.name)")
    }

    func networkDelete(_ request: APIRequest) async throws -> APIResponse {
        try await state.networks.delete(request.parameter("name"), requestor: request.requestor)
        return .emptyObject
    }

    func networkLeasesGet(_ request: APIRequest) async throws -> APIResponse {
        .sync(try await state.networks.leases(request.parameter("name")))
    }

    func networkStateGet(_ request: APIRequest) async throws -> APIResponse {
        .sync(try await state.networks.state(request.parameter("name")))
    }
}
