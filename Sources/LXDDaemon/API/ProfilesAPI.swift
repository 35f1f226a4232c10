import Foundation
import LXDAPI
import LXDCore

/// `/1.0/profiles`, with LXD 5.0.2's statuses and messages. Config keys and device settings are
/// checked by `ConfigValidator`; what is profile-specific lives here: names, `default`, profiles in use, the root disk rule, ETags, and
/// re-applying a changed profile to the instances that use it.
struct ProfilesAPI: Sendable {
    let state: DaemonState

    private func api(_ record: ProfileRecord) async throws -> Profile {
        let users = try await state.database.instancesUsingProfile(record.name).map { "/1.0/instances/\($0)" }
        return Profile(name: record.name, put: record.put, usedBy: users)
    }

    /// LXD words a missing profile differently per verb ("Fetch profile: Profile not found" on
    /// GET, "Failed to retrieve profile ..." on PUT and PATCH, plain on DELETE); so do we.
    private func record(_ request: APIRequest) async throws -> ProfileRecord {
        let name = request.parameter("name")
        guard let record = try await state.database.profile(named: name) else {
            switch request.method {
            case "GET": throw LXDError.notFound("Fetch profile: Profile not found")
            case "PUT": throw LXDError.notFound("Failed to retrieve profile \"\(name)\": Profile not found")
            case "PATCH": throw LXDError.notFound("Failed to retrieve profile=\"\(name)\": Profile not found")
            default: throw LXDError.notFound("Profile not found")
            }
        }
        return record
    }

    /// LXD's profile ETag: the SHA-256 of Go's JSON encoding of `[config, description, devices]`.
    static func etag(_ put: ProfilePut) -> String {
        guard let config = try? LXDJSON.encode(put.config), let devices = try? LXDJSON.encode(put.devices),
            let description = try? LXDJSON.encode(put.description)
        else { return "" }
        var json = "[" + String(decoding: config, as: UTF8.self) + "," + String(decoding: description, as: UTF8.self) + ","
        json += String(decoding: devices, as: UTF8.self) + "]\n"
        // Go's encoder escapes these for HTML safety.
        json = json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
        return SHA256.hex(of: Data(json.utf8))
    }

    /// LXD stores no empty values: a key set to "" is a key removed (how `unset` works).
    static func withoutEmptyValues(_ put: ProfilePut) -> ProfilePut {
        var put = put
        put.config = put.config.filter { !$0.value.isEmpty }
        put.devices = put.devices.mapValues { $0.filter { !$0.value.isEmpty } }
        return put
    }

    func profilesGet(_ request: APIRequest) async throws -> APIResponse {
        let records = try await state.database.profiles()
        if request.recursion > 0 {
            var profiles: [Profile] = []
            for record in records { profiles.append(try await api(record)) }
            return .sync(profiles)
        }
        return .sync(records.map { "/1.0/profiles/\($0.name)" })
    }

    func profilesPost(_ request: APIRequest) async throws -> APIResponse {
        var post = try request.decode(ProfilesPost.self)
        post.put = Self.withoutEmptyValues(post.put)
        try Self.validateName(post.name)
        try ConfigValidator.validateProfile(post.put, status: .badRequest)
        try NICDevice.validateProfile(post.put.devices, networks: try await state.database.networks(), status: .badRequest)
        try await state.database.createProfile(name: post.name, put: post.put)
        state.events.lifecycle("profile-created", source: "/1.0/profiles/\(post.name)", requestor: request.requestor)
        return .created(location: "/1.0/profiles/\(post.name)")
    }

    static func validateName(_ name: String) throws {
        guard !name.isEmpty else { throw LXDError.badRequest("No name provided") }
        guard !name.contains("/") else { throw LXDError.badRequest("Profile names may not contain slashes") }
        guard name != "." && name != ".." else { throw LXDError.badRequest("Invalid profile name \"\(name)\"") }
    }

    func profileGet(_ request: APIRequest) async throws -> APIResponse {
        let record = try await record(request)
        return .sync(try await api(record), etag: Self.etag(record.put))
    }

    func profilePut(_ request: APIRequest) async throws -> APIResponse {
        let record = try await record(request)
        try request.checkETag(Self.etag(record.put))
        let put = try request.decode(ProfilePut.self)
        try await update(record, to: put, request)
        return .emptyObject
    }

    /// PATCH merges as LXD: a missing `description` keeps the old one, `config` and `devices`
    /// keep the old entries the request does not name.
    func profilePatch(_ request: APIRequest) async throws -> APIResponse {
        let record = try await record(request)
        try request.checkETag(Self.etag(record.put))
        let patch = try request.decode(JSONValue.self)
        var put = try request.decode(ProfilePut.self)
        if patch["description"]?.stringValue == nil { put.description = record.put.description }
        put.config.merge(record.put.config) { new, _ in new }
        put.devices.merge(record.put.devices) { new, _ in new }
        try await update(record, to: put, request)
        return .emptyObject
    }

    /// Saves the new profile, then re-applies it to every instance using it. As LXD 5.0.2, the
    /// profile stays saved when an instance cannot take it, and the failures are listed.
    private func update(_ record: ProfileRecord, to put: ProfilePut, _ request: APIRequest) async throws {
        let put = Self.withoutEmptyValues(put)
        try ConfigValidator.validateProfile(put, status: .internalServerError)
        try NICDevice.validateProfile(put.devices, networks: try await state.database.networks(), status: .internalServerError)
        let users = try await state.instances.expandedUsing(profile: record.name)
        try await checkRootDisk(record, put, users: users.map(\.name))
        try await state.database.updateProfile(name: record.name, put: put)
        state.events.lifecycle("profile-updated", source: "/1.0/profiles/\(record.name)", requestor: request.requestor)
        var failures: [String] = []
        for user in users {
            do {
                try await state.instances.applyProfileChange(user.name, previous: user.expanded, requestor: request.requestor)
            } catch {
                failures.append(" - Project: default, Instance: \(user.name): \(LXDError(mapping: error).message)\n")
            }
        }
        if !failures.isEmpty {
            throw LXDError.internalError("The following instances failed to update (profile change still saved):\n" + failures.joined())
        }
    }

    /// A profile may not lose (or move) the root disk an instance gets from it.
    private func checkRootDisk(_ record: ProfileRecord, _ put: ProfilePut, users: [String]) async throws {
        guard let (oldKey, oldRoot) = Self.rootDisk(record.put.devices) else { return }
        let newPool = Self.rootDisk(put.devices)?.device["pool"] ?? ""
        guard !(oldRoot["pool"] ?? "").isEmpty, oldRoot["pool"] != newPool else { return }
        for name in users {
            guard let instance = try await state.database.instance(named: name) else { continue }
            if let own = Self.rootDisk(instance.devices), !(own.device["pool"] ?? "").isEmpty { continue }
            // The last profile that has a device of that name provides the root disk.
            for profile in try await state.database.profiles(named: instance.profiles).reversed() where profile.put.devices[oldKey] != nil {
                if profile.name == record.name {
                    throw LXDError.internalError("At least one instance relies on this profile's root disk device")
                }
                break
            }
        }
    }

    /// The disk device mounted at `/`.
    static func rootDisk(_ devices: Devices) -> (name: String, device: [String: String])? {
        devices.sorted { $0.key < $1.key }.first { $0.value["type"] == "disk" && $0.value["path"] == "/" }.map { ($0.key, $0.value) }
    }

    func profilePost(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        if name == "default" { throw LXDError.forbidden("The \"default\" profile cannot be renamed") }
        struct Rename: Decodable { var name: String = "" }
        let rename = try request.decode(Rename.self)
        try Self.validateName(rename.name)
        if try await state.database.profile(named: rename.name) != nil {
            throw LXDError.internalError("Name \"\(rename.name)\" already in use")
        }
        // LXD renames without looking the profile up first: a missing one is a row not updated.
        guard try await state.database.profile(named: name) != nil else {
            throw LXDError.internalError("Query affected 0 rows instead of 1")
        }
        try await state.database.renameProfile(from: name, to: rename.name)
        state.events.lifecycle(
            "profile-renamed", source: "/1.0/profiles/\(rename.name)", context: ["old_name": .string(name)], requestor: request.requestor)
        return .created(location: "/1.0/profiles/\(rename.name)")
    }

    func profileDelete(_ request: APIRequest) async throws -> APIResponse {
        let record = try await record(request)
        if record.name == "default" { throw LXDError.forbidden("The \"default\" profile cannot be deleted") }
        if !(try await state.database.instancesUsingProfile(record.name)).isEmpty {
            throw LXDError.internalError("Profile is currently in use")
        }
        try await state.database.deleteProfile(name: record.name)
        state.events.lifecycle("profile-deleted", source: "/1.0/profiles/\(record.name)", requestor: request.requestor)
        return .emptyObject
    }
}
