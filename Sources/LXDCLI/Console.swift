import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import LXDHTTP

/// `lxc console` (LXD's console.go): the instance's console in the terminal until ctrl+a q, or
/// its log with `--show-log`.
struct ConsoleCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "console", usage: "[<remote>:]<instance>", short: "Attach to instance consoles",
            long: """
                Attach to instance consoles

                This command allows you to interact with the boot console of an instance
                as well as retrieve past log entries from it.
                """,
            flags: [
                Flag("show-log", usage: "Retrieve the instance's console log"),
                Flag(
                    "type", short: "t", .string,
                    usage:
                        "Type of connection to establish: 'console' for serial console, 'vga' for SPICE graphical output (default \"console\")",
                    default: "console"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let type = args.string("type", default: "console")
        guard ["console", "vga"].contains(type) else { throw UsageError("Unknown output type \(goQuote(type))") }
        let (server, name) = try ctx.resolve(args.positional[0])
        if args.bool("show-log") {
            guard type == "console" else { throw UsageError("The --show-log flag is only supported for by 'console' output type") }
            let log = try server.getInstanceConsoleLog(name)
            ctx.stdout.write("\nConsole log:\n\n" + String(decoding: log, as: UTF8.self) + "\n")
            return
        }
        guard type == "console" else { throw UsageError("The SPICE console of virtual machines is not supported by this client") }
        try attach(ctx, server, name)
    }

    private func attach(_ ctx: CLIContext, _ server: LXDServer, _ name: String) throws {
        guard let terminal = Terminal.makeRaw(0) else { throw UsageError(goErrnoText(errno)) }
        defer { terminal.restore() }
        guard let size = Terminal.size(0) else { throw UsageError(goErrnoText(errno)) }
        ctx.stdout.write("To detach from the console, press: <ctrl>+a q\n\r")
        let operation = try server.consoleInstance(name, InstanceConsolePost(width: size.width, height: size.height, type: "console"))
        let fds = operation.operation.metadata["fds"]
        guard let controlSecret = fds?["control"]?.stringValue else {
            throw UsageError("Did not receive a file descriptor for the control channel")
        }
        let control = try server.operationWebSocket(operation.id, secret: controlSecret)
        let data = try server.operationWebSocket(operation.id, secret: fds?["0"]?.stringValue ?? "")
        let resizer = WindowResizeForwarder(control: control)
        resizer.start()
        defer { resizer.stop() }

        // Console output to stdout until the server closes the socket.
        Thread.detachNewThread {
            while let message = try? data.receive() {
                switch message {
                case .binary(let bytes): ExecStreams.writeAll(1, bytes)
                case .text(let text): ExecStreams.writeAll(1, Data(text.utf8))
                }
            }
        }
        // Keys to the console; ctrl+a q detaches (the control socket is closed, as LXD's client does).
        Thread.detachNewThread {
            var escape = DetachKeyFilter()
            var byte: UInt8 = 0
            while true {
                let count = read(0, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { return }
                switch escape.feed(byte) {
                case .forward(let bytes): if (try? data.sendBinary(Data(bytes))) == nil { return }
                case .swallow: continue
                case .detach:
                    try? control.sendClose(code: 1000, reason: "Detaching from console")
                    control.close()
                    return
                }
            }
        }
        _ = try operation.wait()
    }

    /// Go's `%q` for plain strings.
    func goQuote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// LXD's console escape: ctrl+a starts it (and is never sent); q then detaches; anything else
/// is sent on, without the ctrl+a.
struct DetachKeyFilter {
    enum Action: Equatable {
        case forward([UInt8])
        case swallow
        case detach
    }

    private var sawEscape = false

    mutating func feed(_ byte: UInt8) -> Action {
        if byte == 0x01 && !sawEscape {
            sawEscape = true
            return .swallow
        }
        if byte == UInt8(ascii: "q") && sawEscape { return .detach }
        sawEscape = false
        return .forward([byte])
    }
}

/// SIGWINCH becomes a window-resize message on the console's control socket.
final class WindowResizeForwarder: @unchecked Sendable {
    // `source` is touched only by start/stop on the command's thread.
    private let control: WebSocket
    private var source: (any DispatchSourceSignal)?
    private let queue = DispatchQueue(label: "lxc.console.resize")

    init(control: WebSocket) { self.control = control }

    func start() {
        signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: queue)
        let control = self.control
        source.setEventHandler {
            guard let size = Terminal.size(0) else { return }
            try? control.sendText("{\"command\":\"window-resize\",\"args\":{\"height\":\"\(size.height)\",\"width\":\"\(size.width)\"}}")
        }
        source.resume()
        self.source = source
    }

    func stop() {
        source?.cancel()
        source = nil
    }
}
