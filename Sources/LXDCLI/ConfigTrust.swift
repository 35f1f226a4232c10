import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import LXDCore
import TLS
import YAML

/// `lxc config trust` (LXD's config_trust.go): the server's trusted certificates and join tokens.
struct ConfigTrustCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "trust", short: "Manage trusted clients")
    }

    var subcommands: [any LXCCommand] {
        [
            ConfigTrustAddCommand(), ConfigTrustEditCommand(), ConfigTrustListCommand(),
            ConfigTrustListTokensCommand(), ConfigTrustRemoveCommand(), ConfigTrustRevokeTokenCommand(), ConfigTrustShowCommand(),
        ]
    }
}

struct ConfigTrustAddCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "add", usage: "[<remote>:] [<cert>]", short: "Add new trusted client",
            long: """
                Add new trusted client

                The following certificate types are supported:
                - client (default)
                - metrics

                If the certificate is omitted, a token will be generated and returned. A client
                providing a valid token will have its client certificate added to the trusted list
                and the consumed token will be invalidated. Similar to certificates, tokens can be
                restricted to one or more projects.
                """,
            flags: [
                Flag("name", .string, usage: "Alternative certificate name"),
                Flag("projects", .string, usage: "List of projects to restrict the certificate to"),
                Flag("restricted", usage: "Restrict the certificate to one or more projects"),
                Flag("type", .string, usage: "Type of certificate (default \"client\")"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 2) else { return }
        let type = args.string("type", default: "client")
        guard ["client", "metrics"].contains(type) else { throw UsageError("Unknown certificate type \"\(type)\"") }
        let server = try ctx.listServer(args.positional.isEmpty ? [] : [args.positional[0]])
        var put = CertificatePut(type: type, restricted: args.bool("restricted"))
        if !args.string("projects").isEmpty { put.projects = args.string("projects").split(separator: ",").map(String.init) }
        let certificateArgument = args.positional.last.flatMap { $0.hasSuffix(":") ? nil : $0 }
        guard let certificateArgument else {
            guard type == "client" else { throw UsageError("Cannot use metrics type certificate when using a token") }
            put.name = args.string("name")
            if put.name.isEmpty {
                ctx.stdout.write("Please provide client name: ")
                put.name = RemoteAddCommand.readLine()
            }
            let operation = try server.createCertificateToken(CertificatesPost(put: put))
            let token = try Self.token(from: operation)
            if !ctx.isQuiet { ctx.print("Client \(put.name) certificate add token:") }
            ctx.print(token.encoded)
            return
        }
        let path = certificateArgument == "-" ? "/dev/stdin" : certificateArgument
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("open \(path): no such file or directory")
        }
        let certificate: X509Certificate
        do {
            certificate = try X509Certificate(pem: String(decoding: data, as: UTF8.self))
        } catch {
            throw UsageError("Invalid certificate file")
        }
        put.certificate = Data(certificate.der).base64EncodedString()
        put.name = args.string("name").isEmpty ? (path as NSString).lastPathComponent : args.string("name")
        try server.createCertificate(CertificatesPost(put: put))
    }

    /// The token an operation of class `token` describes (LXD's `ToCertificateAddToken`).
    static func token(from operation: LXDAPI.Operation) throws -> CertificateAddToken {
        let metadata = operation.metadata
        guard let name = metadata["request"]?["name"]?.stringValue, let secret = metadata["secret"]?.stringValue,
            let fingerprint = metadata["fingerprint"]?.stringValue, let addresses = try? metadata["addresses"]?.decode([String].self)
        else { throw LXDError(.internalServerError, "Failed converting token operation to certificate add token") }
        var token = CertificateAddToken(clientName: name, fingerprint: fingerprint, addresses: addresses, secret: secret)
        if let expiry = metadata["expiresAt"], let time = try? expiry.decode(Timestamp.self) { token.expiresAt = time }
        return token
    }
}

struct ConfigTrustListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", aliases: ["ls"], usage: "[<remote>:]", short: "List trusted clients",
            flags: [Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 1) else { return }
        let format = try ctx.parseFormat(args)
        let (certificates, raw) = try ctx.listServer(args.positional).getCertificates()
        var rows: [[String]] = []
        for entry in certificates {
            guard let parsed = try? X509Certificate(pem: entry.certificate) else { throw UsageError("Invalid certificate") }
            rows.append([
                entry.type, entry.name, parsed.commonName, String(entry.fingerprint.prefix(12)),
                LocalTime.imageDate(Timestamp(seconds: parsed.notBefore)), LocalTime.imageDate(Timestamp(seconds: parsed.notAfter)),
            ])
        }
        ctx.renderList(
            format, header: ["TYPE", "NAME", "COMMON NAME", "FINGERPRINT", "ISSUE DATE", "EXPIRY DATE"], rows: sortRowsNaturally(rows),
            raw: OrderedJSON.parseOrNull(raw))
    }
}

struct ConfigTrustListTokensCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list-tokens", usage: "[<remote>:]", short: "List all active certificate add tokens",
            flags: [Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 1) else { return }
        let format = try ctx.parseFormat(args)
        let tokens = try Self.tokens(ctx.listServer(args.positional))
        let rows = tokens.map { _, token in
            [token.clientName, token.encoded, token.expiresAt.seconds > 0 ? LocalTime.shortDate(token.expiresAt) : ""]
        }
        let raw = OrderedJSON.array(
            tokens.map { _, token in
                .object([
                    (key: "ClientName", value: .string(token.clientName)), (key: "Token", value: .string(token.encoded)),
                    (key: "ExpiresAt", value: .string(token.expiresAt.seconds > 0 ? LocalTime.shortDate(token.expiresAt) : "")),
                ])
            })
        ctx.renderList(format, header: ["NAME", "TOKEN", "EXPIRES AT"], rows: rows, raw: raw)
    }

    /// The running token operations with their tokens.
    static func tokens(_ server: LXDServer) throws -> [(operation: LXDAPI.Operation, token: CertificateAddToken)] {
        let groups = try server.getOperations().operations
        return (groups["running"] ?? []).compactMap { operation in
            guard operation.operationClass == "token", let token = try? ConfigTrustAddCommand.token(from: operation) else { return nil }
            return (operation, token)
        }
    }
}

struct ConfigTrustRemoveCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "remove", aliases: ["rm"], usage: "[<remote>:]<fingerprint>", short: "Remove trusted client")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        try server.deleteCertificate(args.positional.count == 2 ? args.positional[1] : name)
    }
}

struct ConfigTrustRevokeTokenCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "revoke-token", usage: "[<remote>:] <name>", short: "Revoke certificate add token")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        let (remote, first) = try ctx.resolveRemote(args.positional[0])
        let name = args.positional.count == 2 ? args.positional[1] : first
        let server = try ctx.server(remote: remote)
        for (operation, token) in try ConfigTrustListTokensCommand.tokens(server) where token.clientName == name {
            try server.deleteOperation(operation.id)
            if !ctx.isQuiet { ctx.print("Certificate add token for \(name) deleted") }
            return
        }
        throw UsageError("No certificate add token for member \(name) on remote: \(remote)")
    }
}

struct ConfigTrustShowCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "show", usage: "[<remote>:]<fingerprint>", short: "Show trust configurations")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, fingerprint) = try ctx.resolve(args.positional[0])
        guard !fingerprint.isEmpty else { throw UsageError("Missing certificate fingerprint") }
        ctx.stdout.write(Self.yaml(try server.getCertificate(fingerprint).certificate))
    }

    /// A certificate as LXD's client marshals it (`show`, and `edit` under its header).
    static func yaml(_ certificate: Certificate) -> String {
        YAML.emit(
            YAMLNode.mapping([
                (key: "name", value: .string(certificate.name)), (key: "type", value: .string(certificate.type)),
                (key: "restricted", value: .scalar(certificate.restricted ? "true" : "false", quoted: false)),
                (key: "projects", value: .sequence(certificate.projects.map { .string($0) })),
                (key: "certificate", value: .string(certificate.certificate)),
                (key: "fingerprint", value: .string(certificate.fingerprint)),
            ]))
    }
}

struct ConfigTrustEditCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "edit", usage: "[<remote>:]<fingerprint>", short: "Edit trust configurations as YAML")
    }

    /// The commented header LXD's client puts above a certificate in the editor.
    static let header = """
        ### This is a YAML representation of the certificate.
        ### Any line starting with a '# will be ignored.
        ###
        ### Note that the fingerprint is shown but cannot be changed
        """

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, fingerprint) = try ctx.resolve(args.positional[0])
        guard !fingerprint.isEmpty else { throw UsageError("Missing certificate fingerprint") }
        let path = "/1.0/certificates/" + LXDServer.escape(fingerprint)
        try YAMLEditor(ctx: ctx).run(header: Self.header) {
            let (raw, etag) = try server.getRawWithETag(path)
            let certificate = try JSONDecoder().decode(Certificate.self, from: raw)
            return (ConfigTrustShowCommand.yaml(certificate), etag)
        } apply: { text, etag in
            _ = try server.query("PUT", path, body: try LXDServer.encode(try YAMLUnmarshaler.certificatePut(text)), etag: etag)
        }
    }
}
