import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import YAML

/// `lxc config metadata` and `lxc config template` (LXD's config_metadata.go and
/// config_template.go): an instance's `metadata.yaml` and its template files.
struct ConfigMetadataCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "metadata", short: "Manage instance metadata files") }

    var subcommands: [any LXCCommand] { [ConfigMetadataEditCommand(), ConfigMetadataShowCommand()] }
}

struct ConfigMetadataShowCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "show", usage: "[<remote>:]<instance>", short: "Show instance metadata files") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        guard !name.isEmpty else { throw UsageError("Missing instance name") }
        ctx.stdout.write(try server.getInstanceMetadata(name).metadata.goYAML)
    }
}

struct ConfigMetadataEditCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "edit", usage: "[<remote>:]<instance>", short: "Edit instance metadata files") }

    /// The commented header LXD's client puts above the metadata in the editor.
    static let header = """
        ### This is a YAML representation of the instance metadata.
        ### Any line starting with a '# will be ignored.
        ###
        ### A sample configuration looks like:
        ###
        ### architecture: x86_64
        ### creation_date: 1477146654
        ### expiry_date: 0
        ### properties:
        ###   architecture: x86_64
        ###   description: BusyBox x86_64
        ###   name: busybox-x86_64
        ###   os: BusyBox
        ### templates:
        ###   /template:
        ###     when:
        ###     - ""
        ###     create_only: false
        ###     template: template.tpl
        ###     properties: {}
        """

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        guard !name.isEmpty else { throw UsageError("Missing instance name") }
        try YAMLEditor(ctx: ctx).run(header: Self.header) {
            let (metadata, etag) = try server.getInstanceMetadata(name)
            return (metadata.goYAML, etag)
        } apply: { text, etag in
            try server.updateInstanceMetadata(name, try YAMLUnmarshaler.imageMetadata(text), etag: etag)
        }
    }
}

struct ConfigTemplateCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "template", short: "Manage instance file templates") }

    var subcommands: [any LXCCommand] {
        [
            ConfigTemplateCreateCommand(), ConfigTemplateDeleteCommand(), ConfigTemplateEditCommand(), ConfigTemplateListCommand(),
            ConfigTemplateShowCommand(),
        ]
    }

    /// `[<remote>:]<instance> <template>`: the server, instance and template name.
    static func target(_ ctx: CLIContext, _ args: ParsedArguments) throws -> (LXDServer, String, String) {
        let (server, name) = try ctx.resolve(args.positional[0])
        guard !name.isEmpty else { throw UsageError("Missing instance name") }
        return (server, name, args.positional[1])
    }
}

struct ConfigTemplateListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", usage: "[<remote>:]<instance>", short: "List instance file templates",
            flags: [
                Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")", default: "table")
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let format = try ctx.parseFormat(args)
        let (server, name) = try ctx.resolve(args.positional[0])
        guard !name.isEmpty else { throw UsageError("Missing instance name") }
        let files = try server.getInstanceTemplateFiles(name)
        ctx.renderList(format, header: ["FILENAME"], rows: files.sorted().map { [$0] }, raw: .array(files.map { .string($0) }))
    }
}

struct ConfigTemplateShowCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "show", usage: "[<remote>:]<instance> <template>", short: "Show content of instance file templates")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name, template) = try ConfigTemplateCommand.target(ctx, args)
        ctx.stdout.write(String(decoding: try server.getInstanceTemplateFile(name, template), as: UTF8.self))
    }
}

struct ConfigTemplateCreateCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "create", usage: "[<remote>:]<instance> <template>", short: "Create new instance file templates")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name, template) = try ConfigTemplateCommand.target(ctx, args)
        // LXD 5.0.2's client creates the file empty, whatever stdin holds.
        try server.setInstanceTemplateFile(name, template, nil)
    }
}

struct ConfigTemplateEditCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "edit", usage: "[<remote>:]<instance> <template>", short: "Edit instance file templates")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name, template) = try ConfigTemplateCommand.target(ctx, args)
        try YAMLEditor(ctx: ctx).run(header: nil, failure: "Error updating template file") {
            (String(decoding: try server.getInstanceTemplateFile(name, template), as: UTF8.self), "")
        } apply: { text, _ in
            try server.setInstanceTemplateFile(name, template, Data(text.utf8))
        }
    }
}

struct ConfigTemplateDeleteCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "delete", aliases: ["rm"], usage: "[<remote>:]<instance> <template>", short: "Delete instance file templates")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name, template) = try ConfigTemplateCommand.target(ctx, args)
        try server.deleteInstanceTemplateFile(name, template)
    }
}

extension YAMLUnmarshaler {
    /// `api.ImageMetadata` with yaml.v2's rules and errors.
    static func imageMetadata(_ text: String) throws -> ImageMetadata {
        try decode(text) { reader, node, lines in
            var metadata = ImageMetadata()
            for (key, value, valueLines) in reader.pairs(node, lines, "api.ImageMetadata") {
                switch key {
                case "architecture": metadata.architecture = reader.string(value, valueLines)
                case "creation_date": metadata.creationDate = reader.int64(value, valueLines)
                case "expiry_date": metadata.expiryDate = reader.int64(value, valueLines)
                case "properties": metadata.properties = reader.stringMap(value, valueLines)
                case "templates":
                    for (path, entry, entryLines) in reader.pairs(value, valueLines, "map[string]*api.ImageMetadataTemplate") {
                        var template = ImageMetadataTemplate()
                        for (field, setting, settingLines) in reader.pairs(entry, entryLines, "api.ImageMetadataTemplate") {
                            switch field {
                            case "when": template.when = reader.strings(setting, settingLines) ?? []
                            case "create_only": template.createOnly = reader.bool(setting, settingLines)
                            case "template": template.template = reader.string(setting, settingLines)
                            case "properties": template.properties = reader.stringMap(setting, settingLines)
                            default: continue
                            }
                        }
                        metadata.templates[path] = template
                    }
                default: continue
                }
            }
            return metadata
        }
    }

    mutating func int64(_ node: YAMLNode, _ lines: YAMLLines) -> Int64 {
        if node.isNull { return 0 }
        if let value = node.int { return value }
        mismatch(node, lines, "int64")
        return 0
    }
}
