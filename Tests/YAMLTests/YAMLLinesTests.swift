import Testing

@testable import YAML

@Suite struct YAMLLinesTests {
    @Test func linesFollowTheDocumentShape() throws {
        let (node, lines) = try YAML.parseWithLines("config:\n  a: 1\n  b:\n  - x\n  - y\ndescription: d\n")
        #expect(node["description"]?.string == "d")
        #expect(lines.line == 1)
        #expect(lines.child(0).line == 2)
        #expect(lines.child(0).child(0).line == 2)
        #expect(lines.child(0).child(1).line == 4)
        #expect(lines.child(0).child(1).child(1).line == 5)
        #expect(lines.child(1).line == 6)
    }

    @Test func aRepeatedKeyKeepsTheLastValuesLine() throws {
        let (node, lines) = try YAML.parseWithLines("a: 1\nb: 2\na: [3]\n")
        #expect(node.pairs?.map(\.key) == ["a", "b"])
        #expect(lines.child(0).line == 3)
    }

    @Test func mergedKeysKeepTheirSourceLines() throws {
        let (node, lines) = try YAML.parseWithLines("base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  z: 3\n")
        #expect(node["use"]?.pairs?.map(\.key) == ["x", "y", "z"])
        #expect(lines.child(1).children.map(\.line) == [2, 3, 6])
    }

    @Test func emptyDocumentIsNullOnLineOne() throws {
        let (node, lines) = try YAML.parseWithLines("# only a comment\n")
        #expect(node.isNull)
        #expect(lines.line == 1)
    }

    @Test(arguments: [
        ("x", "!!str"), ("'1'", "!!str"), ("1", "!!int"), ("0x1f", "!!int"), ("1.5", "!!float"), ("yes", "!!bool"),
        ("~", "!!null"), ("[1]", "!!seq"), ("{a: 1}", "!!map"), ("2001-12-14", "!!timestamp"),
    ])
    func shortTagsAsYAMLv2ResolvesThem(text: String, tag: String) throws {
        #expect(try YAML.parse("v: \(text)\n")["v"]?.shortTag == tag)
    }
}
