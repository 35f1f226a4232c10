import LXDAPI
import LXDCommandLine

/// One `lxc` command or command group (cobra's `Command` as LXD's lxc/ folder builds them).
protocol LXCCommand: Sendable {
    var spec: CommandSpec { get }
    var subcommands: [any LXCCommand] { get }
    /// False for commands that take everything after their first argument (none in 5.0.2 for
    /// the commands here; exec relies on `--`).
    var isInterspersed: Bool { get }
    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws
}

extension LXCCommand {
    var subcommands: [any LXCCommand] { [] }
    var isInterspersed: Bool { true }

    /// A group run without a subcommand prints its usage on stderr.
    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        ctx.showUsage()
    }

    func matches(_ name: String) -> Bool { spec.name == name || spec.aliases.contains(name) }
}

/// A command LXD has and this client does not implement yet: listed in help, refuses to run.
/// It may already carry the subcommands that exist (`config trust` before the rest of `config`).
struct UnimplementedCommand: LXCCommand {
    let spec: CommandSpec
    let subcommands: [any LXCCommand]

    init(_ name: String, _ short: String, subcommands: [any LXCCommand] = []) {
        spec = CommandSpec(name: name, short: short)
        self.subcommands = subcommands
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        throw UsageError("\"lxc \(spec.name)\" is not implemented by this client yet")
    }
}
