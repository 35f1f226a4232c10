import Foundation
import LXDTestSupport
import Testing

/// `edit` with a terminal: the object opens in `$EDITOR` under LXD's header, a text that fails is
/// reported and reopened after enter. `script(1)` gives the client a terminal; the editor is a
/// shell script that records what it was given and writes the next prepared answer.
@Suite(.serialized, .enabled(if: containersAvailable && FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
struct ProfileEditorSerialTests {
    func editInTerminal(_ f: DaemonFixture, client: String, _ arguments: [String], answers: [String]) throws -> (
        output: String, shown: [String]
    ) {
        try TerminalEditor.edit(scratch: f.directory, environment: f.environment, client: client, arguments, answers: answers)
    }

    @Test func profileEditOpensTheEditorWithLXDsHeaderAndRetries() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            var shownBy: [String: [String]] = [:]
            for (client, profile) in [(TestEnvironment.debianLXC, f.name("d")), (f.ourLXC, f.name("o"))] {
                try f.lxc(["profile", "create", profile]).check()
                try f.lxc(["profile", "set", profile, "user.before=1"]).check()
                let answers = ["config: [\n", "config:\n  bogus.key: 1\n", "config:\n  user.after: \"2\"\ndescription: edited\n"]
                let (output, shown) = try editInTerminal(f, client: client, ["profile", "edit", profile], answers: answers)
                #expect(shown.count == 3)
                // The terminal echoes the enters whenever they arrive: compare the lines with text.
                #expect(
                    output.split(separator: "\n") == [
                        "Config parsing error: yaml: line 1: did not find expected node content",
                        "Press enter to open the editor again or ctrl+c to abort change",
                        "Config parsing error: Unknown configuration key: bogus.key",
                        "Press enter to open the editor again or ctrl+c to abort change",
                    ])
                // The editor is reopened on the text that failed, not on the original.
                #expect(shown.count == 3 && shown[1] == answers[0] && shown[2] == answers[1])
                #expect(shown.first?.hasPrefix("### This is a YAML representation of the profile.\n") == true)
                #expect(
                    shown.first?.hasSuffix(
                        "\n\nconfig:\n  user.before: \"1\"\ndescription: \"\"\ndevices: {}\nname: \(profile)\nused_by: []\n") == true)
                shownBy[client] = shown.map { $0.replacingOccurrences(of: profile, with: "NAME") }
                let after = try f.lxc(["profile", "show", profile]).check().stdout
                #expect(after == "config:\n  user.after: \"2\"\ndescription: edited\ndevices: {}\nname: \(profile)\nused_by: []\n")
            }
            #expect(shownBy[TestEnvironment.debianLXC] == shownBy[f.ourLXC])
        }
    }

    @Test func configEditShowsTheInstanceAndServerAsDebiansClientDoes() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("c")
            try f.lxc(["init", f.imageAlias, name]).check()
            let before = try f.lxc(["config", "show", name]).check().stdout
            for arguments in [["config", "edit", name], ["config", "edit"]] {
                let debian = try editInTerminal(f, client: TestEnvironment.debianLXC, arguments, answers: [])
                let ours = try editInTerminal(f, client: f.ourLXC, arguments, answers: [])
                #expect(ours.shown.count == 1)
                #expect(ours.shown == debian.shown)
                #expect(ours.output == debian.output)
            }
            // Saving the text unchanged changes nothing, volatile keys included.
            #expect(try f.lxc(["config", "show", name]).check().stdout == before)
        }
    }
}
