import LXDAPI
import LXDClient
import LXDCommandLine
import YAML

/// Whose devices `lxc profile device` / `lxc config device` edit.
enum DeviceTarget: Sendable {
    case profile
    case instance

    /// The placeholder in usage lines.
    var noun: String { self == .profile ? "<profile>" : "<instance>" }
    var exampleName: String { self == .profile ? "profile1" : "instance1" }
}

/// The devices of one profile or instance, loaded for a read-modify-write (with the ETag).
struct DeviceOwner {
    let name: String
    /// The profile's or the instance's own devices.
    var devices: Devices
    /// What the instance gets from its profiles too (the profile's own devices for a profile).
    let expandedDevices: Devices
    let save: (Devices) throws -> Void

    static func load(_ ctx: CLIContext, _ target: DeviceTarget, _ argument: String) throws -> DeviceOwner {
        let (server, name) = try ctx.resolve(argument)
        guard !name.isEmpty else { throw UsageError("Missing name") }
        switch target {
        case .profile:
            let (profile, etag, _) = try server.getProfile(name)
            return DeviceOwner(name: name, devices: profile.devices, expandedDevices: profile.devices) { devices in
                var put = profile.writable
                put.devices = devices
                try server.updateProfile(name, put, etag: etag)
            }
        case .instance:
            let (instance, etag, _) = try server.getInstanceWithETag(name)
            return DeviceOwner(name: name, devices: instance.devices, expandedDevices: instance.expandedDevices) { devices in
                var put = instance.writable
                put.devices = devices
                _ = try server.updateInstance(name, put, etag: etag).wait()
            }
        }
    }

    /// The device `device` of the instance itself; one that only comes from a profile cannot be
    /// changed here (`action` words LXD's refusal).
    func ownDevice(_ device: String, _ target: DeviceTarget, action: String) throws -> [String: String] {
        if let found = devices[device] { return found }
        guard target == .instance, expandedDevices[device] != nil else { throw UsageError("Device doesn't exist") }
        throw UsageError("Device from profile(s) cannot be \(action)")
    }
}

/// `key=value` device properties (`lxc config device add/override`).
func deviceProperties(_ arguments: some Collection<String>) throws -> [(String, String)] {
    try arguments.map { argument in
        guard let equals = argument.firstIndex(of: "=") else { throw UsageError("No value found in \(goQuoted(argument))") }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}

/// Go's `%q` for ordinary text.
func goQuoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

/// `lxc profile device` / `lxc config device`.
struct DeviceCommand: LXCCommand {
    let target: DeviceTarget

    var spec: CommandSpec { CommandSpec(name: "device", short: "Manage devices") }

    var subcommands: [any LXCCommand] {
        var commands: [any LXCCommand] = [
            DeviceAddCommand(target: target), DeviceGetCommand(target: target), DeviceListCommand(target: target),
            DeviceRemoveCommand(target: target), DeviceSetCommand(target: target, isUnset: false), DeviceShowCommand(target: target),
            DeviceSetCommand(target: target, isUnset: true),
        ]
        if target == .instance { commands.insert(DeviceOverrideCommand(), at: 3) }
        return commands
    }
}

struct DeviceAddCommand: LXCCommand {
    let target: DeviceTarget

    var spec: CommandSpec {
        let name = target.exampleName
        return CommandSpec(
            name: "add", usage: "[<remote>:]\(target.noun) <device> <type> [key=value...]", short: "Add instance devices",
            example: """
                lxc \(target == .profile ? "profile" : "config") device add [<remote>:]\(name) <device-name> disk source=/share/c1 path=/opt
                    Will mount the host's /share/c1 onto /opt in the instance.

                lxc \(target == .profile ? "profile" : "config") device add [<remote>:]\(name) <device-name> disk pool=some-pool source=some-volume path=/opt
                    Will mount the some-volume volume on some-pool onto /opt in the instance.
                """)
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 3, max: -1) else { return }
        let positional = args.positional
        var device = ["type": positional[2]]
        for (key, value) in try deviceProperties(positional.dropFirst(3)) { device[key] = value }
        var owner = try DeviceOwner.load(ctx, target, positional[0])
        guard owner.devices[positional[1]] == nil else { throw UsageError("The device already exists") }
        owner.devices[positional[1]] = device
        try owner.save(owner.devices)
        ctx.say("Device \(positional[1]) added to \(owner.name)")
    }
}

struct DeviceGetCommand: LXCCommand {
    let target: DeviceTarget

    var spec: CommandSpec {
        CommandSpec(name: "get", usage: "[<remote>:]\(target.noun) <device> <key>", short: "Get values for device configuration keys")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 3, max: 3) else { return }
        let owner = try DeviceOwner.load(ctx, target, args.positional[0])
        let device = try owner.ownDevice(args.positional[1], target, action: "retrieved for individual instance")
        ctx.print(device[args.positional[2]] ?? "")
    }
}

struct DeviceListCommand: LXCCommand {
    let target: DeviceTarget

    var spec: CommandSpec { CommandSpec(name: "list", aliases: ["ls"], usage: "[<remote>:]\(target.noun)", short: "List instance devices") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let owner = try DeviceOwner.load(ctx, target, args.positional[0])
        // LXD prints them in Go's random map order; sorted here.
        ctx.print(owner.devices.keys.sorted().joined(separator: "\n"))
    }
}

struct DeviceRemoveCommand: LXCCommand {
    let target: DeviceTarget

    var spec: CommandSpec {
        CommandSpec(name: "remove", aliases: ["rm"], usage: "[<remote>:]\(target.noun) <name>...", short: "Remove instance devices")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: -1) else { return }
        var owner = try DeviceOwner.load(ctx, target, args.positional[0])
        let names = Array(args.positional.dropFirst())
        for name in names {
            _ = try owner.ownDevice(
                name, target, action: "removed from individual instance. Override device or modify profile instead")
            owner.devices[name] = nil
        }
        try owner.save(owner.devices)
        ctx.say("Device \(names.joined(separator: ", ")) removed from \(owner.name)")
    }
}

/// `device set` and `device unset` (unset sets the key to the empty value, which the server drops).
struct DeviceSetCommand: LXCCommand {
    let target: DeviceTarget
    let isUnset: Bool

    var spec: CommandSpec {
        if isUnset {
            return CommandSpec(name: "unset", usage: "[<remote>:]\(target.noun) <device> <key>", short: "Unset device configuration keys")
        }
        let group = target == .profile ? "profile" : "config"
        return CommandSpec(
            name: "set", usage: "[<remote>:]\(target.noun) <device> <key>=<value>...", short: "Set device configuration keys",
            long: """
                Set device configuration keys

                For backward compatibility, a single configuration key may still be set with:
                    lxc \(group) device set [<remote>:]\(target.noun) <device> <key> <value>
                """)
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard let arguments = try ctx.setArguments(args, isUnset: isUnset, min: 3, unsetMax: 3) else { return }
        let keys = try KeyValueArguments.parse(Array(arguments.dropFirst(2)))
        var owner = try DeviceOwner.load(ctx, target, arguments[0])
        var device = try owner.ownDevice(
            arguments[1], target, action: "modified for individual instance. Override device or modify profile instead")
        for (key, value) in keys { device[key] = value }
        owner.devices[arguments[1]] = device
        try owner.save(owner.devices)
    }
}

struct DeviceShowCommand: LXCCommand {
    let target: DeviceTarget

    var spec: CommandSpec { CommandSpec(name: "show", usage: "[<remote>:]\(target.noun)", short: "Show full device configuration") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let owner = try DeviceOwner.load(ctx, target, args.positional[0])
        ctx.stdout.write(YAML.emit(Self.yaml(owner.devices)))
    }

    /// Devices as yaml.v2 writes a `map[string]map[string]string`: keys sorted, values strings.
    static func yaml(_ devices: Devices) -> YAMLNode {
        .mapping(
            devices.sorted { $0.key < $1.key }.map { name, settings in
                (key: name, value: .mapping(settings.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) }))
            })
    }
}

struct DeviceOverrideCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "override", usage: "[<remote>:]<instance> <device> [key=value...]",
            short: "Copy profile inherited devices and override configuration keys")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: -1) else { return }
        var owner = try DeviceOwner.load(ctx, .instance, args.positional[0])
        let name = args.positional[1]
        guard owner.devices[name] == nil else { throw UsageError("The device already exists") }
        guard var device = owner.expandedDevices[name] else { throw UsageError("The profile device doesn't exist") }
        for (key, value) in try deviceProperties(args.positional.dropFirst(2)) { device[key] = value }
        owner.devices[name] = device
        try owner.save(owner.devices)
        ctx.say("Device \(name) overridden for \(owner.name)")
    }
}
