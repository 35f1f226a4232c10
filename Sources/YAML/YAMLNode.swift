/// A YAML document tree, shaped after what LXD reads and writes with Go's gopkg.in/yaml.v2.
///
/// `quoted` records that a scalar is certainly a string: the source used a quoted or block style
/// (`'…'`, `"…"`, `|`, `>`) or an explicit `!!str` tag. When emitting, a `quoted` scalar is treated
/// as a Go string (quoted when it would otherwise read back as a number, bool, null, …); an
/// unquoted scalar is written as its plain text (a number or bool stays bare).
public indirect enum YAMLNode: Sendable {
    case null
    case scalar(String, quoted: Bool)
    case sequence([YAMLNode])
    /// Keys in document order.
    case mapping([(key: String, value: YAMLNode)])
}

extension YAMLNode: Equatable {
    public static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case let (.scalar(a, aq), .scalar(b, bq)):
            return a == b && aq == bq
        case let (.sequence(a), .sequence(b)):
            return a == b
        case let (.mapping(a), .mapping(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default:
            return false
        }
    }
}

extension YAMLNode {
    /// A string scalar, quoted on output whenever yaml.v2 would quote a Go string.
    public static func string(_ value: String) -> YAMLNode { .scalar(value, quoted: true) }

    /// The value of `key` in a mapping (the last one if the source repeated it); nil otherwise.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = self else { return nil }
        return pairs.last(where: { $0.key == key })?.value
    }

    /// The text of a scalar; nil for null, sequences and mappings.
    public var string: String? {
        guard case .scalar(let text, _) = self else { return nil }
        return text
    }

    /// The items of a sequence.
    public var array: [YAMLNode]? {
        guard case .sequence(let items) = self else { return nil }
        return items
    }

    /// The pairs of a mapping, in document order.
    public var pairs: [(key: String, value: YAMLNode)]? {
        guard case .mapping(let pairs) = self else { return nil }
        return pairs
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// An unquoted scalar that yaml.v2 resolves to an integer (`12`, `-3`, `0x1f`, `0o17`, `017`,
    /// `0b101`, `1_000`).
    public var int: Int64? {
        guard case .scalar(let text, quoted: false) = self else { return nil }
        return YAMLResolver.integer(text)
    }

    /// An unquoted scalar that yaml.v2 resolves to a bool (YAML 1.1: `true`, `yes`, `on`, `y`, …).
    public var bool: Bool? {
        guard case .scalar(let text, quoted: false) = self else { return nil }
        return YAMLResolver.boolean(text)
    }
}
