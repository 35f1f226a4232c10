/// A wrong command line; printed as `Error: <message>` like cobra/pflag errors.
public struct UsageError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One flag of a command, as pflag declares it.
public struct Flag: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case bool
        case string
        /// Repeatable (`-c k=v -c k2=v2`).
        case stringArray
        case int
        case uint
    }

    public var long: String
    public var short: Character?
    public var kind: Kind
    /// The help text as printed, including any `(default ...)` suffix.
    public var usage: String
    /// A value used when the flag is given without one (`--console` → `console`).
    public var noOptionDefault: String?
    public var defaultValue: String?
    /// The value's name in help (`--listen string`), as pflag prints it for flags whose usage
    /// does not hide it.
    public var valueName: String?

    public init(
        _ long: String, short: Character? = nil, _ kind: Kind = .bool, usage: String, default defaultValue: String? = nil,
        noOptionDefault: String? = nil, valueName: String? = nil
    ) {
        self.long = long
        self.short = short
        self.kind = kind
        self.usage = usage
        self.defaultValue = defaultValue
        self.noOptionDefault = noOptionDefault
        self.valueName = valueName
    }

    var takesValue: Bool { kind != .bool && noOptionDefault == nil }
}

/// The flags and positional arguments of one invocation.
public struct ParsedArguments: Sendable, Equatable {
    public var positional: [String] = []
    /// Values by long name, in the order given.
    public var values: [String: [String]] = [:]
    /// Positional arguments that came after `--`.
    public var afterDashDash: Int?

    public init() {}

    public func isSet(_ name: String) -> Bool { values[name] != nil }

    public func bool(_ name: String) -> Bool {
        guard let last = values[name]?.last else { return false }
        return last == "true"
    }

    public func string(_ name: String, default defaultValue: String = "") -> String {
        values[name]?.last ?? defaultValue
    }

    public func strings(_ name: String) -> [String] { values[name] ?? [] }

    public func int(_ name: String, default defaultValue: Int = 0) -> Int {
        values[name]?.last.flatMap { Int($0) } ?? defaultValue
    }
}

/// pflag's parsing rules: flags anywhere (interspersed), `--` ends them, `--name=value`,
/// `--name value`, `-abc` for combined booleans, `-cvalue` / `-c value`, repeatable arrays.
public enum ArgumentParser {
    public static func parse(_ arguments: [String], flags: [Flag], interspersed: Bool = true) throws(UsageError) -> ParsedArguments {
        var result = ParsedArguments()
        var index = 0
        func store(_ flag: Flag, _ value: String, _ display: String) throws(UsageError) {
            switch flag.kind {
            case .int:
                guard Int(value) != nil else {
                    throw UsageError(
                        "invalid argument \"\(value)\" for \"\(display)\" flag: strconv.ParseInt: parsing \"\(value)\": invalid syntax")
                }
            case .uint:
                guard UInt32(value) != nil else {
                    throw UsageError(
                        "invalid argument \"\(value)\" for \"\(display)\" flag: strconv.ParseUint: parsing \"\(value)\": invalid syntax")
                }
            case .bool:
                guard ["true", "false", "1", "0", "t", "f", "TRUE", "FALSE", "True", "False", "T", "F"].contains(value) else {
                    throw UsageError(
                        "invalid argument \"\(value)\" for \"\(display)\" flag: strconv.ParseBool: parsing \"\(value)\": invalid syntax")
                }
                let truth = ["true", "1", "t", "TRUE", "True", "T"].contains(value)
                result.values[flag.long, default: []].append(truth ? "true" : "false")
                return
            case .string, .stringArray:
                break
            }
            if flag.kind == .stringArray {
                result.values[flag.long, default: []].append(value)
            } else {
                result.values[flag.long] = [value]
            }
        }
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                result.afterDashDash = result.positional.count
                result.positional.append(contentsOf: arguments[index...])
                break
            }
            if !argument.hasPrefix("-") || argument == "-" {
                result.positional.append(argument)
                if !interspersed {
                    result.positional.append(contentsOf: arguments[index...])
                    break
                }
                continue
            }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name: String
                var inline: String?
                if let equals = body.firstIndex(of: "=") {
                    name = String(body[..<equals])
                    inline = String(body[body.index(after: equals)...])
                } else {
                    name = String(body)
                }
                guard let flag = flags.first(where: { $0.long == name }) else { throw UsageError("unknown flag: --\(name)") }
                if let inline {
                    try store(flag, inline, "--\(name)")
                } else if flag.kind == .bool {
                    try store(flag, "true", "--\(name)")
                } else if let noOption = flag.noOptionDefault {
                    try store(flag, noOption, "--\(name)")
                } else {
                    guard index < arguments.count else { throw UsageError("flag needs an argument: --\(name)") }
                    try store(flag, arguments[index], "--\(name)")
                    index += 1
                }
                continue
            }
            // Shorthand cluster.
            let shorthands = Array(argument.dropFirst())
            var position = 0
            while position < shorthands.count {
                let character = shorthands[position]
                position += 1
                guard let flag = flags.first(where: { $0.short == character }) else {
                    throw UsageError("unknown shorthand flag: '\(character)' in \(argument)")
                }
                let display = "-\(character), --\(flag.long)"
                if position < shorthands.count, shorthands[position] == "=" {
                    try store(flag, String(shorthands[(position + 1)...]), display)
                    break
                }
                if flag.kind == .bool {
                    try store(flag, "true", display)
                } else if let noOption = flag.noOptionDefault {
                    try store(flag, noOption, display)
                } else if position < shorthands.count {
                    try store(flag, String(shorthands[position...]), display)
                    break
                } else {
                    guard index < arguments.count else { throw UsageError("flag needs an argument: '\(character)' in -\(character)") }
                    try store(flag, arguments[index], display)
                    index += 1
                }
            }
        }
        return result
    }
}
