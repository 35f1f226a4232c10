import Testing

@testable import YAML

@Suite struct YAMLParseTests {
    /// metadata.yaml from the Funtoo wiki page in the seed, verbatim.
    static let funtooMetadata = """
        architecture: x86_64
        creation_date: 20170907
        properties:
          architecture: x86_64
          description: Funtoo Current Generic Pure 64-bit
          name: funtoo-generic_64-pure64-funtoo-current-2016-12-10
          os: funtoo
          release: 1.0
          variant: current
        templates:
          /etc/conf.d/hostname:
            template: hostname.tpl
            when:
              - create
              - copy

        """

    /// The profile typed into `lxc profile edit` on the same page (note the trailing spaces).
    static let funtooProfile = """
        config:\u{20}\u{20}\u{20}
          raw.lxc: lxc.mount.auto = proc sys cgroup
        description: "LXD profile for Funtoo-based containers"
        devices:\u{20}\u{20}\u{20}
          portage:
            path: var/git
            source: /var/git
            type: disk
        name: prf-funtoo
        used_by: []

        """

    /// The instance configuration shown by `lxc config edit c1` on the same page.
    static let funtooInstance = """
        architecture: x86_64
        config:
          image.architecture: x86_64
          image.description: Funtoo Current Generic Pure 64-bit
          image.name: funtoo-generic_64-pure64-funtoo-current-2016-12-10
          image.os: funtoo
          image.release: "1.0"
          image.variant: current
          volatile.base_image: e279c16d1a801b2bd1698df95e148e0a968846835f4769b24988f2eb3700100f
          volatile.eth0.hwaddr: 00:16:3e:4a:3d:4f
          volatile.eth0.name: eth0
          volatile.idmap.base: "0"
          volatile.idmap.next: '[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":65536},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":65536}]'
          volatile.last_state.idmap: '[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":65536},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":65536}]'
          volatile.last_state.power: RUNNING
        devices: {}
        ephemeral: false
        profiles:
        - default
        - prf-funtoo
        stateful: false
        description: ""

        """

    @Test func funtooMetadata() throws {
        let node = try YAML.parse(Self.funtooMetadata)
        #expect(node["architecture"]?.string == "x86_64")
        #expect(node["creation_date"]?.int == 20_170_907)
        #expect(node["properties"]?["release"] == .scalar("1.0", quoted: false))
        #expect(node["properties"]?["description"]?.string == "Funtoo Current Generic Pure 64-bit")
        let template = try #require(node["templates"]?["/etc/conf.d/hostname"])
        #expect(template["template"]?.string == "hostname.tpl")
        #expect(template["when"]?.array?.compactMap(\.string) == ["create", "copy"])
        #expect(node.pairs?.map(\.key) == ["architecture", "creation_date", "properties", "templates"])
    }

    @Test func funtooProfile() throws {
        let node = try YAML.parse(Self.funtooProfile)
        #expect(node["config"] == .mapping([("raw.lxc", .scalar("lxc.mount.auto = proc sys cgroup", quoted: false))]))
        #expect(node["description"] == .scalar("LXD profile for Funtoo-based containers", quoted: true))
        #expect(node["devices"]?["portage"]?["source"]?.string == "/var/git")
        #expect(node["used_by"] == .sequence([]))
        #expect(node["name"]?.string == "prf-funtoo")
    }

    @Test func funtooInstance() throws {
        let node = try YAML.parse(Self.funtooInstance)
        #expect(node["config"]?["image.release"] == .scalar("1.0", quoted: true))
        #expect(node["config"]?["volatile.idmap.base"] == .scalar("0", quoted: true))
        #expect(node["config"]?["volatile.eth0.hwaddr"]?.string == "00:16:3e:4a:3d:4f")
        #expect(node["config"]?["volatile.idmap.next"]?.string?.hasPrefix("[{\"Isuid\":true") == true)
        #expect(node["devices"] == .mapping([]))
        #expect(node["ephemeral"]?.bool == false)
        #expect(node["profiles"]?.array?.compactMap(\.string) == ["default", "prf-funtoo"])
        #expect(node["description"] == .scalar("", quoted: true))
        // yaml.v2 emits it back byte for byte.
        #expect(YAML.emit(node) == Self.funtooInstance)
    }

    /// The metadata.yaml written by scripts/build-busybox-image.sh.
    @Test func busyboxMetadata() throws {
        let text = """
            architecture: x86_64
            creation_date: 1700000000
            properties:
              architecture: x86_64
              description: Busybox 1.35.0 (SwiftLXD test image)
              name: busybox-1.35.0
              os: busybox
              release: "1.35.0"
            templates:
              /etc/conf.d/hostname:
                template: hostname.tpl
                when:
                  - create
                  - copy
              /etc/hostname:
                template: etc-hostname.tpl
                when:
                  - create
                  - copy

            """
        let node = try YAML.parse(text)
        #expect(node["properties"]?["release"] == .scalar("1.35.0", quoted: true))
        #expect(node["templates"]?.pairs?.map(\.key) == ["/etc/conf.d/hostname", "/etc/hostname"])
        #expect(node["templates"]?["/etc/hostname"]?["when"]?.array?.count == 2)
    }

    @Test(arguments: ["", "\n", "# only a comment\n", "---\n", "~", "null", "NULL"])
    func nullDocuments(text: String) throws {
        #expect(try YAML.parse(text) == .null)
    }

    @Test func scalarsAndNulls() throws {
        let node = try YAML.parse("a: ~\nb:\nc: null\nd: 'null'\ne: !!str 12\nf: 0x1f\ng: yes\nh: Off\ni: \"true\"\nj: -17\nk: 1_000\n")
        #expect(node["a"] == .null)
        #expect(node["b"] == .null)
        #expect(node["c"] == .null)
        #expect(node["d"] == .scalar("null", quoted: true))
        #expect(node["e"] == .scalar("12", quoted: true))
        #expect(node["e"]?.int == nil)
        #expect(node["f"]?.int == 31)
        #expect(node["g"]?.bool == true)
        #expect(node["h"]?.bool == false)
        #expect(node["i"]?.bool == nil)
        #expect(node["j"]?.int == -17)
        #expect(node["k"]?.int == 1000)
        #expect(node["missing"] == nil)
    }

    @Test func blockScalars() throws {
        let text = """
            literal: |
              line one
                indented
              line three
            stripped: |-
              no newline
            folded: >
              folded
              text

              para
            kept: |+
              keep

            end: x
            """
        let node = try YAML.parse(text)
        #expect(node["literal"] == .scalar("line one\n  indented\nline three\n", quoted: true))
        #expect(node["stripped"] == .scalar("no newline", quoted: true))
        #expect(node["folded"] == .scalar("folded text\npara\n", quoted: true))
        #expect(node["kept"] == .scalar("keep\n\n", quoted: true))
        #expect(node["end"]?.string == "x")
    }

    @Test func anchorsAliasesAndMerge() throws {
        let text = """
            base: &base
              type: disk
              path: /
            list: &items [a, b]
            copy: *base
            again: *items
            merged:
              <<: *base
              path: /mnt
              extra: 1
            multi:
              <<: [{a: 1, b: 1}, {b: 2, c: 2}]
            """
        let node = try YAML.parse(text)
        #expect(node["copy"] == node["base"])
        #expect(node["again"] == .sequence([.scalar("a", quoted: false), .scalar("b", quoted: false)]))
        #expect(node["merged"]?.pairs?.map(\.key) == ["type", "path", "extra"])
        #expect(node["merged"]?["path"]?.string == "/mnt")
        #expect(node["multi"]?["b"]?.int == 1)
        #expect(node["multi"]?["c"]?.int == 2)
    }

    @Test func duplicateKeysKeepFirstPositionLastValue() throws {
        let node = try YAML.parse("a: 1\nb: 2\na: 3\n")
        #expect(node.pairs?.map(\.key) == ["a", "b"])
        #expect(node["a"]?.int == 3)
    }

    @Test func flowCollectionsAndMultipleDocuments() throws {
        let node = try YAML.parse("{a: [1, 2, {b: c}], d: {}}\n---\nsecond: doc\n")
        #expect(node["a"]?.array?.count == 3)
        #expect(node["a"]?.array?[2]["b"]?.string == "c")
        #expect(node["d"] == .mapping([]))
        #expect(node["second"] == nil)
    }

    /// Messages and line numbers as printed by the real `lxc` 5.0.2 (yaml.v2) for the same input.
    @Test(
        arguments: [
            ("config:\n  a: b\n  c: d: e\n", "yaml: line 3: mapping values are not allowed in this context", 3),
            ("config:\n  a: b\n c: d\n", "yaml: line 2: did not find expected key", 2),
            ("config:\n  a: \"b\n", "yaml: line 3: found unexpected end of stream", 3),
            ("config: [a, b\n", "yaml: line 1: did not find expected ',' or ']'", 1),
            ("a: b\n\tc: d\n", "yaml: line 2: found a tab character that violates indentation", 2),
            ("- a\nb: c\n", "yaml: line 1: did not find expected '-' indicator", 1),
            ("config:\n  - a\n  b: c\n", "yaml: line 2: did not find expected '-' indicator", 2),
            ("config: {a: b\n", "yaml: line 1: did not find expected ',' or '}'", 1),
        ] as [(String, String, Int)])
    func errors(text: String, message: String, line: Int) {
        #expect {
            try YAML.parse(text)
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            return error.description == message && error.line == line
        }
    }

    @Test func unknownAnchorAndComplexKeys() {
        #expect(throws: YAMLError(problem: "unknown anchor 'x' referenced", line: nil)) { try YAML.parse("a: *x\n") }
        #expect(throws: YAMLError.self) { try YAML.parse("? [a, b]\n: c\n") }
        #expect(throws: YAMLError.self) { try YAML.parse("a: &a [*a]\n") }
    }

    @Test func billionLaughsIsRefused() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<9 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        #expect(throws: YAMLError.self) { try YAML.parse(text) }
    }

    @Test func deepNestingIsRefusedNotCrashing() {
        let text = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        #expect(throws: YAMLError.self) { try YAML.parse(text) }
    }

    @Test func invalidUTF8InputIsHandled() throws {
        // Swift repairs invalid UTF-8 when building the String, so the parser sees U+FFFD.
        let text = String(decoding: [0x61, 0x3A, 0x20, 0xFF, 0x0A], as: UTF8.self)
        #expect(try YAML.parse(text)["a"]?.string == "\u{FFFD}")
    }
}
