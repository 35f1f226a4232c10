import LXDAPI
import LXDCommandLine

/// `lxc image get-property|set-property|unset-property`: one key of an image's properties,
/// changed through a read-modify-write of its writable fields (`PUT` with the ETag).
struct ImagePropertyCommand: LXCCommand {
    enum Verb: String {
        case get = "get-property"
        case set = "set-property"
        case unset = "unset-property"
    }

    let verb: Verb

    var spec: CommandSpec {
        switch verb {
        case .get: CommandSpec(name: verb.rawValue, usage: "[<remote>:]<image> <key>", short: "Get image properties")
        case .set: CommandSpec(name: verb.rawValue, usage: "[<remote>:]<image> <key> <value>", short: "Set image properties")
        case .unset: CommandSpec(name: verb.rawValue, usage: "[<remote>:]<image> <key>", short: "Unset image properties")
        }
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        let count = verb == .set ? 3 : 2
        guard try ctx.checkArgs(args, min: count, max: count) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let (fingerprint, image, _) = try resolveImage(server, name)
        let key = args.positional[1]
        var put = image.writable
        switch verb {
        case .get:
            guard let value = image.properties[key] else { throw LXDError(.notFound, "Property not found") }
            ctx.print(value)
            return
        case .set:
            put.properties[key] = args.positional[2]
        case .unset:
            put.properties[key] = nil
        }
        try server.updateImage(fingerprint, put)
    }
}

/// `lxc image refresh`: asks the server to refresh each image from its source.
struct ImageRefreshCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "refresh", usage: "[<remote>:]<image> [[<remote>:]<image>...]", short: "Refresh images")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: -1) else { return }
        for argument in args.positional {
            let (server, name) = try ctx.resolve(argument)
            let (fingerprint, _, _) = try resolveImage(server, name)
            let progress = ProgressRenderer(format: "Refreshing the image: %s", quiet: ctx.isQuiet, out: ctx.stdout)
            let operation = try server.refreshImage(fingerprint)
            let final = try operation.wait { progress.update(operation: $0) }
            progress.finish()
            let refreshed = if case .bool(true) = final.metadata["refreshed"] { true } else { false }
            ctx.print(refreshed ? "Image refreshed successfully!" : "Image already up to date.")
        }
    }
}
