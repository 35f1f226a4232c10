import Foundation
import LXDTestSupport
import Testing

/// `edit` commands with a terminal: `script(1)` gives the client a terminal; the editor is a
/// shell script that records what it was shown and writes the next prepared answer.
enum TerminalEditor {
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/script") }

    /// Runs `lxc ARGS` on a terminal with an editor that answers `answers` in turn (and then
    /// saves the text as it is); returns the terminal output and what the editor was shown.
    static func edit(scratch: String, environment: [String: String], client: String, _ arguments: [String], answers: [String]) throws
        -> (output: String, shown: [String])
    {
        let folder = scratch + "/editor-\(UUID().uuidString.prefix(8))"
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
        var environment = environment
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

    /// Opens `arguments` with Debian's client and ours on the real LXD, saving the text unchanged:
    /// both editors must be shown the same text once, and print the same.
    static func expectSameSaveUnchanged(
        on lxd: ReferenceDaemon, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let debian = try edit(
            scratch: lxd.directory, environment: lxd.environment, client: TestEnvironment.debianLXC, arguments, answers: [])
        let ours = try edit(scratch: lxd.directory, environment: lxd.environment, client: TestEnvironment.ourLXC, arguments, answers: [])
        #expect(ours.shown.count == 1, "\(arguments)", sourceLocation: sourceLocation)
        #expect(ours.shown == debian.shown, "\(arguments)", sourceLocation: sourceLocation)
        #expect(ours.output == debian.output, "\(arguments)", sourceLocation: sourceLocation)
    }
}
