import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine

/// Where a command writes; injectable for tests.
public struct OutputSink: Sendable {
    public let write: @Sendable (String) -> Void

    public init(_ write: @escaping @Sendable (String) -> Void) { self.write = write }

    public static func fd(_ fd: Int32) -> OutputSink {
        OutputSink { text in
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { raw in Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}

/// Ends the run with a status and no message (`lxc exec` passing on the command's exit code).
struct ExitStatus: Error {
    let code: Int32
}

/// What every command gets: the output streams, the environment, the global flags and a lazily
/// made connection to the server.
public final class CLIContext: @unchecked Sendable {
    // Used by the one thread that runs the command.
    public let stdout: OutputSink
    public let stderr: OutputSink
    public let environment: [String: String]
    var isQuiet = false
    var isDebug = false
    /// `--all`: list the less common commands too.
    var showAll = false
    /// The exit status if the command fails (exec sets the command's status).
    var failureStatus: Int32 = 1
    /// The command path being run, for help and errors (`["lxc", "image", "list"]`).
    var path: [String] = ["lxc"]
    var command: (any LXCCommand)?
    private var connections: [String: LXDServer] = [:]
    private var loadedConfig: ClientConfig?

    public init(
        stdout: OutputSink = .fd(1), stderr: OutputSink = .fd(2), environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.stdout = stdout
        self.stderr = stderr
        self.environment = environment
    }

    func print(_ text: String) { stdout.write(text + "\n") }

    /// The default remote's server (connecting runs `GET /1.0`).
    func server() throws -> LXDServer {
        try server(remote: try clientConfig().defaultRemote)
    }

    /// The client configuration (`config.yml`), read once per run.
    func clientConfig() throws -> ClientConfig {
        if let loadedConfig { return loadedConfig }
        let config = try ClientConfig.load(environment: environment)
        loadedConfig = config
        return config
    }

    /// Replaces the configuration and writes it (remote add/remove/rename/switch).
    func saveClientConfig(_ config: ClientConfig) throws {
        try config.save()
        loadedConfig = config
        connections = [:]
    }

    /// The server behind remote `name`, connected once per run. The local remote is the unix
    /// socket (`$LXD_SOCKET`, `$LXD_DIR`); others are HTTPS with our client certificate and the
    /// server certificate pinned when the remote was added.
    func server(remote name: String) throws -> LXDServer {
        if let made = connections[name] { return made }
        let config = try clientConfig()
        guard let entry = config.remotes[name] else { throw LXDError(.notFound, "The remote \"\(name)\" doesn't exist") }
        if entry.isPublic || entry.protocol == "simplestreams" {
            throw LXDError(.badRequest, "The remote isn't a private LXD server")
        }
        let made = try connect(name, entry, config: config)
        connections[name] = made
        return made
    }

    /// An image server: any remote, public ones without a client certificate.
    /// The simplestreams image server a `REMOTE:` argument names, or nil for an LXD server.
    func simpleStreamsServer(_ positional: [String]) throws -> SimpleStreams? {
        guard let argument = positional.first(where: { $0.hasSuffix(":") }) else { return nil }
        let config = try clientConfig()
        let (remote, _) = try config.parseRemote(argument)
        guard let entry = config.remotes[remote], entry.protocol == "simplestreams" else { return nil }
        return try SimpleStreams(url: entry.addr, certificatePEM: config.connectionArgs(remote).serverCertificatePEM ?? "")
    }

    func imageServer(remote name: String) throws -> LXDServer {
        if let made = connections[name] { return made }
        let config = try clientConfig()
        guard let entry = config.remotes[name] else { throw LXDError(.notFound, "The remote \"\(name)\" doesn't exist") }
        if entry.protocol == "simplestreams" {
            throw LXDError(.notImplemented, "The simplestreams protocol is read by the daemon; use the remote as an image source")
        }
        let made = try connect(name, entry, config: config)
        connections[name] = made
        return made
    }

    private func connect(_ name: String, _ entry: RemoteEntry, config: ClientConfig) throws -> LXDServer {
        do {
            if entry.addr.hasPrefix("unix:") {
                var path = String(entry.addr.dropFirst("unix:".count))
                if path.hasPrefix("//") { path.removeFirst(2) }
                return try LXDServer(socketPath: path.isEmpty ? LXDServer.defaultSocketPath(environment: environment) : path)
            }
            var args = config.connectionArgs(name)
            if entry.isPublic {
                args.clientCertificatePEM = nil
                args.clientKeyPEM = nil
            }
            return try LXDServer.connect(url: entry.addr, args: args)
        } catch let error as LXDError {
            throw error
        } catch {
            throw LXDError(.internalServerError, String(describing: error))
        }
    }

    /// `[<remote>:]<name>` as every command takes it: the server to talk to and the name on it
    /// (empty for `host2:`), following the client configuration's remotes (LXD's `ParseRemote`).
    func resolve(_ argument: String) throws -> (server: LXDServer, name: String) {
        let (remote, name) = try clientConfig().parseRemote(argument)
        return (try server(remote: remote), name)
    }

    /// The server named by a `<remote>:` argument among `positional` (list commands), else the
    /// default remote's; `image` allows public image servers.
    func listServer(_ positional: [String], image: Bool = false) throws -> LXDServer {
        guard let argument = positional.first(where: { $0.hasSuffix(":") }) else { return try server() }
        let (remote, _) = try clientConfig().parseRemote(argument)
        return image ? try imageServer(remote: remote) : try server(remote: remote)
    }

    /// `[<remote>:]<image>`: public image servers allowed.
    func resolveImageArgument(_ argument: String) throws -> (server: LXDServer, name: String) {
        let (remote, name) = try clientConfig().parseRemote(argument)
        return (try imageServer(remote: remote), name)
    }

    /// Like `resolve`, also naming the remote.
    func resolveRemote(_ argument: String) throws -> (remote: String, name: String) {
        try clientConfig().parseRemote(argument)
    }

    /// Splits `remote:name` at the first colon; a name without one has no remote.
    static func splitRemote(_ argument: String) -> (remote: String?, name: String) {
        guard let colon = argument.firstIndex(of: ":") else { return (nil, argument) }
        return (String(argument[..<colon]), String(argument[argument.index(after: colon)...]))
    }

    /// Help on stdout (cobra's `cmd.Help()`).
    func showHelp() {
        guard let command else { return }
        stdout.write(Dispatcher.help(for: command, path: path, showAll: showAll))
    }

    /// Usage on stderr (cobra's `cmd.Usage()`).
    func showUsage() {
        guard let command else { return }
        stderr.write(Dispatcher.usage(for: command, path: path))
    }

    /// LXD's `CheckArgs`: with no arguments at all, help and a clean exit; with a wrong count,
    /// help and "Invalid number of arguments". Returns false when the command should stop.
    func checkArgs(_ args: ParsedArguments, min: Int, max: Int) throws -> Bool {
        let count = args.positional.count
        if count < min || (max != -1 && count > max) {
            showHelp()
            if count == 0 { return false }
            throw UsageError("Invalid number of arguments")
        }
        return true
    }
}
