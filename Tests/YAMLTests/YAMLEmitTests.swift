import Foundation
import Testing

@testable import YAML

@Suite struct YAMLEmitTests {
    /// Go `map[string]string` semantics: every value is a string.
    private static func strings(_ pairs: [(String, String)]) -> YAMLNode {
        .mapping(pairs.map { (key: $0.0, value: .string($0.1)) })
    }

    /// Captured from the real `lxc` 5.0.2 (`lxc profile show`, i.e. yaml.v2 v2.4.0 marshalling
    /// api.Profile) served by a stub daemon with these config values.
    static let quotingCases: [(String, String)] = [
        ("a", "true"), ("b", "1.0"), ("c", "[{\"x\":1}]"), ("d", " lead"), ("e", "trail "), ("f", "a: b"), ("g", "a #b"),
        ("h", "multi\nline"), ("i", "multi\nline\n"), ("j", "yes"), ("k", "0x1f"), ("l", "2001-12-14"), ("m", "1:20"),
        ("n", "00:16:3e:4a:3d:4f"), ("o", "-x"), ("p", "- x"), ("q", "@at"), ("r", "%p"), ("s", "`b"), ("t", "~"),
        ("u", "null"), ("v", "08"), ("w", "1e3"), ("x", "it's"), ("y", "tab\there"), ("z", "ünï"), ("za", "café \"q\""),
        ("zb", "lxc.mount.auto = proc sys cgroup"),
        ("zc", "a very long string with many words in it that goes past the eighty column limit for sure yes"),
        ("zd", "\n lead"), ("ze", "trailing space \nx"), ("zf", "<<"), ("zg", ".5"), ("zh", "1_000"), ("zi", "+1"),
        ("zj", "?x"), ("zk", "x:"), ("zl", "x: "), ("zm", "!x"), ("zn", "*x"), ("zo", "&x"), ("zp", "|"), ("zq", ">"),
        ("zr", "'"), ("zs", "\""), ("zt", "#"), ("zu", ","), ("zv", "a\u{7}b"), ("zw", "2001-12-14T21:59:43Z"),
        ("zx", "2001-13-14"), ("zy", "1.2.3"), ("zz", "-"),
    ]

    static let quotingGolden = #"""
        config:
          a: "true"
          b: "1.0"
          c: '[{"x":1}]'
          d: ' lead'
          e: 'trail '
          f: 'a: b'
          g: 'a #b'
          h: |-
            multi
            line
          i: |
            multi
            line
          j: "yes"
          k: "0x1f"
          l: "2001-12-14"
          m: "1:20"
          "n": 00:16:3e:4a:3d:4f
          o: -x
          p: '- x'
          q: '@at'
          r: '%p'
          s: '`b'
          t: "~"
          u: "null"
          v: "08"
          w: "1e3"
          x: it's
          "y": "tab\there"
          z: ünï
          za: café "q"
          zb: lxc.mount.auto = proc sys cgroup
          zc: a very long string with many words in it that goes past the eighty column limit
            for sure yes
          zd: |2-

             lead
          ze: "trailing space \nx"
          zf: <<
          zg: ".5"
          zh: "1_000"
          zi: "+1"
          zj: ?x
          zk: 'x:'
          zl: 'x: '
          zm: '!x'
          zn: '*x'
          zo: '&x'
          zp: '|'
          zq: '>'
          zr: ''''
          zs: '"'
          zt: '#'
          zu: ','
          zv: "a\ab"
          zw: "2001-12-14T21:59:43Z"
          zx: 2001-13-14
          zy: 1.2.3
          zz: '-'
        description: ""
        devices:
          eth0:
            nictype: bridged
            type: nic
        name: p
        used_by:
        - /1.0/instances/c1
        - "yes"
        - ""

        """#

    @Test func quotingMatchesLXC() {
        let profile: YAMLNode = .mapping([
            ("config", Self.strings(Self.quotingCases)),
            ("description", .string("")),
            ("devices", .mapping([("eth0", Self.strings([("nictype", "bridged"), ("type", "nic")]))])),
            ("name", .string("p")),
            ("used_by", .sequence([.string("/1.0/instances/c1"), .string("yes"), .string("")])),
        ])
        #expect(YAML.emit(profile) == Self.quotingGolden)
    }

    /// `lxc profile show default` from the seed's wiki page.
    @Test func defaultProfile() {
        let profile: YAMLNode = .mapping([
            ("config", .mapping([])),
            ("description", .string("Default LXD profile")),
            (
                "devices",
                .mapping([
                    ("eth0", Self.strings([("nictype", "bridged"), ("parent", "lxdbr0"), ("type", "nic")])),
                    ("root", Self.strings([("path", "/"), ("pool", "default"), ("type", "disk")])),
                ])
            ),
            ("name", .string("default")),
            ("used_by", .sequence([.string("/1.0/containers/c1")])),
        ])
        #expect(
            YAML.emit(profile) == """
                config: {}
                description: Default LXD profile
                devices:
                  eth0:
                    nictype: bridged
                    parent: lxdbr0
                    type: nic
                  root:
                    path: /
                    pool: default
                    type: disk
                name: default
                used_by:
                - /1.0/containers/c1

                """)
    }

    @Test(
        arguments: [
            (YAMLNode.mapping([]), "{}\n"),
            (.sequence([]), "[]\n"),
            (.null, "null\n"),
            (.mapping([("a", .null), ("b", .sequence([])), ("c", .mapping([]))]), "a: null\nb: []\nc: {}\n"),
            (
                .mapping([("num", .scalar("5", quoted: false)), ("str", .string("5")), ("yes", .scalar("true", quoted: false))]),
                "num: 5\nstr: \"5\"\n\"yes\": true\n"
            ),
            (
                .sequence([.mapping([("a", .string("1")), ("b", .sequence([.string("x")]))]), .sequence([.string("y")])]),
                "- a: \"1\"\n  b:\n  - x\n- - \"y\"\n"
            ),
            (.mapping([("a", .mapping([("b", .mapping([("c", .string("d"))]))]))]), "a:\n  b:\n    c: d\n"),
            (.mapping([("", .string("empty key"))]), "\"\": empty key\n"),
            (.mapping([("k", .string("line1\nline2\n\n"))]), "k: |+\n  line1\n  line2\n\n"),
            (.mapping([("k", .string("kept\n\n")), ("after", .string("x"))]), "k: |+\n  kept\n\nafter: x\n"),
            (.string("root"), "root\n"),
            (.mapping([("k", .string("  indented\nblock"))]), "k: |2-\n    indented\n  block\n"),
        ] as [(YAMLNode, String)])
    func shapes(node: YAMLNode, expected: String) throws {
        #expect(YAML.emit(node) == expected)
    }

    @Test func longKeyUsesComplexKeySyntax() {
        let key = String(repeating: "k", count: 130)
        #expect(YAML.emit(.mapping([(key, .string("v"))])) == "? \(key)\n: v\n")
    }

    /// Nodes whose `quoted` flags are what parsing gives back read back equal.
    @Test(arguments: [
        YAMLNode.mapping([
            ("config", .mapping([("limits.cpu", .scalar("2", quoted: true)), ("boot.autostart", .scalar("true", quoted: true))]))
        ]),
        .mapping([("description", .scalar("multi\nline\ntext", quoted: true)), ("x", .scalar("a: b", quoted: true))]),
        .mapping([
            ("list", .sequence([.scalar("a", quoted: false), .null, .scalar("", quoted: true), .sequence([])])), ("m", .mapping([])),
        ]),
        .mapping([("n", .scalar("12", quoted: false)), ("f", .scalar("1.5", quoted: false)), ("b", .scalar("no", quoted: false))]),
        .mapping([("long", .scalar(String(repeating: "word ", count: 40) + "end", quoted: false))]),
        .mapping([("unicode", .scalar("日本語 ünï", quoted: false)), ("esc", .scalar("tab\tand\u{1}ctl", quoted: true))]),
        .sequence([.mapping([("a", .sequence([.mapping([("b", .scalar("c", quoted: false))])]))])]),
    ])
    func roundTrip(node: YAMLNode) throws {
        #expect(try YAML.parse(YAML.emit(node)) == node)
    }

    @Test func reemittingParsedYAMLIsStable() throws {
        let once = try YAML.parse(YAMLParseTests.funtooMetadata)
        let text = YAML.emit(once)
        #expect(try YAML.parse(text) == once)
        #expect(YAML.emit(try YAML.parse(text)) == text)
        // yaml.v2 does not indent sequences under their key.
        #expect(text.contains("    when:\n    - create\n    - copy\n"))
    }
}
