import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import LXDCore
import YAML

/// `lxc image edit` (LXD's image.go `edit`): the image's editable fields as YAML, from stdin
/// when it is not a terminal, else through the user's editor until the YAML applies.
struct ImageEditCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "edit", usage: "[<remote>:]<image>", short: "Edit image properties",
            example: """
                lxc image edit <image>
                    Launch a text editor to edit the properties

                lxc image edit <image> < image.yaml
                    Load the image properties from a YAML file
                """)
    }

    static let header = """
        ### The image's editable fields as YAML; lines starting with '#' are ignored.
        ### Properties are one "key: value" line each, for example:
        ###  description: My custom image
        """

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        // The image is resolved (alias or fingerprint prefix) before stdin is read, as LXD's client does.
        let (fingerprint, _, raw) = try resolveImage(server, name)
        try YAMLEditor(ctx: ctx).run(header: Self.header) {
            let shown = GoSchema.image.apply(OrderedJSON.parseOrNull(raw)).picking([
                "auto_update", "properties", "public", "expires_at", "profiles",
            ])
            return (YAML.emit(shown.yamlNode), "")
        } apply: { text, _ in
            try server.updateImage(fingerprint, try YAMLUnmarshaler.imagePut(text))
        }
    }
}

extension YAMLUnmarshaler {
    /// `api.ImagePut`; missing fields are Go's zero values.
    static func imagePut(_ text: String) throws -> ImagePut {
        let (put, expiry) = try decode(text) { reader, node, lines -> (ImagePut, String) in
            var put = ImagePut()
            var expiry = ""
            for (key, value, valueLines) in reader.pairs(node, lines, "api.ImagePut") {
                switch key {
                case "auto_update": put.autoUpdate = reader.bool(value, valueLines)
                case "properties": put.properties = reader.stringMap(value, valueLines)
                case "public": put.isPublic = reader.bool(value, valueLines)
                case "expires_at": expiry = reader.string(value, valueLines)
                case "profiles": put.profiles = reader.strings(value, valueLines) ?? []
                default: continue
                }
            }
            return (put, expiry)
        }
        var result = put
        result.expiresAt = .goZero
        if !expiry.isEmpty {
            guard let parsed = GoTime.parse(expiry) else {
                throw UsageError(
                    "parsing time \(goQuoted(expiry)) as \"2006-01-02T15:04:05Z07:00\": cannot parse \(goQuoted(expiry)) as \"2006\"")
            }
            result.expiresAt = parsed
        }
        return result
    }
}
