/// YAML reading and writing for LXD's formats, on libyaml, behaving like Go's gopkg.in/yaml.v2.
public enum YAML {
    /// Parses the first document of `text`. An empty stream (or one holding only comments) is
    /// `.null`. Anchors and aliases are resolved, `<<` merge keys applied, tags ignored except
    /// that `!!str` marks a scalar as a string.
    public static func parse(_ text: String) throws(YAMLError) -> YAMLNode {
        try parseWithLines(text).node
    }

    /// `parse`, plus the line each node starts on (what yaml.v2 names in its unmarshal errors).
    public static func parseWithLines(_ text: String) throws(YAMLError) -> (node: YAMLNode, lines: YAMLLines) {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { (buffer) throws(YAMLError) -> (node: YAMLNode, lines: YAMLLines) in
            let parser = YAMLParser(buffer)
            return try parser.parseFirstDocument()
        }
    }

    /// Writes `node` exactly as gopkg.in/yaml.v2 (v2.4.0) writes the equivalent Go value: block
    /// style, 2-space indentation, sequences not indented under their key, `{}`/`[]` for empty
    /// collections, quoting only where a string would read back as something else, literal
    /// blocks for multi-line strings, and folding of long lines at 80 columns.
    public static func emit(_ node: YAMLNode) -> String {
        YAMLEmitter.emit(node)
    }
}

/// A YAML syntax or structure error, worded like yaml.v2 ("yaml: line 3: mapping values are not
/// allowed in this context").
public struct YAMLError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The full message, starting with "yaml: ".
    public let description: String
    /// The line yaml.v2 would report, if any.
    public let line: Int?
    /// libyaml's problem text (or ours) without the prefix.
    public let problem: String

    init(problem: String, line: Int?) {
        self.problem = problem
        self.line = line
        self.description = "yaml: " + (line.map { "line \($0): " } ?? "") + problem
    }
}
