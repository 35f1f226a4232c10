import Testing

@testable import LXDDaemon

@Suite struct TemplateRendererTests {
    static let renderer = TemplateRenderer(
        container: ["name": "c1", "architecture": "x86_64", "privileged": "false", "ephemeral": "false"],
        config: ["user.greeting": "hello", "limits.memory": "256MB"],
        properties: ["key": "value", "os": "busybox"],
        trigger: "create",
        path: "/etc/hostname")

    /// The seed's `templates/hostname.tpl` (lxd-funtoo-wiki) and the busybox image's.
    @Test func seedHostnameTemplate() throws {
        #expect(try Self.renderer.render("hostname=\"{{ container.name }}\"\n") == "hostname=\"c1\"\n")
        #expect(try Self.renderer.render("{{ container.name }}\n") == "c1\n")
    }

    @Test(arguments: [
        ("{{container.name}}", "c1"),
        ("{{   container.name   }}", "c1"),
        ("{{ instance.name }}", "c1"),
        ("{{ container.architecture }}", "x86_64"),
        ("{{ trigger }}", "create"),
        ("{{ path }}", "/etc/hostname"),
        ("{{ properties.key }}", "value"),
        ("{{ properties.os }}", "busybox"),
        ("{{ config.user.greeting }}", "hello"),
        ("{{ config.limits.memory }}", "256MB"),
    ])
    func variables(template: String, expected: String) throws {
        #expect(try Self.renderer.render(template) == expected)
    }

    @Test(arguments: [
        (#"{{ config_get("user.greeting", "default") }}"#, "hello"),
        (#"{{ config_get("user.x", "default") }}"#, "default"),
        (#"{{ config_get('user.x', 'single') }}"#, "single"),
        (#"{{ config_get("user.x", "") }}"#, ""),
        (#"{{ config_get("user.x") }}"#, ""),
        (#"{{ config_get("user.greeting") }}"#, "hello"),
        (#"{{ config_get("user.x", "with, comma") }}"#, "with, comma"),
        (#"{{ config_get() }}"#, ""),
    ])
    func configGet(template: String, expected: String) throws {
        #expect(try Self.renderer.render(template) == expected)
    }

    @Test(arguments: [
        "{{ nothing }}", "{{ container.nope }}", "{{ properties.missing }}", "{{ config.user.none }}", "{{ trigger.extra }}",
        "{{ nothing.deeper.still }}", "{{ config_get }}",
    ])
    func unknownVariablesRenderEmpty(template: String) throws {
        #expect(try Self.renderer.render(template) == "")
    }

    /// pongo2 refuses these; LXD then fails the start with the template's error.
    @Test(arguments: [
        "name={{ container.name", "{{ }}", "{% if x %}no end", "{% endif %}", "{% nosuch %}", "{{ x | nosuchfilter }}",
        "{{ 'open }}", "{% for in x %}{% endfor %}", "{{ a b }}", "{% else %}",
    ])
    func syntaxErrorsThrow(template: String) {
        #expect(throws: TemplateError.self) { try Self.renderer.render(template) }
    }

    @Test func textWithoutTagsIsUnchanged() throws {
        let text = "plain text }} with a stray close and { single braces }\n"
        #expect(try Self.renderer.render(text) == text)
        #expect(try Self.renderer.render("") == "")
    }

    @Test func severalTagsOnOneLine() throws {
        #expect(
            try Self.renderer.render("{{ container.name }}.{{ properties.os }} ({{ trigger }}){{ nothing }}!")
                == "c1.busybox (create)!")
    }

    @Test func multiLineTemplate() throws {
        let template = """
            # {{ path }}
            127.0.0.1 localhost
            127.0.1.1 {{ container.name }}

            """
        #expect(try Self.renderer.render(template) == "# /etc/hostname\n127.0.0.1 localhost\n127.0.1.1 c1\n")
    }
}
