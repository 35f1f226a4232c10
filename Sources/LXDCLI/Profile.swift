import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import YAML

/// `lxc profile`: profiles and which instances use them (LXD's lxc/profile.go).
struct ProfileCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "profile", short: "Manage profiles") }

    var subcommands: [any LXCCommand] {
        [
            ProfileAttachCommand(verb: .add), ProfileAttachCommand(verb: .assign), ProfileCopyCommand(), ProfileCreateCommand(),
            ProfileDeleteCommand(), DeviceCommand(target: .profile), ProfileEditCommand(), ProfileGetCommand(), ProfileListCommand(),
            ProfileAttachCommand(verb: .remove), ProfileRenameCommand(), ProfileSetCommand(verb: .set), ProfileShowCommand(),
            ProfileSetCommand(verb: .unset),
        ]
    }
}

extension GoSchema {
    /// `api.Profile`'s field order.
    static let profile: GoSchema = .object(["config", "description", "devices", "name", "used_by"].map { ($0, GoSchema.any) })
}

extension CLIContext {
    /// The server and profile name of a `[<remote>:]<profile>` argument.
    func resolveProfile(_ argument: String) throws -> (server: LXDServer, name: String) {
        let (server, name) = try resolve(argument)
        guard !name.isEmpty else { throw UsageError("Missing profile name") }
        return (server, name)
    }

    /// The server and instance name of a `[<remote>:]<instance>` argument.
    func resolveInstance(_ argument: String, missing: String = "Missing instance name") throws -> (server: LXDServer, name: String) {
        let (server, name) = try resolve(argument)
        guard !name.isEmpty else { throw UsageError(missing) }
        return (server, name)
    }

    /// The arguments of a `set`/`unset` pair: LXD runs `unset` as `set` with an empty value
    /// appended, after each has checked its own argument count. Nil when help was shown.
    func setArguments(_ args: ParsedArguments, isUnset: Bool, min: Int, unsetMax: Int) throws -> [String]? {
        guard try checkArgs(args, min: min, max: isUnset ? unsetMax : -1) else { return nil }
        return isUnset ? args.positional + [""] : args.positional
    }

    /// Prints unless `--quiet`.
    func say(_ text: String) {
        if !isQuiet { print(text) }
    }
}

/// LXD's `getConfig`: `<key> <value>` (two arguments, the first without `=`) or `<key>=<value>...`;
/// a value of `-` is read from stdin when stdin is not a terminal.
enum KeyValueArguments {
    static func parse(_ arguments: [String], readStdin: () throws -> String = { try YAMLEditor.standardInput() }) throws -> [(
        key: String, value: String
    )] {
        func value(_ text: String) throws -> String { text == "-" && isatty(0) == 0 ? try readStdin() : text }
        if arguments.count == 2 && !arguments[0].contains("=") {
            return [(arguments[0], try value(arguments[1]))]
        }
        return try arguments.map { argument in
            guard let equals = argument.firstIndex(of: "=") else { throw UsageError("Invalid key=value configuration: \(argument)") }
            return (String(argument[..<equals]), try value(String(argument[argument.index(after: equals)...])))
        }
    }
}

struct ProfileListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", aliases: ["ls"], usage: "[<remote>:]", short: "List profiles",
            flags: [Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 1) else { return }
        let format = try ctx.parseFormat(args)
        let (server, _) = try ctx.resolve(args.positional.first ?? "")
        let (profiles, raw) = try server.getProfiles()
        let rows = profiles.map { [$0.name, $0.description, String($0.usedBy.count)] }
        let rawItems = (OrderedJSON.parseOrNull(raw).array ?? []).map(GoSchema.profile.apply)
        ctx.renderList(format, header: ["NAME", "DESCRIPTION", "USED BY"], rows: sortRowsNaturally(rows), raw: .array(rawItems))
    }
}

struct ProfileShowCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "show", usage: "[<remote>:]<profile>", short: "Show profile configurations") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolveProfile(args.positional[0])
        let (_, _, raw) = try server.getProfile(name)
        ctx.stdout.write(YAML.emit(GoSchema.profile.apply(OrderedJSON.parseOrNull(raw)).yamlNode))
    }
}

struct ProfileCreateCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "create", usage: "[<remote>:]<profile>", short: "Create profiles") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolveProfile(args.positional[0])
        try server.createProfile(ProfilesPost(name: name))
        ctx.say("Profile \(name) created")
    }
}

struct ProfileCopyCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "copy", aliases: ["cp"], usage: "[<remote>:]<profile> [<remote>:]<profile>", short: "Copy profiles",
            flags: [Flag("target-project", .string, usage: "Copy to a project different from the source")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (source, sourceName) = try ctx.resolve(args.positional[0])
        let (destination, targetName) = try ctx.resolve(args.positional[1])
        guard !sourceName.isEmpty else { throw UsageError("Missing source profile name") }
        let destinationName = targetName.isEmpty ? sourceName : targetName
        if args.isSet("target-project"), !args.string("target-project").isEmpty {
            throw UsageError("Projects are not supported by this client yet")
        }
        let (profile, _, _) = try source.getProfile(sourceName)
        try destination.createProfile(ProfilesPost(name: destinationName, put: profile.writable))
    }
}

struct ProfileRenameCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "rename", aliases: ["mv"], usage: "[<remote>:]<profile> <new-name>", short: "Rename profiles")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name) = try ctx.resolveProfile(args.positional[0])
        try server.renameProfile(name, to: args.positional[1])
        ctx.say("Profile \(name) renamed to \(args.positional[1])")
    }
}

struct ProfileDeleteCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "delete", aliases: ["rm"], usage: "[<remote>:]<profile>", short: "Delete profiles") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolveProfile(args.positional[0])
        try server.deleteProfile(name)
        ctx.say("Profile \(name) deleted")
    }
}

struct ProfileGetCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "get", usage: "[<remote>:]<profile> <key>", short: "Get values for profile configuration keys")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name) = try ctx.resolveProfile(args.positional[0])
        let (profile, _, _) = try server.getProfile(name)
        ctx.print(profile.config[args.positional[1]] ?? "")
    }
}

/// `lxc profile set` and `unset` (unset sets the key to the empty value, which the server drops).
struct ProfileSetCommand: LXCCommand {
    enum Verb { case set, unset }
    let verb: Verb

    var spec: CommandSpec {
        switch verb {
        case .set:
            CommandSpec(
                name: "set", usage: "[<remote>:]<profile> <key><value>...", short: "Set profile configuration keys",
                long: """
                    Set profile configuration keys

                    For backward compatibility, a single configuration key may still be set with:
                        lxc profile set [<remote>:]<profile> <key> <value>
                    """)
        case .unset:
            CommandSpec(name: "unset", usage: "[<remote>:]<profile> <key>", short: "Unset profile configuration keys")
        }
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard let arguments = try ctx.setArguments(args, isUnset: verb == .unset, min: 2, unsetMax: 2) else { return }
        let (server, name) = try ctx.resolveProfile(arguments[0])
        let (profile, etag, _) = try server.getProfile(name)
        var put = profile.writable
        for (key, value) in try KeyValueArguments.parse(Array(arguments.dropFirst())) { put.config[key] = value }
        try server.updateProfile(name, put, etag: etag)
    }
}

struct ProfileEditCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "edit", usage: "[<remote>:]<profile>", short: "Edit profile configurations as YAML",
            example: "lxc profile edit <profile> < profile.yaml\n    Update a profile using the content of profile.yaml")
    }

    /// The commented header LXD's client puts above the profile in the editor.
    static let header = """
        ### This is a YAML representation of the profile.
        ### Any line starting with a '# will be ignored.
        ###
        ### A profile consists of a set of configuration items followed by a set of
        ### devices.
        ###
        ### An example would look like:
        ### name: onenic
        ### config:
        ###   raw.lxc: lxc.aa_profile=unconfined
        ### devices:
        ###   eth0:
        ###     nictype: bridged
        ###     parent: lxdbr0
        ###     type: nic
        ###
        ### Note that the name is shown but cannot be changed
        """

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolveProfile(args.positional[0])
        try YAMLEditor(ctx: ctx).run(header: Self.header) {
            let (_, etag, raw) = try server.getProfile(name)
            return (YAML.emit(GoSchema.profile.apply(OrderedJSON.parseOrNull(raw)).yamlNode), etag)
        } apply: { text, etag in
            try server.updateProfile(name, try YAMLUnmarshaler.profilePut(text), etag: etag)
        }
    }
}

/// `lxc profile add`, `remove` and `assign`: change the profile list of an instance.
struct ProfileAttachCommand: LXCCommand {
    enum Verb { case add, remove, assign }
    let verb: Verb

    var spec: CommandSpec {
        switch verb {
        case .add:
            CommandSpec(name: "add", usage: "[<remote>:]<instance> <profile>", short: "Add profiles to instances")
        case .remove:
            CommandSpec(name: "remove", usage: "[<remote>:]<instance> <profile>", short: "Remove profiles from instances")
        case .assign:
            CommandSpec(
                name: "assign", aliases: ["apply"], usage: "[<remote>:]<instance> <profiles>",
                short: "Assign sets of profiles to instances",
                example: """
                    lxc profile assign foo default,bar
                        Set the profiles for "foo" to "default" and "bar".

                    lxc profile assign foo default
                        Reset "foo" to only using the "default" profile.

                    lxc profile assign foo ''
                        Remove all profile from "foo"
                    """)
        }
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name) = try ctx.resolveInstance(args.positional[0])
        let profile = args.positional[1]
        let (instance, etag, _) = try server.getInstanceWithETag(name)
        var put = instance.writable
        switch verb {
        case .add:
            put.profiles = instance.profiles + [profile]
        case .remove:
            guard instance.profiles.contains(profile) else { throw UsageError("Profile \(profile) isn't currently applied to \(name)") }
            put.profiles = instance.profiles.filter { $0 != profile }
        case .assign:
            put.profiles = profile.isEmpty ? [] : profile.components(separatedBy: ",")
        }
        _ = try server.updateInstance(name, put, etag: etag).wait()
        switch verb {
        case .add: ctx.say("Profile \(profile) added to \(name)")
        case .remove: ctx.say("Profile \(profile) removed from \(name)")
        case .assign: ctx.say("Profiles \(profile.isEmpty ? "(none)" : profile) applied to \(name)")
        }
    }
}
