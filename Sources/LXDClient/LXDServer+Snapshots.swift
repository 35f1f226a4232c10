import Foundation
import LXDAPI
import LXDCore

/// Instance snapshots, copies and publishing (LXD's `client` calls of the same names).
extension LXDServer {
    static func snapshotPath(_ instance: String, _ snapshot: String) -> String {
        "/1.0/instances/" + escape(instance) + "/snapshots/" + escape(snapshot)
    }

    public func getInstanceSnapshot(_ instance: String, _ snapshot: String) throws -> (snapshot: InstanceSnapshot, raw: Data) {
        return try query("GET", LXDServer.snapshotPath(instance, snapshot), as: InstanceSnapshot.self)
    }

    /// `expiresAt`: nil lets the server apply `snapshots.expiry`; Go's zero time means never.
    public func createInstanceSnapshot(_ instance: String, name: String, stateful: Bool, expiresAt: Timestamp?) throws -> RemoteOperation {
        struct Body: Encodable {
            let name: String
            let stateful: Bool
            let expiresAt: Timestamp?
            enum CodingKeys: String, CodingKey {
                case name, stateful
                case expiresAt = "expires_at"
            }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(name, forKey: .name)
                try c.encode(stateful, forKey: .stateful)
                if let expiresAt { try c.encode(expiresAt, forKey: .expiresAt) } else { try c.encodeNil(forKey: .expiresAt) }
            }
        }
        let body = try LXDServer.encode(Body(name: name, stateful: stateful, expiresAt: expiresAt))
        return try queryOperation("POST", "/1.0/instances/" + LXDServer.escape(instance) + "/snapshots", body: body)
    }

    public func deleteInstanceSnapshot(_ instance: String, _ snapshot: String) throws -> RemoteOperation {
        try queryOperation("DELETE", LXDServer.snapshotPath(instance, snapshot), body: nil)
    }

    public func renameInstanceSnapshot(_ instance: String, _ snapshot: String, to newName: String) throws -> RemoteOperation {
        struct Body: Encodable {
            let name: String
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: StringKey.self)
                try c.encode(name, forKey: StringKey("name"))
                try c.encode(false, forKey: StringKey("migration"))
                try c.encodeNil(forKey: StringKey("target"))
            }
        }
        return try queryOperation("POST", LXDServer.snapshotPath(instance, snapshot), body: try LXDServer.encode(Body(name: newName)))
    }

    /// `PUT /1.0/instances/NAME` with `restore: "NAME/SNAP"` and nothing else (as LXD's client).
    public func restoreInstanceSnapshot(_ instance: String, _ snapshot: String, stateful: Bool) throws -> RemoteOperation {
        struct Body: Encodable {
            let restore: String
            let stateful: Bool
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: StringKey.self)
                try c.encode("", forKey: StringKey("architecture"))
                try c.encodeNil(forKey: StringKey("config"))
                try c.encodeNil(forKey: StringKey("devices"))
                try c.encode(false, forKey: StringKey("ephemeral"))
                try c.encodeNil(forKey: StringKey("profiles"))
                try c.encode(restore, forKey: StringKey("restore"))
                try c.encode(stateful, forKey: StringKey("stateful"))
                try c.encode("", forKey: StringKey("description"))
            }
        }
        let body = try LXDServer.encode(Body(restore: snapshot, stateful: stateful))
        return try queryOperation("PUT", "/1.0/instances/" + LXDServer.escape(instance), body: body)
    }
}

/// A JSON key known only at run time.
struct StringKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension LXDServer {
    /// `POST /1.0/images` from an instance or snapshot (`lxc publish`), with LXD's client body.
    public func publishImage(
        source: String, isSnapshot: Bool, properties: [String: String], isPublic: Bool, expiresAt: Timestamp, compression: String
    ) throws -> RemoteOperation {
        struct Body: Encodable {
            let source: String
            let isSnapshot: Bool
            let properties: [String: String]
            let isPublic: Bool
            let expiresAt: Timestamp
            let compression: String
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: StringKey.self)
                try c.encode(false, forKey: StringKey("auto_update"))
                if properties.isEmpty {
                    try c.encodeNil(forKey: StringKey("properties"))
                } else {
                    try c.encode(properties, forKey: StringKey("properties"))
                }
                try c.encode(isPublic, forKey: StringKey("public"))
                try c.encode(expiresAt, forKey: StringKey("expires_at"))
                try c.encodeNil(forKey: StringKey("profiles"))
                try c.encode("", forKey: StringKey("filename"))
                try c.encode(compression, forKey: StringKey("compression_algorithm"))
                try c.encodeNil(forKey: StringKey("aliases"))
                try c.encode(["type": isSnapshot ? "snapshot" : "instance", "name": source], forKey: StringKey("source"))
            }
        }
        let body = Body(
            source: source, isSnapshot: isSnapshot, properties: properties, isPublic: isPublic, expiresAt: expiresAt,
            compression: compression)
        return try queryOperation("POST", "/1.0/images", body: try LXDServer.encode(body))
    }
}

extension LXDServer {
    /// `POST /1.0/instances/NAME` moving it to another pool (LXD's client sets `migration`).
    public func moveInstance(_ name: String, to newName: String, pool: String, instanceOnly: Bool, live: Bool) throws -> RemoteOperation {
        struct Body: Encodable {
            let name: String
            let pool: String
            let instanceOnly: Bool
            let live: Bool
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: StringKey.self)
                try c.encode(name, forKey: StringKey("name"))
                try c.encode(true, forKey: StringKey("migration"))
                try c.encode(live, forKey: StringKey("live"))
                try c.encode(instanceOnly, forKey: StringKey("instance_only"))
                try c.encode(instanceOnly, forKey: StringKey("container_only"))
                try c.encodeNil(forKey: StringKey("target"))
                try c.encode(pool, forKey: StringKey("pool"))
                try c.encode("", forKey: StringKey("project"))
                try c.encode(false, forKey: StringKey("allow_inconsistent"))
            }
        }
        let body = try LXDServer.encode(Body(name: newName, pool: pool, instanceOnly: instanceOnly, live: live))
        return try queryOperation("POST", "/1.0/instances/" + LXDServer.escape(name), body: body)
    }
}
