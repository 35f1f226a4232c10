import LXDAPI

extension ImagesAPI {
    /// `POST /1.0/images/FP/secret`: an operation whose metadata carries a secret that lets an
    /// untrusted server download this image once.
    func imageSecretPost(_ request: APIRequest) async throws -> APIResponse {
        let image = try await state.images.resolve(request.parameter("fingerprint"))
        return .async(ImageSecrets.create(for: image, operations: state.operations))
    }
}
