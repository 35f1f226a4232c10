import Foundation
import LXDAPI
import LXDHTTP

/// Profiles, instance configuration and the server's own configuration: the read-modify-write
/// calls `lxc profile` and `lxc config` make. Reads return the ETag so that the write can send it
/// back as `If-Match`, as LXD's client does.
extension LXDServer {
    /// One sync request; returns the metadata as `T`, its raw bytes (server key order) and the ETag.
    func queryWithETag<T: Decodable>(_ method: String, _ path: String, as type: T.Type) throws -> (value: T, raw: Data, etag: String) {
        let response = try LXDServer.send(http, method, path, body: nil)
        let value = try LXDServer.metadata(type, of: response)
        let etag = (response.headers["ETag"] ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return (value, try LXDServer.rawMetadata(response.body), etag)
    }

    /// A GET's raw metadata (server key order) and ETag, for an `edit` that writes it back.
    public func getRawWithETag(_ path: String) throws -> (raw: Data, etag: String) {
        let (_, raw, etag) = try queryWithETag("GET", path, as: JSONValue.self)
        return (raw, etag)
    }

    // MARK: Profiles

    public func getProfiles() throws -> (profiles: [Profile], raw: Data) {
        let (value, raw, _) = try queryWithETag("GET", "/1.0/profiles?recursion=1", as: [Profile].self)
        return (value, raw)
    }

    public func getProfile(_ name: String) throws -> (profile: Profile, etag: String, raw: Data) {
        let (value, raw, etag) = try queryWithETag("GET", "/1.0/profiles/" + LXDServer.escape(name), as: Profile.self)
        return (value, etag, raw)
    }

    public func createProfile(_ post: ProfilesPost) throws {
        _ = try query("POST", "/1.0/profiles", body: try LXDServer.encode(post))
    }

    public func updateProfile(_ name: String, _ put: ProfilePut, etag: String = "") throws {
        _ = try query("PUT", "/1.0/profiles/" + LXDServer.escape(name), body: try LXDServer.encode(put), etag: etag)
    }

    public func renameProfile(_ name: String, to newName: String) throws {
        struct ProfilePost: Encodable { var name: String }
        _ = try query("POST", "/1.0/profiles/" + LXDServer.escape(name), body: try LXDServer.encode(ProfilePost(name: newName)))
    }

    public func deleteProfile(_ name: String) throws {
        _ = try query("DELETE", "/1.0/profiles/" + LXDServer.escape(name))
    }

    // MARK: Instance configuration

    /// The instance and its ETag (for `If-Match` on the update).
    public func getInstanceWithETag(_ name: String) throws -> (instance: Instance, etag: String, raw: Data) {
        let (value, raw, etag) = try queryWithETag("GET", "/1.0/instances/" + LXDServer.escape(name), as: Instance.self)
        return (value, etag, raw)
    }

    public func updateInstance(_ name: String, _ put: InstancePut, etag: String = "") throws -> RemoteOperation {
        try queryOperation("PUT", "/1.0/instances/" + LXDServer.escape(name), body: try LXDServer.encode(put), etag: etag)
    }

    /// A snapshot as the server sent it (raw metadata, server key order) and its ETag.
    public func getInstanceSnapshotRaw(_ name: String, _ snapshot: String) throws -> (raw: Data, etag: String) {
        let path = "/1.0/instances/\(LXDServer.escape(name))/snapshots/\(LXDServer.escape(snapshot))"
        let (_, raw, etag) = try queryWithETag("GET", path, as: JSONValue.self)
        return (raw, etag)
    }

    public func updateInstanceSnapshot(_ name: String, _ snapshot: String, expiresAt: Timestamp?, etag: String = "") throws
        -> RemoteOperation
    {
        struct SnapshotPut: Encodable {
            var expiresAt: Timestamp?
            enum CodingKeys: String, CodingKey { case expiresAt = "expires_at" }
        }
        let path = "/1.0/instances/\(LXDServer.escape(name))/snapshots/\(LXDServer.escape(snapshot))"
        return try queryOperation("PUT", path, body: try LXDServer.encode(SnapshotPut(expiresAt: expiresAt)), etag: etag)
    }

    // MARK: Server configuration

    /// `GET /1.0` again, with its ETag (the connection's first GET is kept for `server`).
    public func getServerWithETag() throws -> (server: Server, etag: String, raw: Data) {
        let (value, raw, etag) = try queryWithETag("GET", "/1.0", as: Server.self)
        return (value, etag, raw)
    }

    /// `PUT /1.0` with the server's writable fields (only `config`).
    public func updateServer(config: [String: String], etag: String = "") throws {
        struct ServerPut: Encodable { var config: [String: String] }
        _ = try query("PUT", "/1.0", body: try LXDServer.encode(ServerPut(config: config)), etag: etag)
    }
}
