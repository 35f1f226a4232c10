/// HTTP header fields in wire order, with case-insensitive lookup.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public private(set) var pairs: [(name: String, value: String)]

    public init(_ pairs: [(String, String)] = []) {
        self.pairs = pairs.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Get: the first value whose name matches case-insensitively. Set: replaces every field of
    /// that name (at the first one's position), nil removes them.
    public subscript(_ name: String) -> String? {
        get { pairs.first { Self.equal($0.name, name) }?.value }
        set {
            let index = pairs.firstIndex { Self.equal($0.name, name) }
            pairs.removeAll { Self.equal($0.name, name) }
            guard let newValue else { return }
            pairs.insert((name: name, value: newValue), at: Swift.min(index ?? pairs.count, pairs.count))
        }
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        pairs.filter { Self.equal($0.name, name) }.map(\.value)
    }

    /// Appends a field, keeping existing ones of the same name.
    public mutating func add(_ name: String, _ value: String) {
        pairs.append((name: name, value: value))
    }

    public mutating func remove(_ name: String) {
        pairs.removeAll { Self.equal($0.name, name) }
    }

    public func contains(_ name: String) -> Bool {
        pairs.contains { Self.equal($0.name, name) }
    }

    /// True when a comma-separated header (`Connection`, `Upgrade`) lists `token`, case-insensitively.
    public func hasToken(_ token: String, in name: String) -> Bool {
        values(name).contains { value in
            value.split(separator: ",").contains { Self.equal($0.trimmingSpaces(), token) }
        }
    }

    public var isEmpty: Bool { pairs.isEmpty }
    public var count: Int { pairs.count }

    public func makeIterator() -> some IteratorProtocol<(name: String, value: String)> {
        pairs.makeIterator()
    }

    public var description: String {
        pairs.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    static func equal(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        a.utf8.count == b.utf8.count && a.lowercased() == b.lowercased()
    }
}

extension StringProtocol {
    func trimmingSpaces() -> Substring {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
