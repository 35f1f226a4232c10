/// Where the nodes of a parsed document start (1-based lines), shaped like the document: a
/// mapping's `children` follow its pairs, a sequence's follow its items, a scalar has none.
public struct YAMLLines: Sendable, Equatable {
    public var line: Int
    public var children: [YAMLLines]

    public init(line: Int, children: [YAMLLines] = []) {
        self.line = line
        self.children = children
    }

    /// The lines of child `index`; this node's own line when there is no such child.
    public func child(_ index: Int) -> YAMLLines {
        index < children.count ? children[index] : YAMLLines(line: line)
    }
}

extension YAMLNode {
    /// The short tag yaml.v2 resolves this node to, as its errors print it (`!!str`, `!!int`,
    /// `!!bool`, `!!float`, `!!timestamp`, `!!null`, `!!seq`, `!!map`).
    public var shortTag: String {
        switch self {
        case .null: return "!!null"
        case .sequence: return "!!seq"
        case .mapping: return "!!map"
        case .scalar(_, quoted: true): return "!!str"
        case .scalar(let text, quoted: false):
            switch YAMLResolver.kind(of: text) {
            case .string: return "!!str"
            case .null: return "!!null"
            case .bool: return "!!bool"
            case .int: return "!!int"
            case .float: return "!!float"
            case .timestamp: return "!!timestamp"
            }
        }
    }
}
