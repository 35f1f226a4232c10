import CYAML

/// Owns one libyaml parser over a borrowed buffer; used only inside `YAML.parse`.
final class YAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private var anchors: [String: Parsed] = [:]
    /// Nodes produced so far, aliases counted at their full size (billion-laughs guard).
    private var produced = 0
    private static let maxNodes = 10_000_000
    private static let maxDepth = 512
    private static let strTag = "tag:yaml.org,2002:str"
    private static let nullTag = "tag:yaml.org,2002:null"

    /// `buffer` must outlive the parser.
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        parser = .allocate(capacity: 1)
        yaml_parser_initialize(parser)
        yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
    }

    deinit {
        if var event = pending { yaml_event_delete(&event) }
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// A node with its size in nodes (aliases counted in full) and the lines of its parts.
    typealias Parsed = (node: YAMLNode, size: Int, lines: YAMLLines)

    func parseFirstDocument() throws(YAMLError) -> (node: YAMLNode, lines: YAMLLines) {
        var event = try next()
        defer { yaml_event_delete(&event) }
        guard event.type == YAML_STREAM_START_EVENT else { throw YAMLError(problem: "expected stream start", line: nil) }
        var document = try next()
        defer { yaml_event_delete(&document) }
        guard document.type == YAML_DOCUMENT_START_EVENT else { return (.null, YAMLLines(line: 1)) }
        let parsed = try parseNode(depth: 0)
        return (parsed.node, parsed.lines)
    }

    // MARK: - Events

    private func next() throws(YAMLError) -> yaml_event_t {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw currentError() }
        return event
    }

    /// yaml.v2's `parser.fail()`: scanner marks are one line behind, parser marks are not adjusted.
    private func currentError() -> YAMLError {
        let p = parser.pointee
        var line = 0
        if p.problem_mark.line != 0 {
            line = Int(p.problem_mark.line)
            if p.error == YAML_SCANNER_ERROR { line += 1 }
        } else if p.context_mark.line != 0 {
            line = Int(p.context_mark.line)
        }
        let problem = p.problem.map { String(cString: $0) } ?? "unknown problem parsing YAML content"
        return YAMLError(problem: problem, line: line == 0 ? nil : line)
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int? = nil) -> String? {
        guard let pointer else { return nil }
        if let length {
            return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
        }
        return String(cString: pointer)
    }

    // MARK: - Nodes

    /// Reads one node; returns it with its size in nodes and its lines.
    private func parseNode(depth: Int) throws(YAMLError) -> Parsed {
        var event = try pull()
        defer { yaml_event_delete(&event) }
        let line = Int(event.start_mark.line) + 1
        guard depth < Self.maxDepth else { throw YAMLError(problem: "exceeded max depth of \(Self.maxDepth)", line: line) }
        let result: Parsed
        let anchor: String?
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            anchor = Self.text(scalar.anchor)
            let value = Self.text(scalar.value, length: scalar.length) ?? ""
            let tag = Self.text(scalar.tag)
            if scalar.style == YAML_PLAIN_SCALAR_STYLE && tag != Self.strTag {
                let isNull = tag == Self.nullTag || (tag == nil && YAMLResolver.kind(of: value) == .null)
                result = (isNull ? .null : .scalar(value, quoted: false), 1, YAMLLines(line: line))
            } else {
                result = (.scalar(value, quoted: true), 1, YAMLLines(line: line))
            }
        case YAML_ALIAS_EVENT:
            let name = Self.text(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else { throw YAMLError(problem: "unknown anchor '\(name)' referenced", line: nil) }
            produced += target.size
            guard produced <= Self.maxNodes else { throw YAMLError(problem: "document contains excessive aliasing", line: nil) }
            return target
        case YAML_SEQUENCE_START_EVENT:
            anchor = Self.text(event.data.sequence_start.anchor)
            result = try parseSequence(depth: depth, line: line)
        case YAML_MAPPING_START_EVENT:
            anchor = Self.text(event.data.mapping_start.anchor)
            result = try parseMapping(depth: depth, line: line)
        default:
            throw YAMLError(problem: "unexpected event", line: line)
        }
        produced += 1
        guard produced <= Self.maxNodes else { throw YAMLError(problem: "document contains excessive aliasing", line: nil) }
        if let anchor { anchors[anchor] = result }
        return result
    }

    private func parseSequence(depth: Int, line: Int) throws(YAMLError) -> Parsed {
        var items: [YAMLNode] = []
        var lines: [YAMLLines] = []
        var size = 1
        while true {
            if try consumeEnd(YAML_SEQUENCE_END_EVENT) { break }
            let item = try parseNode(depth: depth + 1)
            items.append(item.node)
            lines.append(item.lines)
            size += item.size
        }
        return (.sequence(items), size, YAMLLines(line: line, children: lines))
    }

    private func parseMapping(depth: Int, line: Int) throws(YAMLError) -> Parsed {
        var pairs: [(key: String, value: YAMLNode)] = []
        var lines: [YAMLLines] = []
        var index: [String: Int] = [:]
        var size = 1
        func assign(_ key: String, _ value: YAMLNode, _ valueLines: YAMLLines) {
            if let at = index[key] {
                pairs[at].value = value
                lines[at] = valueLines
            } else {
                index[key] = pairs.count
                pairs.append((key, value))
                lines.append(valueLines)
            }
        }
        while true {
            if try consumeEnd(YAML_MAPPING_END_EVENT) { break }
            let keyLine = pending.map { Int($0.start_mark.line) + 1 }
            let key = try parseNode(depth: depth + 1)
            let value = try parseNode(depth: depth + 1)
            size += key.size + value.size
            switch key.node {
            case .scalar("<<", quoted: false):
                // yaml.v2 merges in place: merged keys overwrite earlier ones, later keys overwrite them;
                // in a list of maps the first map wins.
                switch value.node {
                case .mapping(let merged):
                    for (offset, pair) in merged.enumerated() { assign(pair.key, pair.value, value.lines.child(offset)) }
                case .sequence(let maps):
                    for (mapOffset, map) in maps.enumerated().reversed() {
                        guard case .mapping(let merged) = map else {
                            throw YAMLError(problem: "map merge requires map or sequence of maps as the value", line: keyLine)
                        }
                        let mapLines = value.lines.child(mapOffset)
                        for (offset, pair) in merged.enumerated() { assign(pair.key, pair.value, mapLines.child(offset)) }
                    }
                default:
                    throw YAMLError(problem: "map merge requires map or sequence of maps as the value", line: keyLine)
                }
            case .scalar(let text, _):
                assign(text, value.node, value.lines)
            case .null:
                assign("", value.node, value.lines)
            case .sequence, .mapping:
                throw YAMLError(problem: "mapping keys must be scalars", line: keyLine)
            }
        }
        return (.mapping(pairs), size, YAMLLines(line: line, children: lines))
    }

    /// libyaml has no peek: the event after a collection item is pulled here and kept in
    /// `pending` when it does not close the collection.
    private func consumeEnd(_ type: yaml_event_type_t) throws(YAMLError) -> Bool {
        if pending == nil { pending = try next() }
        guard var event = pending, event.type == type else { return false }
        yaml_event_delete(&event)
        pending = nil
        return true
    }

    private var pending: yaml_event_t?

    private func pull() throws(YAMLError) -> yaml_event_t {
        if let event = pending {
            pending = nil
            return event
        }
        return try next()
    }
}
