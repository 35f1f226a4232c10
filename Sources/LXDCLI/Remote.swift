import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import TLS
import YAML

/// `lxc remote` (LXD's remote.go): the remotes of the client configuration.
struct RemoteCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "remote", short: "Manage the list of remote servers")
    }

    var subcommands: [any LXCCommand] {
        [
            RemoteAddCommand(), RemoteGetDefaultCommand(), RemoteListCommand(), RemoteRenameCommand(), RemoteRemoveCommand(),
            RemoteSetURLCommand(), RemoteSwitchCommand(),
        ]
    }
}

struct RemoteAddCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "add", usage: "[<remote>] <IP|FQDN|URL|token>", short: "Add new remote servers",
            long: """
                Add new remote servers

                URL for remote resources must be HTTPS (https://).

                Basic authentication can be used when combined with the "simplestreams" protocol:
                  lxc remote add some-name https://LOGIN:PASSWORD@example.com/some/path --protocol=simplestreams
                """,
            flags: [
                Flag("accept-certificate", usage: "Accept certificate"),
                Flag("auth-type", .string, usage: "Server authentication type (tls or candid)"),
                Flag("domain", .string, usage: "Candid domain to use"),
                Flag("password", .string, usage: "Remote admin password"),
                Flag("project", .string, usage: "Project to use for the remote"),
                Flag("protocol", .string, usage: "Server protocol (lxd or simplestreams)"),
                Flag("public", usage: "Public image server"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        var config = try ctx.clientConfig()
        let name = args.positional[0]
        let address = args.positional.count > 1 ? args.positional[1] : args.positional[0]
        guard !name.contains(":") else { throw UsageError("Remote names may not contain colons") }
        if let existing = config.remotes[name] { throw UsageError("Remote \(name) exists as <\(existing.addr)>") }
        var protocolName = args.string("protocol")
        if protocolName.isEmpty { protocolName = "lxd" }
        let authType = args.string("auth-type")
        guard authType.isEmpty || authType == "tls" else { throw UsageError("Authentication type '\(authType)' not supported by server") }

        if case .success(let token)? = CertificateAddToken.decode(address) {
            try addFromToken(ctx, &config, name: name, token: token, encoded: address, protocolName: protocolName)
            return
        }
        if case .failure(let error)? = CertificateAddToken.decode(address) { throw error }

        if protocolName == "simplestreams" {
            guard address.hasPrefix("https://") else { throw UsageError("Only https URLs are supported for simplestreams") }
            config.remotes[name] = RemoteEntry(addr: address, protocol: "simplestreams", isPublic: true)
            try ctx.saveClientConfig(config)
            return
        }
        guard protocolName == "lxd" else { throw UsageError("Invalid protocol: \(protocolName)") }
        let url = try Self.normalise(address)
        let isPublic = args.bool("public")
        if url.hasPrefix("unix:") {
            config.remotes[name] = RemoteEntry(addr: url, authType: "tls", protocol: "lxd")
            try ctx.saveClientConfig(config)
            return
        }
        if !isPublic && !config.hasClientCertificate {
            ctx.stderr.write("Generating a client certificate. This may take a minute...\n")
            try config.generateClientCertificate()
        }
        // We pin the server's own certificate: fetch it, have it accepted, store it.
        let certificate = try LXDServer.remoteCertificate(url: url)
        if !args.bool("accept-certificate") {
            ctx.print("Certificate fingerprint: \(certificate.fingerprint)")
            ctx.stdout.write("ok (y/n/[fingerprint])? ")
            let line = Self.readLine()
            if line != certificate.fingerprint {
                if line.isEmpty || line.lowercased().hasPrefix("n") { throw UsageError("Server certificate NACKed by user") }
                if !line.lowercased().hasPrefix("y") { throw UsageError("Please type 'y', 'n' or the fingerprint:") }
            }
        }
        try config.pinServerCertificate(certificate, for: name)
        config.remotes[name] = RemoteEntry(addr: url, protocol: "lxd")
        var args0 = config.connectionArgs(name)
        if isPublic {
            args0.clientCertificatePEM = nil
            args0.clientKeyPEM = nil
        }
        var server = try LXDServer.connect(url: url, args: args0)
        if isPublic || server.server.isPublic {
            config.remotes[name] = RemoteEntry(addr: url, isPublic: true)
            try ctx.saveClientConfig(config)
            return
        }
        if !server.isTrusted {
            var password = args.string("password")
            if password.isEmpty {
                ctx.stdout.write("Admin password (or token) for \(name): ")
                password = Self.readLine()
                ctx.print("")
            }
            try server.createCertificate(CertificatesPost(put: CertificatePut(type: "client"), password: password))
            server = try LXDServer.connect(url: url, args: args0)
            guard server.isTrusted else { throw UsageError("Server doesn't trust us after authentication") }
            ctx.print("Client certificate now trusted by server: \(name)")
        }
        config.remotes[name] = RemoteEntry(
            addr: url, authType: "tls", project: try Self.project(server, args.string("project")), protocol: "lxd")
        try ctx.saveClientConfig(config)
    }

    /// `lxc remote add NAME TOKEN`: the token names the server's addresses and fingerprint.
    private func addFromToken(
        _ ctx: CLIContext, _ config: inout ClientConfig, name: String, token: CertificateAddToken, encoded: String, protocolName: String
    ) throws {
        if !config.hasClientCertificate {
            ctx.stderr.write("Generating a client certificate. This may take a minute...\n")
            try config.generateClientCertificate()
        }
        for address in token.addresses {
            let url = "https://\(address)"
            let certificate: X509Certificate
            do {
                certificate = try LXDServer.remoteCertificate(url: url)
            } catch {
                continue  // the next address, as LXD's client does for an unavailable one
            }
            guard certificate.fingerprint == token.fingerprint else {
                throw UsageError("Certificate fingerprint mismatch between certificate token and server \"\(url)\"")
            }
            try config.pinServerCertificate(certificate, for: name)
            config.remotes[name] = RemoteEntry(addr: url, protocol: protocolName)
            let server: LXDServer
            do {
                server = try LXDServer.connect(url: url, args: config.connectionArgs(name))
            } catch let error as LXDError {
                throw LXDError(.serviceUnavailable, "Unavailable remote server: \(error.message)")
            }
            do {
                try server.createCertificate(CertificatesPost(password: encoded))
            } catch let error as LXDError {
                throw LXDError(error.status, "Failed to create certificate: \(error.message)")
            }
            let trusted = try LXDServer.connect(url: url, args: config.connectionArgs(name))
            config.remotes[name] = RemoteEntry(addr: url, authType: "tls", project: try Self.project(trusted, ""), protocol: protocolName)
            try ctx.saveClientConfig(config)
            return
        }
        ctx.print("All server addresses are unavailable")
        ctx.stdout.write("Please provide an alternate server address (empty to abort): ")
        throw UsageError("Failed to add remote")
    }

    /// LXD's choice of project: the one asked for, else the only one visible, else none.
    static func project(_ server: LXDServer, _ requested: String) throws -> String {
        if !requested.isEmpty {
            _ = try server.get("/1.0/projects/" + LXDServer.escape(requested), as: Project.self)
            return requested
        }
        guard server.hasExtension("projects") else { return "" }
        let names = try server.getProjectNames()
        if names.count == 1 { return names[0] }
        return ""
    }

    /// LXD's address forms ("host", "host:port", "[v6]:port", "https://host", "unix:/path", "/path")
    /// as the URL it stores.
    static func normalise(_ address: String) throws -> String {
        if address.hasPrefix("unix:") { return address }
        if address.hasPrefix("/") { return "unix://" + address }
        var rest = address
        if let range = address.range(of: "://") {
            let scheme = String(address[..<range.lowerBound])
            guard scheme == "https" else { throw UsageError("Invalid URL scheme \"\(scheme)\" in \"\(address)\"") }
            rest = String(address[range.upperBound...])
        }
        if let slash = rest.firstIndex(of: "/") { rest = String(rest[..<slash]) }
        guard let (host, port) = LXDServer.hostAndPort(ofURL: rest) else { throw UsageError("Invalid URL \"\(address)\"") }
        return "https://" + (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
    }

    static func readLine() -> String {
        (Swift.readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)
    }
}

struct RemoteGetDefaultCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "get-default", short: "Show the default remote") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 0) else { return }
        ctx.print(try ctx.clientConfig().defaultRemote)
    }
}

struct RemoteListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", aliases: ["ls"], short: "List the available remotes",
            flags: [Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 0) else { return }
        let format = try ctx.parseFormat(args)
        let config = try ctx.clientConfig()
        var rows: [[String]] = []
        for (name, remote) in config.remotes {
            let protocolName = remote.protocol.isEmpty ? "lxd" : remote.protocol
            var authType = remote.authType
            if authType.isEmpty {
                authType = remote.addr.hasPrefix("unix:") ? "file access" : protocolName == "simplestreams" ? "none" : "tls"
            }
            rows.append([
                name == config.defaultRemote ? "\(name) (current)" : name, remote.addr, protocolName, authType,
                remote.isPublic ? "YES" : "NO",
                remote.isStatic ? "YES" : "NO", remote.isGlobal ? "YES" : "NO",
            ])
        }
        if format == .yaml {
            ctx.stdout.write(
                YAML.emit(.mapping(config.remotes.sorted { $0.key < $1.key }.map { (key: $0.key, value: ClientConfig.yamlNode($0.value)) }))
            )
            return
        }
        let raw = OrderedJSON.object(
            config.remotes.sorted { $0.key < $1.key }.map { name, remote in
                (
                    key: name,
                    value: .object([
                        (key: "Addr", value: .string(remote.addr)), (key: "AuthType", value: .string(remote.authType)),
                        (key: "Domain", value: .string(remote.domain)), (key: "Project", value: .string(remote.project)),
                        (key: "Protocol", value: .string(remote.protocol)), (key: "Public", value: .bool(remote.isPublic)),
                        (key: "Global", value: .bool(remote.isGlobal)), (key: "Static", value: .bool(remote.isStatic)),
                    ])
                )
            })
        ctx.renderList(
            format, header: ["NAME", "URL", "PROTOCOL", "AUTH TYPE", "PUBLIC", "STATIC", "GLOBAL"], rows: sortRowsNaturally(rows), raw: raw)
    }
}

struct RemoteRenameCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "rename", aliases: ["mv"], usage: "<remote> <new-name>", short: "Rename remotes") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        var config = try ctx.clientConfig()
        let (old, new) = (args.positional[0], args.positional[1])
        guard let remote = config.remotes[old] else { throw UsageError("Remote \(old) doesn't exist") }
        guard !remote.isStatic else { throw UsageError("Remote \(old) is static and cannot be modified") }
        guard config.remotes[new] == nil else { throw UsageError("Remote \(new) already exists") }
        if FileManager.default.fileExists(atPath: config.serverCertificatePath(old)) {
            try FileManager.default.moveItem(atPath: config.serverCertificatePath(old), toPath: config.serverCertificatePath(new))
        }
        config.remotes[new] = remote
        config.remotes[old] = nil
        if config.defaultRemote == old { config.defaultRemote = new }
        try ctx.saveClientConfig(config)
    }
}

struct RemoteRemoveCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "remove", aliases: ["rm"], usage: "<remote>", short: "Remove remotes") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        var config = try ctx.clientConfig()
        let name = args.positional[0]
        guard let remote = config.remotes[name] else { throw UsageError("Remote \(name) doesn't exist") }
        guard !remote.isStatic else { throw UsageError("Remote \(name) is static and cannot be modified") }
        guard !remote.isGlobal else { throw UsageError("Remote \(name) is global and cannot be removed") }
        guard config.defaultRemote != name else { throw UsageError("Can't remove the default remote") }
        config.remotes[name] = nil
        try? FileManager.default.removeItem(atPath: config.serverCertificatePath(name))
        try ctx.saveClientConfig(config)
    }
}

struct RemoteSetURLCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "set-url", usage: "<remote> <URL>", short: "Set the URL for the remote") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        var config = try ctx.clientConfig()
        let name = args.positional[0]
        guard var remote = config.remotes[name] else { throw UsageError("Remote \(name) doesn't exist") }
        guard !remote.isStatic else { throw UsageError("Remote \(name) is static and cannot be modified") }
        remote.addr = args.positional[1]
        remote.isGlobal = false
        config.remotes[name] = remote
        try ctx.saveClientConfig(config)
    }
}

struct RemoteSwitchCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "switch", aliases: ["set-default"], usage: "<remote>", short: "Switch the default remote")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        var config = try ctx.clientConfig()
        let name = args.positional[0]
        guard config.remotes[name] != nil else { throw UsageError("Remote \(name) doesn't exist") }
        config.defaultRemote = name
        try ctx.saveClientConfig(config)
    }
}
