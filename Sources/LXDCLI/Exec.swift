import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import LXDHTTP

/// `lxc exec` (LXD's exec.go): the command's streams over the operation's websockets.
struct ExecCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "exec", usage: "[<remote>:]<instance> [flags] [--] <command line>", short: "Execute commands in instances",
            long: """
                Execute commands in instances

                The command is executed directly using exec, so there is no shell and
                shell patterns (variables, file redirects, ...) won't be understood.
                If you need a shell environment you need to execute the shell
                executable, passing the shell commands as arguments, for example:

                  lxc exec <instance> -- sh -c "cd /tmp && pwd"

                Mode defaults to non-interactive, interactive mode is selected if both stdin AND stdout are terminals (stderr is ignored).
                """,
            flags: [
                Flag("cwd", .string, usage: "Directory to run the command in (default /root)"),
                Flag("disable-stdin", short: "n", usage: "Disable stdin (reads from /dev/null)"),
                Flag("env", .stringArray, usage: "Environment variable to set (e.g. HOME=/home/foo)"),
                Flag("force-interactive", short: "t", usage: "Force pseudo-terminal allocation"),
                Flag("force-noninteractive", short: "T", usage: "Disable pseudo-terminal allocation"),
                Flag("group", .uint, usage: "Group ID to run the command as (default 0)"),
                Flag("mode", .string, usage: "Override the terminal mode (auto, interactive or non-interactive) (default \"auto\")"),
                Flag("user", .uint, usage: "User ID to run the command as (default 0)"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: -1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let command = Array(args.positional.dropFirst())
        let mode = args.string("mode", default: "auto")
        guard ["auto", "interactive", "non-interactive"].contains(mode) else { throw UsageError("Invalid --mode value \"\(mode)\"") }
        if args.bool("force-interactive") && args.bool("force-noninteractive") {
            throw UsageError("You can't pass -t and -T at the same time")
        }
        let disableStdin = args.bool("disable-stdin")
        let stdinTTY = isatty(0) == 1
        let stdoutTTY = isatty(1) == 1
        var interactive = stdinTTY && stdoutTTY && !disableStdin
        if args.bool("force-interactive") || mode == "interactive" { interactive = true }
        if args.bool("force-noninteractive") || mode == "non-interactive" { interactive = false }

        var environment: [String: String] = [:]
        if let term = ctx.environment["TERM"] { environment["TERM"] = term }
        for entry in args.strings("env") {
            if let equals = entry.firstIndex(of: "=") {
                environment[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
            } else {
                environment[entry] = ctx.environment[entry] ?? ""
            }
        }
        var post = InstanceExecPost()
        post.command = command
        post.waitForWebsocket = true
        post.interactive = interactive
        post.environment = environment
        post.user = UInt32(args.string("user", default: "0")) ?? 0
        post.group = UInt32(args.string("group", default: "0")) ?? 0
        post.cwd = args.string("cwd")
        if interactive, let size = Terminal.size(1) {
            post.width = size.width
            post.height = size.height
        }

        let operation = try server.execInstance(name, post)
        let fds = operation.operation.metadata["fds"]
        func secret(_ key: String) throws -> String {
            guard let value = fds?[key]?.stringValue else { throw LXDError(.internalServerError, "Missing websocket secret \"\(key)\"") }
            return value
        }
        let control = try server.operationWebSocket(operation.id, secret: try secret("control"))
        let session = ExecStreams()
        if interactive {
            let data = try server.operationWebSocket(operation.id, secret: try secret("0"))
            session.pumpOutput(data, to: 1)
            session.pumpInput(from: disableStdin ? -1 : 0, to: data)
        } else {
            let input = try server.operationWebSocket(operation.id, secret: try secret("0"))
            let output = try server.operationWebSocket(operation.id, secret: try secret("1"))
            let errors = try server.operationWebSocket(operation.id, secret: try secret("2"))
            session.pumpOutput(output, to: 1)
            session.pumpOutput(errors, to: 2)
            session.pumpInput(from: disableStdin ? -1 : 0, to: input)
        }
        let terminal = interactive && stdinTTY ? Terminal.makeRaw(0) : nil
        defer { terminal?.restore() }
        let signals = SignalForwarder(control: control, interactive: interactive)
        signals.start()
        defer { signals.stop() }

        var waitError: (any Error)?
        do {
            try operation.wait()
        } catch {
            waitError = error
        }
        let status = operation.operation.metadata["return"]?.intValue ?? 0
        if let waitError {
            control.close()
            ctx.failureStatus = Int32(truncatingIfNeeded: status)
            throw waitError
        }
        session.waitForOutput()
        control.close()
        if status != 0 { throw ExitStatus(code: Int32(truncatingIfNeeded: status)) }
    }
}

/// The threads that move bytes between our stdio and the exec websockets.
final class ExecStreams: @unchecked Sendable {
    // `outputs` is only touched before the threads start and by `waitForOutput`.
    private var outputs: [DispatchSemaphore] = []

    /// Websocket → fd until the empty text frame (EOF) or the socket closes.
    func pumpOutput(_ socket: WebSocket, to fd: Int32) {
        let done = DispatchSemaphore(value: 0)
        outputs.append(done)
        Thread.detachNewThread {
            defer { done.signal() }
            while let message = try? socket.receive() {
                switch message {
                case .text(let text):
                    if text.isEmpty { return }
                    ExecStreams.writeAll(fd, Data(text.utf8))
                case .binary(let data):
                    ExecStreams.writeAll(fd, data)
                }
            }
        }
    }

    /// fd → websocket as binary frames, then the empty text frame (EOF). fd -1 is /dev/null.
    func pumpInput(from fd: Int32, to socket: WebSocket) {
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while fd >= 0 {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                do {
                    try buffer.withUnsafeBytes { try socket.sendBinary(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                } catch {
                    return
                }
            }
            try? socket.sendText("")
        }
    }

    func waitForOutput() {
        for done in outputs { _ = done.wait(timeout: .now() + 10) }
    }

    static func writeAll(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}

/// Forwards signals to the command over the control socket (LXD's `controlSocketHandler`):
/// SIGWINCH becomes a window-resize in pty mode, the others `{"command":"signal"}`.
final class SignalForwarder: @unchecked Sendable {
    // `sources` is touched only by start/stop on the command's thread.
    private let control: WebSocket
    private let interactive: Bool
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "lxc.exec.signals")

    static let forwarded: [Int32] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGCONT]

    init(control: WebSocket, interactive: Bool) {
        self.control = control
        self.interactive = interactive
    }

    func start() {
        var signals = SignalForwarder.forwarded
        if interactive { signals.append(SIGWINCH) }
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            let control = self.control
            source.setEventHandler {
                if number == SIGWINCH {
                    guard let size = Terminal.size(1) else { return }
                    try? control.sendText(
                        "{\"command\":\"window-resize\",\"args\":{\"height\":\"\(size.height)\",\"width\":\"\(size.width)\"},\"signal\":0}")
                } else {
                    try? control.sendText("{\"command\":\"signal\",\"args\":null,\"signal\":\(number)}")
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    func stop() {
        for source in sources { source.cancel() }
        sources.removeAll()
    }
}

/// Terminal size and raw mode for stdin/stdout.
enum Terminal {
    static func size(_ fd: Int32) -> (width: Int, height: Int)? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    struct Saved {
        let fd: Int32
        let state: termios
        func restore() {
            var state = self.state
            tcsetattr(fd, TCSANOW, &state)
        }
    }

    static func makeRaw(_ fd: Int32) -> Saved? {
        var state = termios()
        guard tcgetattr(fd, &state) == 0 else { return nil }
        let saved = Saved(fd: fd, state: state)
        cfmakeraw(&state)
        guard tcsetattr(fd, TCSANOW, &state) == 0 else { return nil }
        return saved
    }
}
