import Foundation
import LXDAPI
import LXDCore
import LXDHTTP

/// `/1.0/instances/NAME/metadata` and `/metadata/templates` (LXD's instance_metadata.go): an
/// instance's `metadata.yaml` as `api.ImageMetadata`, and its template files by name. As in LXD
/// 5.0.2 the metadata is stored as given (no validation, no ETag check), `POST ?path=` creates or
/// replaces a template, and `PUT` on templates is not implemented.
struct InstanceMetadataAPI: Sendable {
    let state: DaemonState

    private var instances: InstanceManager { state.instances }

    private func event(_ action: String, _ name: String, path: String? = nil) {
        state.events.lifecycle(
            action, source: "/1.0/instances/\(name)", context: path.map { ["path": .string($0)] })
    }

    static func etag(_ metadata: ImageMetadata) -> String {
        SHA256.hex(of: (try? LXDJSON.encode(metadata)) ?? Data())
    }

    func instanceMetadataGet(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        let metadata = try await instances.instanceMetadata(name)
        event("instance-metadata-retrieved", name)
        return .sync(metadata, etag: Self.etag(metadata))
    }

    func instanceMetadataPut(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        let metadata = try request.decode(ImageMetadata.self)
        try await instances.setInstanceMetadata(name, metadata)
        event("instance-metadata-updated", name)
        return .emptyObject
    }

    /// PATCH: the fields the body names replace the stored ones.
    func instanceMetadataPatch(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        var metadata = try await instances.instanceMetadata(name)
        let body = try request.decode(JSONValue.self)
        let patch = try request.decode(ImageMetadata.self)
        if body["architecture"] != nil { metadata.architecture = patch.architecture }
        if body["creation_date"] != nil { metadata.creationDate = patch.creationDate }
        if body["expiry_date"] != nil { metadata.expiryDate = patch.expiryDate }
        if body["properties"] != nil { metadata.properties = patch.properties }
        if body["templates"] != nil { metadata.templates = patch.templates }
        try await instances.setInstanceMetadata(name, metadata)
        event("instance-metadata-updated", name)
        return .emptyObject
    }

    /// Without `path`: the template names. With it: the file, as LXD serves files.
    func instanceMetadataTemplatesGet(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        guard let file = request.query["path"], !file.isEmpty else {
            return .sync(try await instances.instanceTemplates(name))
        }
        let (data, modified) = try await instances.instanceTemplate(name, file)
        event("instance-metadata-template-retrieved", name, path: file)
        return .raw(
            status: 200,
            headers: HTTPHeaders([
                ("Content-Type", "application/octet-stream"), ("Content-Disposition", "inline;filename=\(file)"),
                ("Last-Modified", HTTPDates.http(modified)),
            ]), body: data)
    }

    func instanceMetadataTemplatesPost(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        let file = request.query["path"] ?? ""
        try await instances.writeInstanceTemplate(name, file, request.body)
        event("instance-metadata-template-created", name, path: file)
        return .emptyObject
    }

    func instanceMetadataTemplatesDelete(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        _ = try await instances.record(name)
        let file = request.query["path"] ?? ""
        try await instances.deleteInstanceTemplate(name, file)
        event("instance-metadata-template-deleted", name, path: file)
        return .emptyObject
    }
}
