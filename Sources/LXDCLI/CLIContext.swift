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
    private var connection: LXDServer?

    public init(
        stdout: OutputSink = .fd(1), stderr: OutputSink = .fd(2), environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.stdout = stdout
        self.stderr = stderr
        self.environment = environment
    }

    func print(_ text: String) { stdout.write(text + "\n") }

    /// The local server (connecting runs `GET /1.0`).
    func server() throws -> LXDServer {
        if let connection { return connection }
        let path = LXDServer.defaultSocketPath(environment: environment)
        do {
            let made = try LXDServer(socketPath: path)
            connection = made
            return made
        } catch let error as LXDError {
            throw error
        } catch {
            throw LXDError(.internalServerError, String(describing: error))
        }
    }

    /// `[<remote>:]<name>` as every command takes it: the server to talk to and the name on it
    /// (empty for `host2:`). New commands resolve their arguments through this one place; only
    /// the local daemon (`local:` or no prefix) exists until the remotes issue adds the others.
    func resolve(_ argument: String) throws -> (server: LXDServer, name: String) {
        let (remote, name) = Self.splitRemote(argument)
        if let remote, remote != "local" { throw LXDError(.notFound, "The remote \"\(remote)\" doesn't exist") }
        return (try server(), name)
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
