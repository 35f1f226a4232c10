import LXDAPI
import YAML

extension ImageMetadata {
    /// `metadata.yaml` as LXD writes it and `lxc config metadata show` prints it: Go yaml.v2's
    /// encoding of `api.ImageMetadata` (struct order, sorted maps, nil maps as `{}`).
    public var goYAML: String {
        func strings(_ map: [String: String]) -> YAMLNode {
            .mapping(map.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) })
        }
        let templates: [(key: String, value: YAMLNode)] = templates.sorted { $0.key < $1.key }.map { path, template in
            (
                key: path,
                value: .mapping([
                    (key: "when", value: .sequence(template.when.map { .string($0) })),
                    (key: "create_only", value: .scalar(template.createOnly ? "true" : "false", quoted: false)),
                    (key: "template", value: .string(template.template)),
                    (key: "properties", value: strings(template.properties)),
                ])
            )
        }
        return YAML.emit(
            .mapping([
                (key: "architecture", value: .string(architecture)),
                (key: "creation_date", value: .scalar(String(creationDate), quoted: false)),
                (key: "expiry_date", value: .scalar(String(expiryDate), quoted: false)),
                (key: "properties", value: strings(properties)),
                (key: "templates", value: .mapping(templates)),
            ]))
    }
}
