import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine

/// `lxc image copy [<remote>:]<image> <remote>:` (LXD's image.go `copy`): the target server
/// pulls the image from the source (pull mode), then gets the requested aliases.
struct ImageCopyCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "copy", aliases: ["cp"], usage: "[<remote>:]<image> <remote>:", short: "Copy images between servers",
            long: """
                Copy images between servers

                The auto-update flag instructs the server to keep this image up to date.
                It requires the source to be an alias and for it to be public.
                """,
            flags: [
                Flag("alias", .stringArray, usage: "New aliases to add to the image"),
                Flag("auto-update", usage: "Keep the image up to date after initial copy"),
                Flag("copy-aliases", usage: "Copy aliases from source"),
                Flag("mode", .string, usage: "Transfer mode. One of pull (default), push or relay (default \"pull\")"),
                Flag("public", usage: "Make image public"),
                Flag("target-project", .string, usage: "Copy to a project different from the source"),
                Flag("vm", usage: "Copy virtual machine images"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let mode = args.string("mode", default: "pull")
        guard mode == "pull" else { throw UsageError("Only the pull transfer mode is supported by this client") }
        let (sourceRemote, image) = try ctx.resolveRemote(args.positional[0])
        let (targetRemote, targetName) = try ctx.resolveRemote(args.positional[1])
        guard targetName.isEmpty else { throw UsageError("Can't provide a name for the target image") }
        var source = try RemoteImageSource.make(ctx, remote: sourceRemote, image: image)
        var aliases = args.strings("alias")
        if source.protocol == "lxd" {
            // As LXD's client: the image goes by its fingerprint, a public one named by alias by the
            // alias (the target records it, and auto-update follows it).
            let server = try ctx.imageServer(remote: sourceRemote)
            if source.fingerprint.isEmpty { source.fingerprint = source.alias }
            source.alias = ""
            if args.bool("copy-aliases") {
                let fingerprint = (try? server.getImageAlias(source.fingerprint).target) ?? source.fingerprint
                aliases += try server.getImage(fingerprint).image.aliases.map(\.name).filter { !aliases.contains($0) }
            }
        }
        let target = try ctx.server(remote: targetRemote)
        let body: JSONValue = .object([
            "public": .bool(args.bool("public")),
            "auto_update": .bool(args.bool("auto-update")),
            "aliases": .array(aliases.map { .object(["name": .string($0), "description": .string("")]) }),
            "source": .object([
                "type": .string("image"), "mode": .string("pull"), "server": .string(source.server), "protocol": .string(source.protocol),
                "certificate": .string(source.certificate), "secret": .string(source.secret), "fingerprint": .string(source.fingerprint),
                "alias": .string(source.alias),
            ]),
        ])
        let progress = ProgressRenderer(format: "Copying the image: %s", quiet: ctx.isQuiet, out: ctx.stdout)
        let final: LXDAPI.Operation
        do {
            final = try target.queryOperation("POST", "/1.0/images", body: try LXDServer.encode(body)).wait {
                progress.update(operation: $0)
            }
        } catch {
            progress.finish()
            throw error
        }
        progress.finish("Image copied successfully!")
        try ensureAliases(ctx, target, aliases, fingerprint: final.metadata["fingerprint"]?.stringValue ?? "")
    }
}
