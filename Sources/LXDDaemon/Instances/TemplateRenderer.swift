import Foundation

/// Renders image templates (`templates/*.tpl`, pongo2 syntax in LXD) for the subset that image
/// authors use: `{{ container.name }}` and the other `container.*` fields, `{{ trigger }}`,
/// `{{ path }}`, `{{ properties.KEY }}` and `{{ config_get("key", "default") }}`. Unknown
/// variables render empty, as in pongo2.
struct TemplateRenderer: Sendable {
    var container: [String: String]
    var config: [String: String]
    var properties: [String: String]
    var trigger: String
    var path: String

    func render(_ template: String) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                output += rest[open.lowerBound...]
                return output
            }
            output += evaluate(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
    }

    func evaluate(_ expression: String) -> String {
        if expression.hasPrefix("config_get(") && expression.hasSuffix(")") {
            let arguments = Self.stringArguments(String(expression.dropFirst("config_get(".count).dropLast()))
            guard let key = arguments.first else { return "" }
            return config[key] ?? (arguments.count > 1 ? arguments[1] : "")
        }
        let parts = expression.split(separator: ".", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count) {
        case ("trigger", 1): return trigger
        case ("path", 1): return path
        case ("container", 2), ("instance", 2): return container[parts[1]] ?? ""
        case ("properties", 2): return properties[parts[1]] ?? ""
        case ("config", 2): return config[parts[1]] ?? ""
        default: return ""
        }
    }

    /// `"a", "b"` → ["a", "b"] (double or single quotes).
    static func stringArguments(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open {
                    result.append(current)
                    current = ""
                    quote = nil
                } else {
                    current.append(character)
                }
            } else if character == "\"" || character == "'" {
                quote = character
            }
        }
        return result
    }
}
