import Foundation
import LXDAPI
import LXDClient
import TLS
import YAML

/// One remote of `config.yml` (LXD's `config.Remote`).
struct RemoteEntry: Sendable, Equatable {
    var addr: String
    var authType = ""
    var domain = ""
    var project = ""
    var `protocol` = ""
    var isPublic = false
    /// From the system-wide config (not saved in the user's file).
    var isGlobal = false
    /// Built in (local, ubuntu, ubuntu-daily): cannot be removed or renamed.
    var isStatic = false
}

/// The client's configuration (`$LXD_CONF` or `~/.config/lxc`): `config.yml` with the default
/// remote, the remotes and command aliases, `client.crt`/`client.key`, and the pinned server
/// certificates in `servercerts/`. Read and written as LXD's client does, so that Debian's
/// `lxc` and ours can share one folder.
struct ClientConfig: Sendable {
    var defaultRemote = "local"
    var remotes: [String: RemoteEntry]
    var aliases: [String: String] = [:]
    let directory: String

    static let localRemote = RemoteEntry(addr: "unix://", isStatic: true)
    static let imagesRemote = RemoteEntry(addr: "https://images.linuxcontainers.org", protocol: "simplestreams", isPublic: true)
    static let staticRemotes: [String: RemoteEntry] = [
        "local": localRemote,
        "ubuntu": RemoteEntry(addr: "https://cloud-images.ubuntu.com/releases", protocol: "simplestreams", isPublic: true, isStatic: true),
        "ubuntu-daily": RemoteEntry(
            addr: "https://cloud-images.ubuntu.com/daily", protocol: "simplestreams", isPublic: true, isStatic: true),
    ]

    /// `$LXD_CONF`, else `$HOME/.config/lxc`.
    static func directory(environment: [String: String]) -> String {
        if let conf = environment["LXD_CONF"], !conf.isEmpty { return conf }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/lxc"
    }

    var path: String { directory + "/config.yml" }

    /// Reads `config.yml` (the defaults when it does not exist), adds the static remotes and
    /// applies `$LXC_REMOTE`.
    static func load(environment: [String: String]) throws -> ClientConfig {
        let directory = directory(environment: environment)
        var config = ClientConfig(remotes: ["images": imagesRemote], directory: directory)
        if let data = FileManager.default.contents(atPath: directory + "/config.yml") {
            let node: YAMLNode
            do {
                node = try YAML.parse(String(decoding: data, as: UTF8.self))
            } catch {
                throw LXDError(.badRequest, "Unable to decode the configuration: \(error)")
            }
            config.remotes = [:]
            config.defaultRemote = node["default-remote"]?.string ?? ""
            for (name, value) in node["remotes"]?.pairs ?? [] {
                var entry = RemoteEntry(
                    addr: value["addr"]?.string ?? "", authType: value["auth_type"]?.string ?? "", domain: value["domain"]?.string ?? "",
                    project: value["project"]?.string ?? "", protocol: value["protocol"]?.string ?? "",
                    isPublic: value["public"]?.bool ?? false)
                if !entry.isPublic && entry.authType.isEmpty { entry.authType = "tls" }
                config.remotes[name] = entry
            }
            for (name, value) in node["aliases"]?.pairs ?? [] { config.aliases[name] = value.string ?? "" }
        }
        for (name, entry) in staticRemotes {
            var entry = entry
            if let project = config.remotes[name]?.project, !project.isEmpty { entry.project = project }
            config.remotes[name] = entry
        }
        if let remote = environment["LXC_REMOTE"], !remote.isEmpty {
            config.defaultRemote = remote
        } else if config.defaultRemote.isEmpty {
            config.defaultRemote = "local"
        }
        return config
    }

    /// Writes `config.yml` as LXD's client does: no static remotes (but the default remote
    /// "local"), no global ones, keys in yaml.v2's order.
    func save() throws {
        var remotePairs: [(key: String, value: YAMLNode)] = []
        for (name, entry) in remotes.sorted(by: { $0.key < $1.key }) {
            if entry.isGlobal { continue }
            if Self.staticRemotes[name] != nil && name != "local" { continue }
            remotePairs.append((key: name, value: Self.yamlNode(entry)))
        }
        let aliasPairs = aliases.sorted { $0.key < $1.key }.map { (key: $0.key, value: YAMLNode.string($0.value)) }
        let document = YAMLNode.mapping([
            (key: "default-remote", value: .string(defaultRemote)),
            (key: "remotes", value: .mapping(remotePairs)),
            (key: "aliases", value: .mapping(aliasPairs)),
        ])
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            try Data(YAML.emit(document).utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw LXDError(.internalServerError, "Unable to create the configuration file: \(error)")
        }
    }

    /// A remote as yaml.v2 writes LXD's `config.Remote` (its yaml tags, empty fields omitted).
    static func yamlNode(_ entry: RemoteEntry) -> YAMLNode {
        var fields: [(key: String, value: YAMLNode)] = [(key: "addr", value: .string(entry.addr))]
        if !entry.authType.isEmpty { fields.append((key: "auth_type", value: .string(entry.authType))) }
        if !entry.domain.isEmpty { fields.append((key: "domain", value: .string(entry.domain))) }
        if !entry.project.isEmpty { fields.append((key: "project", value: .string(entry.project))) }
        if !entry.protocol.isEmpty { fields.append((key: "protocol", value: .string(entry.protocol))) }
        fields.append((key: "public", value: .scalar(entry.isPublic ? "true" : "false", quoted: false)))
        return .mapping(fields)
    }

    /// LXD's `ParseRemote`: `remote:name` when `remote` exists; a name with a colon in a snapshot
    /// part stays on the default remote; an unknown remote is an error.
    func parseRemote(_ argument: String) throws -> (remote: String, name: String) {
        guard let colon = argument.firstIndex(of: ":") else { return (defaultRemote, argument) }
        let remote = String(argument[..<colon])
        let name = String(argument[argument.index(after: colon)...])
        guard remotes[remote] != nil else {
            if argument.contains("/") && remote.contains("/") { return (defaultRemote, argument) }
            throw LXDError(.notFound, "The remote \"\(remote)\" doesn't exist")
        }
        return (remote, name)
    }

    // MARK: Certificates

    var clientCertificatePath: String { directory + "/client.crt" }
    var clientKeyPath: String { directory + "/client.key" }

    func serverCertificatePath(_ remote: String) -> String { directory + "/servercerts/\(remote).crt" }

    var hasClientCertificate: Bool {
        FileManager.default.fileExists(atPath: clientCertificatePath) && FileManager.default.fileExists(atPath: clientKeyPath)
    }

    /// Makes `client.crt`/`client.key` as LXD's client does (ECDSA P-384, clientAuth, CN user@host).
    func generateClientCertificate() throws {
        let (pem, key) = try X509Certificate.generate(purpose: .client, commonName: X509Certificate.defaultCommonName, altNames: nil)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(pem.utf8).write(to: URL(fileURLWithPath: clientCertificatePath))
        guard FileManager.default.createFile(atPath: clientKeyPath, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600])
        else { throw LXDError(.internalServerError, "Could not write the client key \(clientKeyPath)") }
    }

    /// The connection settings for an HTTPS remote: our certificate (when present) and the pinned
    /// server certificate (when present).
    func connectionArgs(_ remote: String) -> TLSConnectionArgs {
        var args = TLSConnectionArgs()
        if hasClientCertificate {
            args.clientCertificatePEM = try? String(contentsOfFile: clientCertificatePath, encoding: .utf8)
            args.clientKeyPEM = try? String(contentsOfFile: clientKeyPath, encoding: .utf8)
        }
        args.serverCertificatePEM = try? String(contentsOfFile: serverCertificatePath(remote), encoding: .utf8)
        return args
    }

    /// Pins `certificate` for `remote` (`servercerts/NAME.crt`).
    func pinServerCertificate(_ certificate: X509Certificate, for remote: String) throws {
        let folder = directory + "/servercerts"
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw LXDError(.internalServerError, "Could not create server cert dir")
        }
        try Data(certificate.pem.utf8).write(to: URL(fileURLWithPath: serverCertificatePath(remote)))
    }
}
