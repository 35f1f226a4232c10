import Foundation
import LXDTestSupport
import Testing

/// `edit` with a terminal: the object opens in `$EDITOR` under LXD's header, a text that fails is
/// reported and reopened after enter. `script(1)` gives the client a terminal; the editor is a
/// shell script that records what it was given and writes the next prepared answer.
@Suite(.serialized, .enabled(if: containersAvailable && FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
struct ProfileEditorSerialTests {
    /// Runs `lxc ARGS` on a terminal with an editor that answers `answers` in turn (and then
    /// saves the text as it is); returns the terminal output and what the editor was shown.
    func editInTerminal(_ f: DaemonFixture, client: String, _ arguments: [String], answers: [String]) throws -> (
        output: String, shown: [String]
    ) {
        let folder = f.directory + "/editor-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, answer) in answers.enumerated() {
            try Data(answer.utf8).write(to: URL(fileURLWithPath: "\(folder)/answer\(index + 1)"))
        }
        let editor = folder + "/editor.sh"
        let script = """
            #!/bin/sh
            n=$(( $(cat \(folder)/count 2>/dev/null || echo 0) + 1 ))
            echo $n > \(folder)/count
            cp "$1" \(folder)/shown$n
            if [ -f \(folder)/answer$n ]; then cp \(folder)/answer$n "$1"; fi

            """
        try Data(script.utf8).write(to: URL(fileURLWithPath: editor))
        chmod(editor, 0o755)
        var environment = f.environment
        environment["EDITOR"] = editor
        environment["VISUAL"] = nil
        let command = ([client] + arguments).map { "'\($0)'" }.joined(separator: " ")
        // One enter per failed attempt.
        let enters = Data(String(repeating: "\n", count: max(0, answers.count - 1)).utf8)
        let result = try runCommand("/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment, stdin: enters)
        let count =
            Int((try? String(contentsOfFile: folder + "/count", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
            ?? 0
        let shown = (0..<count).map { (try? String(contentsOfFile: "\(folder)/shown\($0 + 1)", encoding: .utf8)) ?? "" }
        return (result.stdout.replacingOccurrences(of: "\r\n", with: "\n"), shown)
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
