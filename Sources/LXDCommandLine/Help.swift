/// What a command says about itself in `--help` (cobra's fields as LXD fills them).
public struct CommandSpec: Sendable {
    public var name: String
    public var aliases: [String]
    /// The usage after the command path, e.g. `[<remote>:] [<filter>...]`.
    public var usage: String
    public var short: String
    /// The description paragraph(s), unindented; empty to use `short`.
    public var long: String
    /// Example text, unindented.
    public var example: String
    public var flags: [Flag]
    /// Hidden commands run but are not listed.
    public var isHidden: Bool

    public init(
        name: String, aliases: [String] = [], usage: String = "", short: String, long: String = "", example: String = "",
        flags: [Flag] = [], isHidden: Bool = false
    ) {
        self.name = name
        self.aliases = aliases
        self.usage = usage
        self.short = short
        self.long = long
        self.example = example
        self.flags = flags
        self.isHidden = isHidden
    }
}

/// Renders cobra's help and usage text with LXD's template.
public enum HelpRenderer {
    /// The persistent flags of `lxc`, shown as "Global Flags" under every subcommand.
    public static let globalFlags: [Flag] = [
        Flag("debug", usage: "Show all debug messages"),
        Flag("force-local", usage: "Force using the local unix socket"),
        Flag("help", short: "h", usage: "Print help"),
        Flag("project", .string, usage: "Override the source project"),
        Flag("quiet", short: "q", usage: "Don't show progress information"),
        Flag("sub-commands", usage: "Use with help or --help to view sub-commands"),
        Flag("verbose", short: "v", usage: "Show all information messages"),
        Flag("version", usage: "Print version number"),
    ]

    /// A summary line of a subcommand.
    public struct Entry: Sendable {
        public var name: String
        public var short: String
        public init(name: String, short: String) {
            self.name = name
            self.short = short
        }
    }

    public static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
    }

    /// `--help`: the description, then the usage.
    public static func help(path: [String], spec: CommandSpec, subcommands: [Entry], isRoot: Bool = false, isRunnable: Bool = true)
        -> String
    {
        "Description:\n" + indent(spec.long.isEmpty ? spec.short : spec.long) + "\n\n"
            + usage(path: path, spec: spec, subcommands: subcommands, isRoot: isRoot, isRunnable: isRunnable)
    }

    /// cobra's usage text (what a group prints on stderr when run without a subcommand).
    public static func usage(path: [String], spec: CommandSpec, subcommands: [Entry], isRoot: Bool = false, isRunnable: Bool = true)
        -> String
    {
        let commandPath = path.joined(separator: " ")
        var out = "Usage:"
        if isRunnable {
            var line = commandPath + (spec.usage.isEmpty ? "" : " " + spec.usage)
            if !line.contains("[flags]") { line += " [flags]" }
            out += "\n  " + line
        }
        if !subcommands.isEmpty { out += "\n  " + commandPath + " [command]" }
        if !spec.aliases.isEmpty { out += "\n\nAliases:\n  " + ([spec.name] + spec.aliases).joined(separator: ", ") }
        if !spec.example.isEmpty { out += "\n\nExamples:\n" + indent(spec.example) }
        if !subcommands.isEmpty {
            out += "\n\nAvailable Commands:"
            let padding = max(11, subcommands.map(\.name.count).max() ?? 0)
            for entry in subcommands {
                out += "\n  " + entry.name + String(repeating: " ", count: padding - entry.name.count) + " " + entry.short
            }
        }
        if isRoot {
            out += "\n\nFlags:\n" + flagUsages(globalFlags + [Flag("all", usage: "Show less common commands")])
        } else {
            if !spec.flags.isEmpty { out += "\n\nFlags:\n" + flagUsages(spec.flags) }
            // A local flag hides the global one of the same name (cobra).
            out += "\n\nGlobal Flags:\n" + flagUsages(globalFlags.filter { global in !spec.flags.contains { $0.long == global.long } })
        }
        if !subcommands.isEmpty { out += "\n\nUse \"" + commandPath + " [command] --help\" for more information about a command." }
        return out + "\n"
    }

    /// pflag's `FlagUsages`: sorted by name, usage text aligned three columns after the longest
    /// flag column.
    public static func flagUsages(_ flags: [Flag]) -> String {
        let sorted = flags.sorted { $0.long < $1.long }
        let lefts = sorted.map { flag -> String in
            var left = flag.short.map { "  -\($0), --" } ?? "      --"
            left += flag.long
            if let name = unquoteUsage(flag.usage).name { left += " " + name }
            if let noOption = flag.noOptionDefault { left += "[=\"\(noOption)\"]" }
            if let valueName = flag.valueName { left += " " + valueName }
            return left
        }
        let width = (lefts.map(\.count).max() ?? 0) + 3
        return zip(lefts, sorted).map { left, flag in
            left + String(repeating: " ", count: width - left.count) + unquoteUsage(flag.usage).usage
        }.joined(separator: "\n")
    }

    /// pflag's `UnquoteUsage`: a `back-quoted` word in a flag's usage names its value
    /// (`--compression none`) and loses its quotes in the text.
    static func unquoteUsage(_ usage: String) -> (name: String?, usage: String) {
        guard let open = usage.firstIndex(of: "`"), let close = usage[usage.index(after: open)...].firstIndex(of: "`") else {
            return (nil, usage)
        }
        let name = String(usage[usage.index(after: open)..<close])
        return (name, usage.replacingCharacters(in: open...close, with: name))
    }
}
