import Foundation
import LXDAPI
import YAML

/// `metadata.yaml` of an LXD image: what the daemon reads from it.
struct ImageMetadataFile: Sendable, Equatable {
    struct Template: Sendable, Equatable {
        var template: String
        var when: [String]
        var createOnly: Bool
        var properties: [String: String]
    }

    var architecture: String
    var creationDate: Int64
    var expiryDate: Int64
    var properties: [String: String]
    /// By target path inside the container.
    var templates: [String: Template]

    /// Parses and validates; errors read like LXD's.
    static func parse(_ text: String) throws -> ImageMetadataFile {
        let root: YAMLNode
        do {
            root = try YAML.parse(text)
        } catch {
            throw LXDError.badRequest("Failed parsing metadata.yaml: \(error)")
        }
        guard case .mapping = root else {
            throw LXDError.badRequest("Failed parsing metadata.yaml: expected a mapping at the top level")
        }
        guard let architectureNode = root["architecture"], let rawArchitecture = architectureNode.string, !rawArchitecture.isEmpty
        else {
            throw LXDError.badRequest("Invalid metadata.yaml: architecture is missing")
        }
        guard let architecture = Architecture.normalise(rawArchitecture) else {
            throw LXDError.badRequest("Invalid metadata.yaml: unknown architecture \"\(rawArchitecture)\"")
        }
        let creationDate = try integer(root["creation_date"], "creation_date")
        let expiryDate = try integer(root["expiry_date"], "expiry_date")
        let properties = try stringMap(root["properties"], "properties")
        var templates: [String: Template] = [:]
        if let node = root["templates"], node != .null {
            guard case .mapping(let entries) = node else {
                throw LXDError.badRequest("Invalid metadata.yaml: templates must be a mapping")
            }
            for (path, value) in entries {
                guard let name = value["template"]?.string, !name.isEmpty else {
                    throw LXDError.badRequest("Invalid metadata.yaml: template for \"\(path)\" has no template file")
                }
                guard !name.contains("/") || !name.contains("..") else {
                    throw LXDError.badRequest("Invalid metadata.yaml: bad template file name \"\(name)\"")
                }
                var when: [String] = []
                if let whenNode = value["when"], whenNode != .null {
                    guard let list = whenNode.array else {
                        throw LXDError.badRequest("Invalid metadata.yaml: \"when\" of \"\(path)\" must be a list")
                    }
                    when = list.compactMap(\.string)
                }
                templates[path] = Template(
                    template: name, when: when, createOnly: value["create_only"]?.bool ?? false,
                    properties: try stringMap(value["properties"], "templates.\(path).properties"))
            }
        }
        return ImageMetadataFile(
            architecture: architecture, creationDate: creationDate, expiryDate: expiryDate, properties: properties,
            templates: templates)
    }

    private static func integer(_ node: YAMLNode?, _ key: String) throws -> Int64 {
        guard let node, node != .null else { return 0 }
        guard let value = node.int else {
            throw LXDError.badRequest("Invalid metadata.yaml: \(key) must be an integer (seconds since the epoch)")
        }
        return value
    }

    private static func stringMap(_ node: YAMLNode?, _ key: String) throws -> [String: String] {
        guard let node, node != .null else { return [:] }
        guard case .mapping(let entries) = node else {
            throw LXDError.badRequest("Invalid metadata.yaml: \(key) must be a mapping")
        }
        var result: [String: String] = [:]
        for (entryKey, value) in entries {
            switch value {
            case .scalar(let text, _): result[entryKey] = text
            case .null: result[entryKey] = ""
            default: throw LXDError.badRequest("Invalid metadata.yaml: \(key).\(entryKey) must be a string")
            }
        }
        return result
    }
}
