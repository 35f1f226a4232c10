import Foundation
import LXDAPI
import LXDCommandLine

/// The `lxc` entry point: finds the command, parses its flags, runs it, maps errors to
/// `Error: <message>` and the exit status.
public enum LXCMain {
    public static let version = "5.0.2"

    public static func run(_ arguments: [String], context: CLIContext = CLIContext()) -> Int32 {
        do {
            try Dispatcher.dispatch(Array(arguments.dropFirst()), ctx: context)
            return 0
        } catch let exit as ExitStatus {
            return exit.code
        } catch {
            context.stderr.write("Error: \(message(for: error))\n")
            return context.failureStatus == 0 ? 1 : context.failureStatus
        }
    }

    /// The text `Error: ...` shows for an error.
    static func message(for error: any Error) -> String {
        if let error = error as? LXDError { return error.message }
        if let error = error as? UsageError { return error.message }
        return String(describing: error)
    }
}

enum Dispatcher {
    static var root: RootCommand { RootCommand() }

    static let globalTakesValue: Set<String> = ["--project"]

    static func dispatch(_ arguments: [String], ctx: CLIContext) throws {
        var command: any LXCCommand = root
        var path = ["lxc"]
        var rest = arguments
        // Walk down the command tree through the leading non-flag arguments.
        while !command.subcommands.isEmpty {
            guard let position = firstPositional(rest) else { break }
            let word = rest[position]
            guard let sub = command.subcommands.first(where: { $0.matches(word) }) else {
                if command is UnimplementedCommand { break }  // its own "not implemented" message
                // cobra shows a group's help for `group nosuch --help` (not the root's).
                if path.count > 1 && (rest.contains("--help") || rest.contains("-h")) { break }
                // cobra suggests only for the root's commands, and only the visible ones.
                let visible = command.subcommands.filter { !$0.spec.isHidden && !($0 is CompletionCommand) && !($0 is HelpCommand) }
                let suggestions = path.count == 1 ? CommandSuggestions.text(for: word, among: visible.map(\.spec.name)) : ""
                throw UsageError("unknown command \"\(word)\" for \"\(path.joined(separator: " "))\"" + suggestions)
            }
            command = sub
            path.append(sub.spec.name)
            rest.remove(at: position)
        }
        ctx.path = path
        ctx.command = command
        let isRoot = path.count == 1
        var flags = command.spec.flags + HelpRenderer.globalFlags
        if isRoot { flags.append(Flag("all", usage: "Show less common commands")) }
        let parsed = try ArgumentParser.parse(rest, flags: flags, interspersed: command.isInterspersed)
        ctx.isQuiet = parsed.bool("quiet")
        ctx.isDebug = parsed.bool("debug")
        ctx.showAll = parsed.bool("all") && (isRoot || command is HelpCommand)
        if parsed.bool("version") {
            ctx.print(LXCMain.version)
            return
        }
        if parsed.bool("help") {
            if command is HelpCommand {
                ctx.stdout.write(HelpCommand.ownHelp())
                return
            }
            ctx.showHelp()
            return
        }
        try command.run(ctx, parsed)
    }

    /// The index of the first argument that is not a (global) flag or a flag's value.
    static func firstPositional(_ arguments: [String]) -> Int? {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { return nil }
            if argument.hasPrefix("-") && argument != "-" {
                if globalTakesValue.contains(argument) { index += 1 }
                index += 1
                continue
            }
            return index
        }
        return nil
    }

    static func entries(_ command: any LXCCommand, showAll: Bool = false) -> [HelpRenderer.Entry] {
        // `completion` is ours, not LXD's: never listed, not even with --all.
        command.subcommands.filter { (showAll || !$0.spec.isHidden) && !($0 is CompletionCommand) }.map {
            HelpRenderer.Entry(name: $0.spec.name, short: $0.spec.short)
        }
        .sorted { $0.name < $1.name }
    }

    static func help(for command: any LXCCommand, path: [String], showAll: Bool = false) -> String {
        let isRoot = path.count == 1
        return HelpRenderer.help(
            path: path, spec: command.spec, subcommands: entries(command, showAll: showAll), isRoot: isRoot, isRunnable: !isRoot)
    }

    static func usage(for command: any LXCCommand, path: [String]) -> String {
        let isRoot = path.count == 1
        return HelpRenderer.usage(path: path, spec: command.spec, subcommands: entries(command), isRoot: isRoot, isRunnable: !isRoot)
    }
}

struct RootCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "lxc", short: "Command line client for LXD",
            long: """
                Command line client for LXD

                All of LXD's features can be driven through the various commands below.
                For help with any of those, simply call them with --help.
                """)
    }

    var subcommands: [any LXCCommand] {
        [
            UnimplementedCommand("alias", "Manage command aliases"),
            UnimplementedCommand("cluster", "Manage cluster members"),
            ConfigCommand(),
            ConsoleCommand(),
            CopyCommand(),
            DeleteCommand(),
            ExecCommand(),
            UnimplementedCommand("export", "Export instance backups"),
            FileCommand(),
            HelpCommand(),
            ImageCommand(),
            UnimplementedCommand("import", "Import instance backups"),
            InfoCommand(),
            InitCommand(launch: true),
            ListCommand(),
            MoveCommand(),
            NetworkCommand(),
            OperationCommand(),
            ProfileCommand(),
            UnimplementedCommand("project", "Manage projects"),
            PublishCommand(),
            RemoteCommand(),
            RenameCommand(),
            ActionCommand(.restart),
            RestoreCommand(),
            SnapshotCommand(),
            ActionCommand(.start),
            ActionCommand(.stop),
            StorageCommand(),
            VersionCommand(),
            UnimplementedCommand("warning", "Manage warnings"),
            // Less common commands, hidden from the list as in LXD (shown with --all).
            InitCommand(launch: false).hidden(),
            UnimplementedCommand("manpage", "Generate manpages for all commands").hidden(),
            MonitorCommand().hidden(),
            QueryCommand().hidden(),
            ActionCommand(.pause).hidden(),
            CompletionCommand(),
        ]
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        ctx.showHelp()
    }
}

/// Hides a command from "Available Commands" (LXD's `--all` list).
struct HiddenCommand: LXCCommand {
    let base: any LXCCommand
    var spec: CommandSpec {
        var spec = base.spec
        spec.isHidden = true
        return spec
    }
    var subcommands: [any LXCCommand] { base.subcommands }
    var isInterspersed: Bool { base.isInterspersed }
    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws { try base.run(ctx, args) }
}

extension LXCCommand {
    func hidden() -> any LXCCommand { HiddenCommand(base: self) }
}

struct HelpCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "help", usage: "[command]", short: "Help about any command",
            long: "Help provides help for any command in the application.\nSimply type lxc help [path to command] for full details.",
            flags: [Flag("all", usage: "Show less common commands")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        var command: any LXCCommand = Dispatcher.root
        var path = ["lxc"]
        for word in args.positional {
            guard let sub = command.subcommands.first(where: { $0.matches(word) }) else {
                ctx.stdout.write("Unknown help topic \(args.positional)\n")
                ctx.stdout.write(Dispatcher.usage(for: Dispatcher.root, path: ["lxc"]))
                return
            }
            command = sub
            path.append(sub.spec.name)
        }
        ctx.stdout.write(Dispatcher.help(for: command, path: path, showAll: ctx.showAll))
    }
}

extension HelpCommand {
    /// cobra's own help command keeps cobra's plain template.
    static func ownHelp() -> String {
        let spec = HelpCommand().spec
        return spec.long + "\n\n" + HelpRenderer.usage(path: ["lxc", "help"], spec: spec, subcommands: [])
    }
}

struct VersionCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "version", usage: "[<remote>:]", short: "Show local and remote versions")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 1) else { return }
        ctx.print("Client version: \(LXCMain.version)")
        let version: String
        if let server = try? (args.positional.first.map { try ctx.listServer([$0]) } ?? ctx.server()) {
            version = server.server.environment.serverVersion
        } else {
            version = "unreachable"
        }
        ctx.print("Server version: \(version)")
    }
}
