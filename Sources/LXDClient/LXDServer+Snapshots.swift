import Foundation
import LXDAPI
import LXDCore

/// Instance snapshots, copies and publishing (LXD's `client` calls of the same names).
extension LXDServer {
    static func snapshotPath(_ instance: String, _ snapshot: String) -> String {
        "/1.0/instances/" + escape(instance) + "/snapshots/" + escape(snapshot)
    }

    public func getInstanceSnapshot(_ instance: String, _ snapshot: String) throws -> (snapshot: InstanceSnapshot, raw: Data) {
        let (value, raw) = try query("GET", LXDServer.snapshotPath(instance, snapshot))
        return (try value.decode(InstanceSnapshot.self), raw)
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
