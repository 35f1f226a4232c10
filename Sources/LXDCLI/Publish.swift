import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import LXDCore

/// `lxc publish` (LXD's publish.go) on one server: an instance or snapshot becomes an image.
struct PublishCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "publish", usage: "[<remote>:]<instance>[/<snapshot>] [<remote>:] [flags] [key=value...]",
            short: "Publish instances as images",
            flags: [
                Flag("alias", .stringArray, usage: "New alias to define at target"),
                Flag("compression", .string, usage: "Compression algorithm to use (`none` for uncompressed)"),
                Flag("expire", .string, usage: "Image expiration date (format: rfc3339)"),
                Flag("force", short: "f", usage: "Stop the instance if currently running"),
                Flag("public", usage: "Make the image public"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: -1) else { return }
        let (server, source) = try ctx.resolve(args.positional[0])
        var properties: [String: String] = [:]
        for (index, entry) in args.positional.dropFirst().enumerated() {
            // The optional target remote (`local:`) comes first.
            if index == 0 && entry.hasSuffix(":") && !entry.contains("=") {
                _ = try ctx.resolve(entry)
                continue
            }
            guard let equals = entry.firstIndex(of: "=") else { throw UsageError("Bad key=value pair: [\(entry)]") }
            properties[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        var expiresAt = Timestamp.goZero
        if let expire = args.values["expire"]?.last, !expire.isEmpty {
            guard let parsed = GoTime.parse(expire) else {
                throw UsageError(
                    "Invalid expiration date: parsing time \"\(expire)\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\(expire)\" as \"2006\""
                )
            }
            expiresAt = parsed
        }
        let isSnapshot = source.contains("/")
        var restart = false
        if !isSnapshot {
            let instance = try server.getInstance(source)
            if instance.statusCode == StatusCode.running.rawValue || instance.statusCode == StatusCode.frozen.rawValue {
                guard args.bool("force") else {
                    throw UsageError("The instance is currently running. Use --force to have it stopped and restarted")
                }
                try server.updateInstanceState(source, InstanceStatePut(action: "stop", timeout: -1, force: true)).wait()
                restart = true
            }
        }
        let progress = ProgressRenderer(format: "Publishing instance: %s", quiet: ctx.isQuiet, out: ctx.stdout)
        let final: LXDAPI.Operation
        do {
            defer {
                if restart { _ = try? server.updateInstanceState(source, InstanceStatePut(action: "start", timeout: -1)).wait() }
            }
            final = try server.publishImage(
                source: source, isSnapshot: isSnapshot, properties: properties, isPublic: args.bool("public"), expiresAt: expiresAt,
                compression: args.string("compression")
            ).wait { progress.update(operation: $0) }
        } catch {
            progress.finish()
            throw error
        }
        let fingerprint = final.metadata["fingerprint"]?.stringValue ?? ""
        progress.finish("Instance published with fingerprint: \(fingerprint)")
        try ensureAliases(ctx, server, args.strings("alias"), fingerprint: fingerprint)
    }
}
