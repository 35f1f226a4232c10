import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import LXDCore
import YAML

/// `lxc image edit` (LXD's image.go `edit`): the image's editable fields as YAML, from stdin
/// when it is not a terminal, else through `$VISUAL`/`$EDITOR` (vi) until the YAML parses.
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

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        if isatty(0) == 0 {
            let text = String(decoding: (try? FileHandle.standardInput.readToEnd()) ?? Data(), as: UTF8.self)
            let (fingerprint, _, _) = try resolveImage(server, name)
            try server.updateImage(fingerprint, try Self.parse(text))
            return
        }
        let (fingerprint, _, raw) = try resolveImage(server, name)
        let shown = GoSchema.image.apply(OrderedJSON.parseOrNull(raw)).picking([
            "auto_update", "properties", "public", "expires_at", "profiles",
        ])
        var text = Self.header + YAML.emit(shown.yamlNode)
        while true {
            text = try TextEditor.edit(text, environment: ctx.environment)
            do {
                try server.updateImage(fingerprint, try Self.parse(text))
                return
            } catch let error as UsageError {
                ctx.stderr.write("Config parsing error: \(error.message)\nPress enter to open the editor again or ctrl+c to abort change\n")
                _ = readLine()
            }
        }
    }

    static let header = """
        ### The image's editable fields as YAML; lines starting with '#' are ignored.
        ### Properties are one "key: value" line each, for example:
        ###  description: My custom image

        """

    /// YAML as Go unmarshals it into `api.ImagePut`: missing fields are zero values.
    static func parse(_ text: String) throws -> ImagePut {
        let node: YAMLNode
        do {
            node = try YAML.parse(text)
        } catch {
            throw UsageError(error.description)
        }
        // A value of the wrong type is refused, as yaml.v2 refuses it (without its line number,
        // which the shared unmarshaler of the profiles work will bring).
        func mismatch(_ key: String, _ goType: String) -> UsageError {
            UsageError("yaml: unmarshal errors:\n  cannot unmarshal \(key) into \(goType)")
        }
        func flag(_ key: String) throws -> Bool {
            guard let value = node[key], !value.isNull else { return false }
            guard let parsed = value.bool else { throw mismatch(key, "bool") }
            return parsed
        }
        var put = ImagePut()
        put.expiresAt = .goZero
        put.autoUpdate = try flag("auto_update")
        put.isPublic = try flag("public")
        if let properties = node["properties"], !properties.isNull {
            guard let pairs = properties.pairs else { throw mismatch("properties", "map[string]string") }
            for (key, value) in pairs { put.properties[key] = value.string ?? "" }
        }
        if let profiles = node["profiles"], !profiles.isNull {
            guard let items = profiles.array else { throw mismatch("profiles", "[]string") }
            put.profiles = items.compactMap(\.string)
        }
        if let expiry = node["expires_at"]?.string {
            guard let parsed = GoTime.parse(expiry) else {
                throw UsageError("parsing time \"\(expiry)\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\(expiry)\" as \"2006\"")
            }
            put.expiresAt = parsed
        }
        return put
    }
}

/// Opens text in the user's editor (LXD's `shared.TextEditor`) and returns what was saved.
enum TextEditor {
    static func edit(_ text: String, environment: [String: String]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lxd_editor_\(UUID().uuidString).yaml")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "editor", file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw UsageError("exit status \(process.terminationStatus)") }
        return String(decoding: try Data(contentsOf: file), as: UTF8.self)
    }
}
