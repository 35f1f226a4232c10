import Foundation
import LXDAPI
import LXDHTTP

/// An instance's image metadata and template files (`lxc config metadata`, `lxc config template`).
extension LXDServer {
    static func metadataPath(_ instance: String) -> String { "/1.0/instances/" + escape(instance) + "/metadata" }

    static func templatePath(_ instance: String, _ template: String) -> String {
        metadataPath(instance) + "/templates?path=" + queryEscape(template)
    }

    public func getInstanceMetadata(_ instance: String) throws -> (metadata: ImageMetadata, etag: String) {
        let (value, _, etag) = try queryWithETag("GET", Self.metadataPath(instance), as: ImageMetadata.self)
        return (value, etag)
    }

    public func updateInstanceMetadata(_ instance: String, _ metadata: ImageMetadata, etag: String = "") throws {
        _ = try query("PUT", Self.metadataPath(instance), body: try Self.encode(metadata), etag: etag)
    }

    public func getInstanceTemplateFiles(_ instance: String) throws -> [String] {
        try get(Self.metadataPath(instance) + "/templates", as: [String].self)
    }

    /// A template's bytes as the server sends them.
    public func getInstanceTemplateFile(_ instance: String, _ template: String) throws -> Data {
        let response = try rawRequest("GET", Self.templatePath(instance, template), body: nil)
        guard response.status == 200 else {
            _ = try Self.parse(response)
            throw LXDError(HTTPStatus(response.status), "Failed to fetch template \(template)")
        }
        return response.body
    }

    /// Creates or replaces a template (LXD's client POSTs both; `nil` makes an empty file).
    public func setInstanceTemplateFile(_ instance: String, _ template: String, _ content: Data?) throws {
        let response = try rawRequest("POST", Self.templatePath(instance, template), body: content ?? Data())
        _ = try Self.parse(response)
    }

    public func deleteInstanceTemplateFile(_ instance: String, _ template: String) throws {
        _ = try query("DELETE", Self.templatePath(instance, template))
    }

    private func rawRequest(_ method: String, _ path: String, body: Data?) throws -> HTTPResponse {
        var headers = Self.headers(json: false)
        if body != nil { headers["Content-Type"] = "application/octet-stream" }
        do {
            return try http.request(method, path, headers: headers, body: body)
        } catch let error as LXDError {
            throw error
        } catch {
            throw LXDError(.internalServerError, Self.describeConnectError(error, http, path: path))
        }
    }
}
