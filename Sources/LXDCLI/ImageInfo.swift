import Foundation
import LXDAPI
import LXDCommandLine

/// `lxc image info`: LXD's plain-text summary of one image.
struct ImageInfoCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "info", usage: "[<remote>:]<image>", short: "Show useful information about images",
            flags: [Flag("vm", usage: "Query virtual machine images")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let (_, image, _) = try resolveImage(server, name)
        ctx.stdout.write(Self.render(image))
    }

    /// Times in UTC with Go's `2006/01/02 15:04 UTC` layout; unset times (Go zero or not after
    /// the Unix epoch) print as "never", as LXD's `TimeIsSet` decides.
    static func render(_ image: Image) -> String {
        func date(_ time: Timestamp) -> String {
            var seconds = time_t(time.seconds)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let two = { (value: Int32) in value < 10 ? "0\(value)" : "\(value)" }
            return "\(parts.tm_year + 1900)/\(two(parts.tm_mon + 1))/\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
        }
        func isSet(_ time: Timestamp) -> Bool { time.seconds > 0 }
        var lines = [
            "Fingerprint: \(image.fingerprint)",
            "Size: " + String(format: "%.2fMB", Double(image.size) / 1024 / 1024),
            "Architecture: \(image.architecture)",
            "Type: \(image.type.isEmpty ? "container" : image.type)",
            "Public: \(image.isPublic ? "yes" : "no")",
            "Timestamps:",
        ]
        if isSet(image.createdAt) { lines.append("    Created: \(date(image.createdAt))") }
        lines.append("    Uploaded: \(date(image.uploadedAt))")
        lines.append("    Expires: \(isSet(image.expiresAt) ? date(image.expiresAt) : "never")")
        lines.append("    Last used: \(isSet(image.lastUsedAt) ? date(image.lastUsedAt) : "never")")
        lines.append("Properties:")
        for (key, value) in image.properties.sorted(by: { $0.key < $1.key }) { lines.append("    \(key): \(value)") }
        lines.append("Aliases:")
        for alias in image.aliases {
            lines.append(alias.description.isEmpty ? "    - \(alias.name)" : "    - \(alias.name) (\(alias.description))")
        }
        lines.append("Cached: \(image.cached ? "yes" : "no")")
        lines.append("Auto update: \(image.autoUpdate ? "enabled" : "disabled")")
        if let source = image.updateSource {
            lines += ["Source:", "    Server: \(source.server)", "    Protocol: \(source.protocol)", "    Alias: \(source.alias)"]
        }
        if image.profiles.isEmpty {
            lines.append("Profiles: []")
        } else {
            lines.append("Profiles:")
            for profile in image.profiles { lines.append("    - \(profile)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
