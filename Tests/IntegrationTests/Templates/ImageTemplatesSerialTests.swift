import Foundation
import LXDTestSupport
import Testing

/// LXD's template language in image templates, with the `create`, `copy` and `start` triggers,
/// `create_only` and template `properties`, applied inside real containers.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ImageTemplatesSerialTests {
    /// The busybox image with three more templates.
    static let recipe = #"""
        set -eu
        mkdir image && cd image
        tar -xaf "$1"
        cat > templates/info.tpl <<'TPL'
        {% if trigger == "copy" %}copied{% else %}created{% endif %} {{ container.name }}
        greeting={{ config_get("user.greeting", properties.default) }}
        {% for word in "a b"|split:" " %}[{{ forloop.Counter }}:{{ word|upper }}]{% endfor %}
        TPL
        echo 'started {{ instance.name }} {{ config_get("user.greeting", "none") }}' > templates/started.tpl
        echo 'first {{ trigger }}' > templates/once.tpl
        cat >> metadata.yaml <<'META'
          /etc/info:
            when: [create, copy]
            template: info.tpl
            properties:
              default: hello
          /etc/started:
            when: [start]
            template: started.tpl
          /etc/once:
            when: [create, start]
            create_only: true
            template: once.tpl
        META
        tar -caf ../templated.tar.xz metadata.yaml templates rootfs
        """#

    @Test func triggersAndLanguage() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let work = f.directory + "/tpl"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try runCommand("/bin/sh", ["-c", "cd '\(work)' && sh -c \"$0\" recipe \"$1\"", Self.recipe, try TestImage.busybox()]).check()
            try f.lxc(["image", "import", work + "/templated.tar.xz", "--alias", "tpl"]).check()

            let name = f.name("t")
            try f.lxc(["launch", "tpl", name]).check()
            func read(_ instance: String, _ path: String) throws -> String {
                try f.lxc(["exec", instance, "--", "cat", path]).check().stdout
            }
            #expect(try read(name, "/etc/info") == "created \(name)\ngreeting=hello\n[1:A][2:B]\n")
            #expect(try read(name, "/etc/started") == "started \(name) none\n")
            #expect(try read(name, "/etc/once") == "first create\n")

            // `start` templates are applied at every start, with the config of that start.
            try f.lxc(["config", "set", name, "user.greeting", "bonjour"]).check()
            try f.lxc(["restart", "--force", name]).check()
            #expect(try read(name, "/etc/started") == "started \(name) bonjour\n")
            #expect(try read(name, "/etc/info") == "created \(name)\ngreeting=hello\n[1:A][2:B]\n")
            #expect(try read(name, "/etc/once") == "first create\n")

            // A copy runs the `copy` templates (not `create`) at its first start.
            let copy = f.name("c")
            try f.lxc(["copy", name, copy], client: f.ourLXC).check()
            try f.lxc(["start", copy]).check()
            #expect(try read(copy, "/etc/info") == "copied \(copy)\ngreeting=bonjour\n[1:A][2:B]\n")
            #expect(try read(copy, "/etc/started") == "started \(copy) bonjour\n")
        }
    }
}
