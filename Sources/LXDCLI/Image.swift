import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import YAML

struct ImageCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "image", short: "Manage images",
            long: """
                Manage images

                In LXD instances are created from images. Those images were themselves
                either generated from an existing instance or downloaded from an image
                server.

                When using remote images, LXD will automatically cache images for you
                and remove them upon expiration.

                The image unique identifier is the hash (sha-256) of its representation
                as a compressed tarball (or for split images, the concatenation of the
                metadata and rootfs tarballs).

                Images can be referenced by their full hash, shortest unique partial
                hash or alias name (if one is set).
                """)
    }

    var subcommands: [any LXCCommand] {
        [
            ImageAliasCommand(),
            ImageCopyCommand(),
            ImageDeleteCommand(),
            ImageEditCommand(),
            ImageExportCommand(),
            ImagePropertyCommand(verb: .get),
            ImageImportCommand(),
            ImageInfoCommand(),
            ImageListCommand(),
            ImageRefreshCommand(),
            ImagePropertyCommand(verb: .set),
            ImageShowCommand(),
            ImagePropertyCommand(verb: .unset),
        ]
    }
}

/// Resolves an alias or (partial) fingerprint the way LXD's client does: the alias first, then
/// the image itself.
func resolveImage(_ server: LXDServer, _ name: String) throws -> (fingerprint: String, image: Image, raw: Data) {
    var fingerprint = name
    if let alias = try? server.getImageAlias(name) { fingerprint = alias.target }
    let (image, raw) = try server.getImage(fingerprint)
    return (image.fingerprint, image, raw)
}

struct ImageImportCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "import", usage: "<tarball>|<directory>|<URL> [<rootfs tarball>] [<remote>:] [key=value...]",
            short: "Import images into the image store",
            long: "Import image into the image store\n\nDirectory import is only available on Linux and must be performed as root.",
            flags: [
                Flag("alias", .stringArray, usage: "New aliases to add to the image"),
                Flag("public", usage: "Make image public"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: -1) else { return }
        var properties: [String: String] = [:]
        var files: [String] = []
        for argument in args.positional {
            if let equals = argument.firstIndex(of: "="), !FileManager.default.fileExists(atPath: argument) {
                properties[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
            } else if !argument.hasSuffix(":") {
                files.append(argument)
            }
        }
        guard let file = files.first else { throw UsageError("Invalid number of arguments") }
        guard files.count == 1 else { throw UsageError("Split images are not supported by this client yet") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw UsageError("open \(file): no such file or directory")
        }
        if isDirectory.boolValue { throw UsageError("Directory import is not supported by this client yet") }
        let server = try ctx.listServer(args.positional)
        let progress = ProgressRenderer(format: "Transferring image: %s", quiet: ctx.isQuiet, out: ctx.stdout)
        let operation = try server.createImage(file: file, isPublic: args.bool("public"), properties: properties)
        let final: LXDAPI.Operation
        do {
            final = try operation.wait { progress.update(operation: $0) }
        } catch {
            progress.finish()
            throw error
        }
        let fingerprint = final.metadata["fingerprint"]?.stringValue ?? ""
        progress.finish("Image imported with fingerprint: \(fingerprint)")
        try ensureAliases(ctx, server, args.strings("alias"), fingerprint: fingerprint)
    }
}

/// LXD's `ensureImageAliases`: aliases of the same name are moved to the new image.
func ensureAliases(_ ctx: CLIContext, _ server: LXDServer, _ names: [String], fingerprint: String) throws {
    guard !names.isEmpty else { return }
    let existing = try server.getImageAliases().aliases
    for alias in existing where names.contains(alias.name) {
        if (try? server.deleteImageAlias(alias.name)) == nil { ctx.print("Failed to remove alias \(alias.name)") }
    }
    for name in names {
        if (try? server.createImageAlias(ImageAliasesEntry(name: name, target: fingerprint, type: ""))) == nil {
            ctx.print("Failed to create alias \(name)")
        }
    }
}

struct ImageListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", aliases: ["ls"], usage: "[<remote>:] [<filter>...]", short: "List images",
            long: """
                List images

                Filters may be of the <key>=<value> form for property based filtering,
                or part of the image hash or part of the image alias name.

                The -c option takes a (optionally comma-separated) list of arguments
                that control which image attributes to output when displaying in table
                or csv format.

                Default column layout is: lfpdasu

                Column shorthand chars:

                    l - Shortest image alias (and optionally number of other aliases)
                    L - Newline-separated list of all image aliases
                    f - Fingerprint (short)
                    F - Fingerprint (long)
                    p - Whether image is public
                    d - Description
                    a - Architecture
                    s - Size
                    u - Upload date
                    t - Type
                """,
            flags: [
                Flag("columns", short: "c", .string, usage: "Columns (default \"lfpdatsu\")", default: "lfpdatsu"),
                Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")", default: "table"),
            ])
    }

    struct Column {
        let header: String
        let value: (Image) -> String
    }

    static func columns(_ text: String) throws -> [Column] {
        var columns: [Column] = []
        for character in text.replacingOccurrences(of: ",", with: "") {
            switch character {
            case "l":
                columns.append(
                    Column(header: "ALIAS") { image in
                        var shortest = ""
                        for alias in image.aliases {
                            if shortest.isEmpty || (!alias.name.isEmpty && alias.name.count < shortest.count) { shortest = alias.name }
                        }
                        return image.aliases.count > 1 ? "\(shortest) (\(image.aliases.count - 1) more)" : shortest
                    })
            case "L": columns.append(Column(header: "ALIASES") { $0.aliases.map(\.name).joined(separator: "\n") })
            case "f": columns.append(Column(header: "FINGERPRINT") { String($0.fingerprint.prefix(12)) })
            case "F": columns.append(Column(header: "FINGERPRINT") { $0.fingerprint })
            case "p": columns.append(Column(header: "PUBLIC") { $0.isPublic ? "yes" : "no" })
            case "d": columns.append(Column(header: "DESCRIPTION") { $0.properties["description"] ?? "" })
            case "a": columns.append(Column(header: "ARCHITECTURE") { $0.architecture })
            case "s": columns.append(Column(header: "SIZE") { String(format: "%.2fMB", Double($0.size) / 1024 / 1024) })
            case "u": columns.append(Column(header: "UPLOAD DATE") { LocalTime.imageDate($0.uploadedAt) })
            case "t": columns.append(Column(header: "TYPE") { $0.type.isEmpty ? "CONTAINER" : $0.type.uppercased() })
            default: throw UsageError("Unknown column shorthand char '\(character)' in '\(text)'")
            }
        }
        return columns
    }

    static func shouldShow(_ image: Image, _ filters: [String]) -> Bool {
        for filter in filters {
            var found = false
            if let equals = filter.firstIndex(of: "=") {
                let key = String(filter[..<equals])
                let value = String(filter[filter.index(after: equals)...])
                found = image.properties[key] == value
            } else {
                found = image.aliases.contains { $0.name.contains(filter) } || image.fingerprint.hasPrefix(filter)
            }
            if !found { return false }
        }
        return true
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        let format = try ctx.parseFormat(args)
        let columns = try ImageListCommand.columns(args.string("columns", default: "lfpdatsu"))
        let filters = args.positional.filter { !$0.hasSuffix(":") }
        let images: [Image]
        let raw: Data
        if let streams = try ctx.simpleStreamsServer(args.positional) {
            // LXD's client reads a simplestreams server's catalog itself.
            images = SimpleStreams.images(try streams.entries())
            raw = try LXDServer.encode(images)
        } else {
            (images, raw) = try ctx.listServer(args.positional, image: true).getImages()
        }
        let rawItems = (OrderedJSON.parseOrNull(raw).array ?? []).map(GoSchema.image.apply)
        var shown: [OrderedJSON] = []
        var rows: [[String]] = []
        for (index, image) in images.enumerated() where ImageListCommand.shouldShow(image, filters) {
            rows.append(columns.map { $0.value(image) })
            if index < rawItems.count { shown.append(rawItems[index]) }
        }
        ctx.renderList(format, header: columns.map(\.header), rows: sortRowsNaturally(rows), raw: .array(shown))
    }
}

struct ImageShowCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "show", usage: "[<remote>:]<image>", short: "Show image properties",
            flags: [Flag("vm", usage: "Query virtual machine images")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolveImageArgument(args.positional[0])
        let (_, _, raw) = try resolveImage(server, name)
        let put = GoSchema.image.apply(OrderedJSON.parseOrNull(raw)).picking([
            "auto_update", "properties", "public", "expires_at", "profiles",
        ])
        ctx.stdout.write(YAML.emit(put.yamlNode))
    }
}

struct ImageDeleteCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "delete", aliases: ["rm"], usage: "[<remote>:]<image> [[<remote>:]<image>...]", short: "Delete images")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: -1) else { return }
        for argument in args.positional {
            let (server, name) = try ctx.resolve(argument)
            var fingerprint = name
            if let alias = try? server.getImageAlias(name) { fingerprint = alias.target }
            try server.deleteImage(fingerprint).wait()
        }
    }
}

struct ImageAliasCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "alias", short: "Manage image aliases") }

    var subcommands: [any LXCCommand] {
        [ImageAliasCreateCommand(), ImageAliasDeleteCommand(), ImageAliasListCommand(), ImageAliasRenameCommand()]
    }
}

struct ImageAliasCreateCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "create", usage: "[<remote>:]<alias> <fingerprint>", short: "Create aliases for existing images")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        try server.createImageAlias(ImageAliasesEntry(name: name, target: args.positional[1], type: ""))
    }
}

struct ImageAliasDeleteCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "delete", aliases: ["rm"], usage: "[<remote>:]<alias>", short: "Delete image aliases") }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        try server.deleteImageAlias(name)
    }
}

struct ImageAliasRenameCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "rename", aliases: ["mv"], usage: "[<remote>:]<alias> <new-name>", short: "Rename aliases")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        try server.renameImageAlias(name, to: args.positional[1])
    }
}

struct ImageAliasListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", aliases: ["ls"], usage: "[<remote>:] [<filters>...]", short: "List image aliases",
            long: "List image aliases\n\nFilters may be part of the image hash or part of the image alias name.",
            flags: [Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        let format = try ctx.parseFormat(args)
        let filters = args.positional.filter { !$0.hasSuffix(":") }
        let (aliases, raw) = try ctx.listServer(args.positional, image: true).getImageAliases()
        let rawItems = (OrderedJSON.parseOrNull(raw).array ?? []).map(GoSchema.imageAlias.apply)
        var rows: [[String]] = []
        var shown: [OrderedJSON] = []
        for (index, alias) in aliases.enumerated() {
            if !filters.isEmpty && !filters.contains(where: { alias.name.contains($0) || alias.target.hasPrefix($0) }) { continue }
            rows.append([
                alias.name, String(alias.target.prefix(12)), alias.type.isEmpty ? "CONTAINER" : alias.type.uppercased(), alias.description,
            ])
            if index < rawItems.count { shown.append(rawItems[index]) }
        }
        ctx.renderList(format, header: ["ALIAS", "FINGERPRINT", "TYPE", "DESCRIPTION"], rows: sortRowsNaturally(rows), raw: .array(shown))
    }
}
