import Foundation
import LXDAPI
import LXDHTTP

extension LXDServer {
    /// `POST /1.0/instances/NAME` with `migration: true`: this server becomes the migration
    /// source; the operation's metadata holds the websocket secrets (pull mode), or the server
    /// connects to `target` itself (push mode).
    public func migrateInstance(_ name: String, live: Bool, instanceOnly: Bool, target: InstancePostTarget? = nil) throws -> RemoteOperation
    {
        var body: [String: JSONValue] = [
            "name": .string(name), "migration": .bool(true), "live": .bool(live), "instance_only": .bool(instanceOnly),
            "container_only": .bool(instanceOnly), "pool": .string(""), "project": .string(""), "allow_inconsistent": .bool(false),
        ]
        if let target {
            body["target"] = .object([
                "certificate": .string(target.certificate), "operation": .string(target.operation),
                "secrets": .object(target.websockets.mapValues { .string($0) }),
            ])
        }
        return try queryOperation("POST", "/1.0/instances/" + LXDServer.escape(name), body: try LXDServer.encode(JSONValue.object(body)))
    }

    /// A snapshot offered as an instance of its own (`lxc copy c1/snap0 host2:c2`).
    public func migrateInstanceSnapshot(_ name: String, snapshot: String, target: InstancePostTarget? = nil) throws -> RemoteOperation {
        var body: [String: JSONValue] = ["name": .string(snapshot), "migration": .bool(true), "live": .bool(false)]
        if let target {
            body["target"] = .object([
                "certificate": .string(target.certificate), "operation": .string(target.operation),
                "secrets": .object(target.websockets.mapValues { .string($0) }),
            ])
        }
        return try queryOperation(
            "POST", "/1.0/instances/\(LXDServer.escape(name))/snapshots/\(LXDServer.escape(snapshot))",
            body: try LXDServer.encode(JSONValue.object(body)))
    }

    /// Where another server reaches this one: its https URL, else the first address it listens on.
    public func networkURL() throws -> String {
        if url.hasPrefix("https://") { return url }
        guard let first = server.environment.addresses.first else {
            throw LXDError(.badRequest, "The source server isn't listening on the network")
        }
        return "https://\(first)"
    }

    /// Cancels (deletes) an operation, ignoring one already gone.
    public func cancelOperation(_ id: String) {
        _ = try? query("DELETE", "/1.0/operations/" + LXDServer.escape(id))
    }
}
