import Foundation
import LXDAPI

/// `/1.0/profiles`. Profile validation of config keys and devices grows with the profiles issue.
struct ProfilesAPI: Sendable {
    let state: DaemonState

    private func api(_ record: ProfileRecord) async throws -> Profile {
        let users = try await state.database.instancesUsingProfile(record.name).map { "/1.0/instances/\($0)" }
        return Profile(name: record.name, put: record.put, usedBy: users)
    }

    /// LXD words a missing profile differently per verb ("Fetch profile: Profile not found" on
    /// GET, "Failed to retrieve profile ..." on PUT, plain on DELETE); so do we.
    private func record(_ request: APIRequest) async throws -> ProfileRecord {
        let name = request.parameter("name")
        guard let record = try await state.database.profile(named: name) else {
            switch request.method {
            case "GET": throw LXDError.notFound("Fetch profile: Profile not found")
            case "PUT", "PATCH": throw LXDError.notFound("Failed to retrieve profile \"\(name)\": Profile not found")
            default: throw LXDError.notFound("Profile not found")
            }
        }
        return record
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
        let post = try request.decode(ProfilesPost.self)
        try Self.validateName(post.name)
        try ConfigValidator.validateProfile(post.put, status: .badRequest)
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
        return .sync(try await api(record), etag: ETag.of(record.put))
    }

    func profilePut(_ request: APIRequest) async throws -> APIResponse {
        let record = try await record(request)
        try request.checkETag(ETag.of(record.put))
        let put = try request.decode(ProfilePut.self)
        try ConfigValidator.validateProfile(put, status: .internalServerError)
        try await state.database.updateProfile(name: record.name, put: put)
        state.events.lifecycle("profile-updated", source: "/1.0/profiles/\(record.name)", requestor: request.requestor)
        return .emptyObject
    }

    func profilePatch(_ request: APIRequest) async throws -> APIResponse {
        let record = try await record(request)
        try request.checkETag(ETag.of(record.put))
        let merged = try JSONValue.from(record.put).merging(try request.decode(JSONValue.self)).decode(ProfilePut.self)
        try ConfigValidator.validateProfile(merged, status: .internalServerError)
        try await state.database.updateProfile(name: record.name, put: merged)
        state.events.lifecycle("profile-updated", source: "/1.0/profiles/\(record.name)", requestor: request.requestor)
        return .emptyObject
    }

    func profilePost(_ request: APIRequest) async throws -> APIResponse {
        let record = try await record(request)
        struct Rename: Decodable { var name: String }
        let rename = try request.decode(Rename.self)
        if record.name == "default" { throw LXDError.forbidden("The \"default\" profile cannot be renamed") }
        try Self.validateName(rename.name)
        if try await state.database.profile(named: rename.name) != nil {
            throw LXDError.conflict("Name \"\(rename.name)\" already in use")
        }
        try await state.database.renameProfile(from: record.name, to: rename.name)
        state.events.lifecycle(
            "profile-renamed", source: "/1.0/profiles/\(rename.name)", context: ["old_name": .string(record.name)],
            requestor: request.requestor)
        return .created(location: "/1.0/profiles/\(rename.name)")
    }

    func profileDelete(_ request: APIRequest) async throws -> APIResponse {
        let record = try await record(request)
        if record.name == "default" { throw LXDError.forbidden("The \"default\" profile cannot be deleted") }
        if !(try await state.database.instancesUsingProfile(record.name)).isEmpty {
            throw LXDError.badRequest("Profile is currently in use")
        }
        try await state.database.deleteProfile(name: record.name)
        state.events.lifecycle("profile-deleted", source: "/1.0/profiles/\(record.name)", requestor: request.requestor)
        return .emptyObject
    }
}
