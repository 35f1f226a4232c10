import Foundation

/// Renders an image template (`templates/*.tpl`) with the context LXD gives it: `container` and
/// its alias `instance` (name, architecture, privileged, ephemeral, type), `config` (the expanded
/// config), `devices`, `properties` (the template's own), `trigger`, `path`, and the function
/// `config_get("key", default)`. The language is pongo2's (Django syntax), see `TemplateEngine`.
struct TemplateRenderer: Sendable {
    var container: [String: String]
    var config: [String: String]
    var properties: [String: String]
    var trigger: String
    var path: String
    var devices: [String: [String: String]] = [:]

    var context: [String: TemplateValue] {
        var metadata = container
        if metadata["type"] == nil { metadata["type"] = "container" }
        let config = self.config
        return [
            "container": .strings(metadata), "instance": .strings(metadata),
            // LXD renders `config.some.key` from a map keyed by the full key; a dotted name is
            // also reachable here (`config.user.greeting`), which pongo2 would leave empty.
            "config": .map(Self.dottedMap(config)), "devices": .map(devices.mapValues { .strings($0) }),
            "properties": .strings(properties), "trigger": .string(trigger), "path": .string(path),
            "config_get": .function(
                TemplateFunction { arguments in
                    guard let key = arguments.first?.text else { return .none }
                    if let value = config[key] { return .string(value) }
                    return arguments.count > 1 ? arguments[1] : .none
                }),
        ]
    }

    func render(_ template: String) throws -> String {
        do {
            return try TemplateEngine.render(template, context: context)
        } catch let error as TemplateError {
            throw TemplateError("Failed to render template: \(error.message)")
        }
    }

    /// `["user.a.b": "x"]` → full keys plus nested maps (`user` → `a` → `b`), so that both
    /// `config["user.a.b"]` and `config.user.a.b` find the value.
    static func dottedMap(_ flat: [String: String]) -> [String: TemplateValue] {
        var result: [String: TemplateValue] = flat.mapValues { .string($0) }
        for (key, value) in flat where key.contains(".") {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            result[parts[0]] = insert(parts.dropFirst(), value, into: result[parts[0]])
        }
        return result
    }

    private static func insert(_ path: ArraySlice<String>, _ value: String, into existing: TemplateValue?) -> TemplateValue {
        guard let head = path.first else { return existing ?? .string(value) }
        var entries: [String: TemplateValue] = [:]
        if case .map(let current) = existing { entries = current }
        // The rest of the key as one name too (`config.user["a.b"]`).
        entries[path.joined(separator: ".")] = entries[path.joined(separator: ".")] ?? .string(value)
        if path.count > 1 { entries[head] = insert(path.dropFirst(), value, into: entries[head]) }
        return .map(entries)
    }
}
