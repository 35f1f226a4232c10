import LXDCore
import Testing

@testable import LXDDaemon

@Suite struct TemplateEngineTests {
    static let renderer = TemplateRenderer(
        container: ["name": "web1", "architecture": "x86_64", "privileged": "false", "ephemeral": "true"],
        config: ["user.network_mode": "link-local", "security.nesting": "true", "limits.cpu": "2"],
        properties: ["default": "#cloud-config\n{}", "empty": ""],
        trigger: "copy", path: "/etc/network.yaml", devices: ["eth0": ["type": "nic", "name": "eth0"]])

    func render(_ template: String) throws -> String { try Self.renderer.render(template) }

    /// The cloud-init network template LXD's Ubuntu images ship (distrobuilder's).
    @Test func cloudInitNetworkTemplate() throws {
        let template = """
            {% if config_get("user.network-config", "") == "" %}version: 1
            config:
              - type: physical
                name: {% if instance.type == "virtual-machine" %}enp5s0{% else %}eth0{% endif %}
                subnets:
                  - type: {% if config_get("user.network_mode", "") == "link-local" %}manual{% else %}dhcp{% endif %}
                    control: auto{% else %}{{ config_get("user.network-config", "") }}{% endif %}

            """
        #expect(
            try render(template) == """
                version: 1
                config:
                  - type: physical
                    name: eth0
                    subnets:
                      - type: manual
                        control: auto

                """)
    }

    @Test func configGetWithAVariableDefault() throws {
        #expect(try render(#"{{ config_get("user.vendor-data", properties.default) }}"#) == "#cloud-config\n{}")
        #expect(try render(#"{{ config_get("security.nesting", properties.default) }}"#) == "true")
    }

    @Test(arguments: [
        ("{% if container.ephemeral == \"true\" %}e{% endif %}", "e"),
        ("{% if container.privileged == \"true\" %}p{% else %}u{% endif %}", "u"),
        ("{% if trigger == \"create\" %}c{% elif trigger == \"copy\" %}y{% else %}n{% endif %}", "y"),
        ("{% if not properties.empty %}blank{% endif %}", "blank"),
        ("{% if properties.empty or trigger %}x{% endif %}", "x"),
        ("{% if properties.empty and trigger %}x{% endif %}", ""),
        ("{% if \"copy\" in trigger %}in{% endif %}", "in"),
        ("{% if \"eth0\" in devices %}nic{% endif %}", "nic"),
        ("{% if \"eth9\" not in devices %}none{% endif %}", "none"),
        ("{% if config.limits.cpu > 1 %}many{% endif %}", "many"),
        ("{% if (1 + 2) * 3 == 9 %}math{% endif %}", "math"),
        ("{% if trigger != \"create\" %}ne{% endif %}", "ne"),
        ("{% if nothing %}a{% else %}b{% endif %}", "b"),
        ("{% if 0 %}a{% elif \"\" %}b{% elif 1 %}c{% endif %}", "c"),
    ])
    func conditions(template: String, expected: String) throws {
        #expect(try render(template) == expected)
    }

    @Test(arguments: [
        ("{{ container.name|upper }}", "WEB1"),
        ("{{ \"ABC\"|lower }}", "abc"),
        ("{{ nothing|default:\"fallback\" }}", "fallback"),
        ("{{ container.name|default:\"fallback\" }}", "web1"),
        ("{{ nothing|default_if_none:\"n\" }}", "n"),
        ("{{ properties.empty|default_if_none:\"n\" }}", ""),
        ("{{ container.name|capfirst }}", "Web1"),
        ("{{ \"hello world\"|title }}", "Hello World"),
        ("{{ container.name|length }}", "4"),
        ("{{ \"a,b,c\"|split:\",\"|join:\"-\" }}", "a-b-c"),
        ("{{ \"a-b-c\"|cut:\"-\" }}", "abc"),
        ("{{ \"<b>\"|escape }}", "&lt;b&gt;"),
        ("{{ \"<b>\" }}", "<b>"),
        ("{{ config.limits.cpu|integer|add:3 }}", "5"),
        ("{{ \"x\"|add:\"y\" }}", "xy"),
        ("{{ trigger|yesno:\"on,off\" }}", "on"),
        ("{{ \"abcdefgh\"|truncatechars:5 }}", "ab..."),
        ("{{ devices|length }}", "1"),
    ])
    func filters(template: String, expected: String) throws {
        #expect(try render(template) == expected)
    }

    @Test func loops() throws {
        #expect(try render("{% for name in devices %}{{ name }}={{ devices[name].type }};{% endfor %}") == "eth0=nic;")
        #expect(
            try render("{% for k, v in devices.eth0 %}{{ k }}:{{ v }}{% if not forloop.Last %},{% endif %}{% endfor %}")
                == "name:eth0,type:nic")
        #expect(try render("{% for c in \"abc\" reversed %}{{ forloop.Counter }}{{ c }}{% endfor %}") == "1c2b3a")
        #expect(try render("{% for x in nothing %}x{% empty %}empty{% endfor %}") == "empty")
        #expect(try render("{% for x in \"ab\" %}{{ x }}{% endfor %}{{ x }}") == "ab")
    }

    @Test func whitespaceControlCommentsAndSet() throws {
        #expect(try render("a  {%- if true -%}  b  {%- endif -%}  c") == "abc")
        #expect(try render("a{# a comment #}b{% comment %}hidden {{ x }}{% endcomment %}c") == "abc")
        #expect(try render("{% set greeting = \"hi \" + container.name %}{{ greeting }}") == "hi web1")
        #expect(try render("{% autoescape on %}{{ \"<\" }}{% endautoescape %}{{ \"<\" }}") == "&lt;<")
        #expect(try render("{{ '{{' }}") == "{{")
    }

    @Test func templateEnvironmentIsLXDs() throws {
        #expect(try render("{{ instance.name }} {{ container.type }} {{ instance.architecture }}") == "web1 container x86_64")
        #expect(try render("{{ config[\"user.network_mode\"] }}") == "link-local")
        #expect(try render("{{ path }} {{ trigger }}") == "/etc/network.yaml copy")
    }

    @Test(arguments: [
        ("2006-01-02_15-04-05", "2026-12-04_07-03-09"),
        ("Jan _2 2006 3:04PM", "Dec  4 2026 7:03AM"),
        ("Monday January 02 06 MST", "Friday December 04 26 UTC"),
        ("15:04:05.000", "07:03:09.120"),
        ("15:04:05.999", "07:03:09.12"),
        ("20060102T150405Z07:00", "20261204T070309Z"),
    ])
    func goDateLayouts(layout: String, expected: String) {
        let time = Timestamp(seconds: 1_796_367_789, nanoseconds: 120_000_000)
        #expect(GoTimeLayout.format(time, layout: layout) == expected)
    }

    @Test func dateFilterOnATime() throws {
        let time = Timestamp(seconds: 1_796_367_789)
        #expect(
            try TemplateEngine.render("snap-{{ creation_date|date:'2006-01-02' }}-%d", context: ["creation_date": .time(time)])
                == "snap-2026-12-04-%d")
        #expect(throws: TemplateError.self) { try TemplateEngine.render("{{ x|date:'2006' }}", context: ["x": .string("no")]) }
    }

    /// Random inputs never crash the parser; they render or throw `TemplateError`.
    @Test func fuzzedTemplatesRenderOrThrow() {
        let pieces = [
            "{{", "}}", "{%", "%}", "{#", "#}", "if", "else", "endif", "for", "in", "endfor", "x", "\"", "'", "|", ":", "(", ")", "[", "]",
            ".", ",", "-", "not", "and", "==", "1", "config_get", "container.name", " ", "\n", "{", "}", "%", "#", "default",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let count = Int.random(in: 1...14, using: &generator)
            let template = (0..<count).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
            do {
                _ = try Self.renderer.render(template)
            } catch is TemplateError {
            } catch {
                Issue.record("Unexpected error \(error) for \(template)")
            }
        }
    }
}
