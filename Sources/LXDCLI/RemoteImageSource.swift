import Foundation
import LXDAPI
import LXDClient

/// The `source` of a create or image copy whose image lives on another server (LXD's
/// `CreateInstanceFromImage` / `CopyImage`): the target daemon pulls it itself, from the
/// addresses the image server listens on, checking the certificate we pinned for it; a private
/// image travels with a one-off secret.
enum RemoteImageSource {
    static func make(_ ctx: CLIContext, remote: String, image: String) throws -> InstanceSource {
        let config = try ctx.clientConfig()
        guard let entry = config.remotes[remote] else { throw LXDError(.notFound, "The remote \"\(remote)\" doesn't exist") }
        var source = InstanceSource()
        source.type = "image"
        source.mode = "pull"
        if entry.protocol == "simplestreams" {
            source.protocol = "simplestreams"
            source.server = entry.addr
            source.alias = image
            source.certificate = (try? String(contentsOfFile: config.serverCertificatePath(remote), encoding: .utf8)) ?? ""
            return source
        }
        let server = try ctx.imageServer(remote: remote)
        var fingerprint = image
        var alias = ""
        if let found = try? server.getImageAlias(image) {
            alias = image
            fingerprint = found.target
        }
        let info = try server.getImage(fingerprint).image
        if !alias.isEmpty && info.isPublic {
            source.alias = alias
        } else {
            source.fingerprint = info.fingerprint
        }
        source.protocol = "lxd"
        source.certificate = try pinnedCertificate(config, remote: remote, server: server)
        if !info.isPublic {
            let operation = try server.createImageSecret(info.fingerprint)
            source.secret = operation.metadata["secret"]?.stringValue ?? ""
        }
        source.server = try address(of: server)
        return source
    }

    /// The certificate the target must see: the one we pinned, else what the server reports.
    static func pinnedCertificate(_ config: ClientConfig, remote: String, server: LXDServer) throws -> String {
        if let pem = try? String(contentsOfFile: config.serverCertificatePath(remote), encoding: .utf8) { return pem }
        return server.server.environment.certificate
    }

    /// Where another server reaches `server`: its HTTPS URL, else the first address it listens on.
    static func address(of server: LXDServer) throws -> String {
        if server.url.hasPrefix("https://") { return server.url }
        guard let first = server.server.environment.addresses.first else {
            throw LXDError(.badRequest, "The source server isn't listening on the network")
        }
        return "https://\(first)"
    }
}
