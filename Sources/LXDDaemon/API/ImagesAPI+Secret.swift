import LXDAPI

extension ImagesAPI {
    /// `POST /1.0/images/FP/secret`: an operation whose metadata carries a secret that lets an
    /// untrusted server download this image once.
    func imageSecretPost(_ request: APIRequest) async throws -> APIResponse {
        let image = try await state.images.resolve(request.parameter("fingerprint"))
        return .async(ImageSecrets.create(for: image, operations: state.operations))
    }
}

extension ImagesAPI {
    /// `POST /1.0/images` with `source.type: image`: pulls the image from another server
    /// (`lxc image copy`), as a regular (not cached) image with the request's public flag,
    /// then adds the requested aliases.
    func pullImage(_ post: ImagesPost, _ request: APIRequest) async throws -> APIResponse {
        guard let postSource = post.source, !postSource.server.isEmpty else {
            throw LXDError.badRequest("Missing source server")
        }
        var source = InstanceSource()
        source.type = "image"
        source.server = postSource.server
        source.protocol = postSource.protocol
        source.certificate = postSource.certificate
        source.secret = postSource.secret
        source.alias = postSource.alias
        source.fingerprint = postSource.fingerprint
        let state = self.state
        let isPublic = post.put.isPublic
        let autoUpdate = post.put.autoUpdate
        let aliases = post.aliases
        let requestor = request.requestor
        let pullSource = source
        let operation = state.operations.run(description: "Downloading image", resources: nil) { operation in
            let image = try await ImageDownload.pull(
                pullSource, state: state, operation: operation, isPublic: isPublic, cached: false, autoUpdate: autoUpdate)
            if isPublic != image.isPublic {
                var put = image.toAPI().writable
                put.isPublic = isPublic
                try await state.database.updateImage(fingerprint: image.fingerprint, put)
            }
            for alias in aliases where try await state.database.imageAlias(named: alias.name) == nil {
                try await state.database.createImageAlias(name: alias.name, fingerprint: image.fingerprint, description: alias.description)
                state.events.lifecycle(
                    "image-alias-created", source: "/1.0/images/aliases/\(alias.name)", context: ["target": .string(image.fingerprint)],
                    requestor: requestor)
            }
            return .object(["fingerprint": .string(image.fingerprint), "size": .string(String(image.size))])
        }
        return .async(operation)
    }
}
