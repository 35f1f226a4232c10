import Foundation
import LXDAPI

/// `/1.0/images/aliases`.
struct ImageAliasesAPI: Sendable {
    let state: DaemonState

    func aliasesGet(_ request: APIRequest) async throws -> APIResponse {
        var aliases = try await state.database.imageAliases()
        if !request.trust.isTrusted {
            let visible = Set(try await state.database.images().filter(\.isPublic).map(\.fingerprint))
            aliases = aliases.filter { visible.contains($0.target) }
        }
        if request.recursion > 0 { return .sync(aliases) }
        return .sync(aliases.map { "/1.0/images/aliases/\(Self.escape($0.name))" })
    }

    func aliasesPost(_ request: APIRequest) async throws -> APIResponse {
        let post = try request.decode(ImageAliasesEntry.self)
        guard !post.name.isEmpty else { throw LXDError.badRequest("Alias name missing") }
        guard !post.name.contains("/") || !post.name.hasPrefix("/") else { throw LXDError.badRequest("Invalid alias name") }
        let image = try await state.images.resolve(post.target)
        try await state.database.createImageAlias(name: post.name, fingerprint: image.fingerprint, description: post.description)
        state.events.lifecycle(
            "image-alias-created", source: "/1.0/images/aliases/\(post.name)", context: ["target": .string(image.fingerprint)],
            requestor: request.requestor)
        return .created(location: "/1.0/images/aliases/\(Self.escape(post.name))")
    }

    private func alias(_ request: APIRequest) async throws -> ImageAliasesEntry {
        guard let alias = try await state.database.imageAlias(named: request.parameter("name")) else {
            throw LXDError.notFound("Image alias not found")
        }
        if !request.trust.isTrusted, (try? await state.images.resolve(alias.target))?.isPublic != true {
            throw LXDError.notFound("Image alias not found")
        }
        return alias
    }

    func aliasGet(_ request: APIRequest) async throws -> APIResponse {
        let alias = try await alias(request)
        return .sync(alias, etag: ETag.of(ImageAliasesEntryPut(description: alias.description, target: alias.target)))
    }

    func aliasPut(_ request: APIRequest) async throws -> APIResponse {
        let alias = try await alias(request)
        try request.checkETag(ETag.of(ImageAliasesEntryPut(description: alias.description, target: alias.target)))
        let put = try request.decode(ImageAliasesEntryPut.self)
        let image = try await state.images.resolve(put.target)
        try await state.database.updateImageAlias(name: alias.name, fingerprint: image.fingerprint, description: put.description)
        state.events.lifecycle("image-alias-updated", source: "/1.0/images/aliases/\(alias.name)", requestor: request.requestor)
        return .emptyObject
    }

    func aliasPatch(_ request: APIRequest) async throws -> APIResponse {
        let alias = try await alias(request)
        let current = ImageAliasesEntryPut(description: alias.description, target: alias.target)
        try request.checkETag(ETag.of(current))
        let merged = try JSONValue.from(current).merging(try request.decode(JSONValue.self)).decode(ImageAliasesEntryPut.self)
        let image = try await state.images.resolve(merged.target)
        try await state.database.updateImageAlias(name: alias.name, fingerprint: image.fingerprint, description: merged.description)
        return .emptyObject
    }

    func aliasPost(_ request: APIRequest) async throws -> APIResponse {
        let alias = try await alias(request)
        let post = try request.decode(ImageAliasesEntryPost.self)
        guard !post.name.isEmpty else { throw LXDError.badRequest("Alias name missing") }
        try await state.database.renameImageAlias(from: alias.name, to: post.name)
        state.events.lifecycle(
            "image-alias-renamed", source: "/1.0/images/aliases/\(post.name)", context: ["old_name": .string(alias.name)],
            requestor: request.requestor)
        return .created(location: "/1.0/images/aliases/\(Self.escape(post.name))")
    }

    func aliasDelete(_ request: APIRequest) async throws -> APIResponse {
        let alias = try await alias(request)
        try await state.database.deleteImageAlias(name: alias.name)
        state.events.lifecycle("image-alias-deleted", source: "/1.0/images/aliases/\(alias.name)", requestor: request.requestor)
        return .emptyObject
    }

    static func escape(_ name: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }
}
