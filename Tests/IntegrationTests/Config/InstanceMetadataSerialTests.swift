import Foundation
import LXDTestSupport
import Testing

/// `lxc config metadata` and `lxc config template` (`/1.0/instances/NAME/metadata[/templates]`)
/// through Debian's client and ours, against our daemon and compared with the real LXD 5.0.2.
@Suite(.serialized, .enabled(if: containersAvailable && ReferenceDaemon.isInstalled))
struct InstanceMetadataSerialTests {
    static let metadataEdit = """
        architecture: x86_64
        creation_date: 1700000000
        properties:
          description: edited
        templates:
          /etc/greeting:
            when:
            - start
            template: greeting.tpl
            properties:
              word: hello

        """

    /// The steps, run with `lxc` against one daemon; each step's status and output make a line.
    static func transcript(image: String, _ lxc: ([String], Data?) throws -> CommandResult) throws -> [String] {
        let steps: [([String], String?)] = [
            (["init", image, "mt"], nil),
            (["config", "metadata", "show", "mt"], nil),
            (["config", "template", "list", "mt"], nil),
            (["config", "template", "list", "mt", "--format", "csv"], nil),
            (["config", "template", "list", "mt", "--format", "json"], nil),
            (["config", "template", "show", "mt", "hostname.tpl"], nil),
            (["config", "template", "show", "mt", "nosuch.tpl"], nil),
            (["config", "template", "create", "mt", "greeting.tpl"], "ignored\n"),
            (["config", "template", "show", "mt", "greeting.tpl"], nil),
            (["config", "template", "edit", "mt", "greeting.tpl"], "{{ properties.word }} from {{ container.name }}\n"),
            (["config", "template", "show", "mt", "greeting.tpl"], nil),
            (["config", "template", "create", "mt", "../escape"], nil),
            (["config", "template", "create", "mt", "sub/file"], nil),
            (["config", "template", "delete", "mt", "nosuch.tpl"], nil),
            (["config", "metadata", "edit", "mt"], "templates: [\n"),
            (["config", "metadata", "edit", "mt"], "creation_date: soon\n"),
            (["config", "metadata", "show", "mt"], nil),
            (["config", "metadata", "edit", "mt"], metadataEdit),
            (["config", "metadata", "show", "mt"], nil),
            (["config", "template", "list", "mt"], nil),
            (["config", "metadata", "show", "nosuch"], nil),
            (["config", "template", "list", "nosuch"], nil),
        ]
        var lines: [String] = []
        for (step, input) in steps {
            let result = try lxc(step, input.map { Data($0.utf8) } ?? Data())
            let output = (result.stdout + result.stderr).components(separatedBy: "\n").filter { !$0.contains("\r") }
                .joined(separator: "\n")
            lines.append("\(step.map { $0 == image ? "IMAGE" : $0 }.joined(separator: " ")) -> \(result.status)\n\(output)")
        }
        return lines
    }

    @Test func bothClientsMatchTheRealLXD() async throws {
        let expected = try await ReferenceDaemon.with { lxd in
            try lxd.lxc(["image", "import", try TestImage.busybox(), "--alias", "bb"]).check()
            return try Self.transcript(image: "bb") { try lxd.lxc($0, stdin: $1) }
        }
        try await DaemonFixture.with { f in
            let debian = try Self.transcript(image: f.imageAlias) { try f.lxc($0, stdin: $1) }
            #expect(debian.count == expected.count)
            for (ours, theirs) in zip(debian, expected) { #expect(ours == theirs) }
            try f.lxc(["delete", "mt"]).check()
            let ours = try Self.transcript(image: f.imageAlias) { try f.lxc($0, stdin: $1, client: f.ourLXC) }
            // The first line is `init`, whose progress lines the two clients draw differently.
            #expect(ours.count == expected.count)
            for (line, theirs) in zip(ours.dropFirst(), expected.dropFirst()) { #expect(line == theirs) }

            // The edited metadata and template take effect: rendered at start inside the container.
            try f.lxc(["start", "mt"]).check()
            f.addCleanup { _ = try? f.lxc(["stop", "mt", "--force"]) }
            #expect(try f.lxc(["exec", "mt", "--", "cat", "/etc/greeting"]).check().stdout == "hello from mt\n")
            try f.lxc(["config", "template", "delete", "mt", "greeting.tpl"], client: f.ourLXC).check()
            #expect(try f.lxc(["config", "template", "list", "mt", "-f", "csv"]).check().stdout == "etc-hostname.tpl\nhostname.tpl\n")
        }
    }

    @Test(.enabled(if: TerminalEditor.isAvailable))
    func metadataAndTemplateEditorsMatchDebiansClient() async throws {
        try await ReferenceDaemon.with { lxd in
            try lxd.lxc(["image", "import", try TestImage.busybox(), "--alias", "bb"]).check()
            try lxd.lxc(["init", "bb", "ed"]).check()
            for arguments in [["config", "metadata", "edit", "ed"], ["config", "template", "edit", "ed", "hostname.tpl"]] {
                try TerminalEditor.expectSameSaveUnchanged(on: lxd, arguments)
            }
            // A text that fails is reported and reopened.
            let retried = try TerminalEditor.edit(
                scratch: lxd.directory, environment: lxd.environment, client: TestEnvironment.ourLXC, ["config", "metadata", "edit", "ed"],
                answers: ["templates: [\n", "architecture: x86_64\n"])
            #expect(retried.shown.count == 2)
            #expect(retried.output.contains("Config parsing error: yaml: line 1: did not find expected node content"))
            #expect(try lxd.lxc(["config", "metadata", "show", "ed"]).check().stdout.hasPrefix("architecture: x86_64\ncreation_date: 0\n"))
        }
    }
}
