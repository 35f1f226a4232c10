import Foundation
import Testing

@testable import LXDCLI

@Suite struct BashCompletionTests {
    let script = BashCompletion.script(root: Dispatcher.root)

    @Test func listsVisibleCommandsAndAliasesButNotHiddenOnes() {
        let root = BashCompletion.nodes(root: Dispatcher.root).first { $0.path == "lxc" }
        #expect(root?.subcommands.contains("profile") == true)
        #expect(root?.subcommands.contains("config") == true)
        #expect(root?.subcommands.contains("ls") == true)
        #expect(root?.subcommands.contains("completion") == false)
        #expect(root?.subcommands.contains("monitor") == false)
    }

    @Test func everySpellingOfAPathHasItsEntries() {
        #expect(script.contains("\"lxc profile device\") echo \"add get list ls remove rm set show unset\" ;;"))
        #expect(script.contains("\"lxc config device\") echo \"add get list ls override remove rm set show unset\" ;;"))
        let listFlags = BashCompletion.nodes(root: Dispatcher.root).first { $0.path == "lxc image ls" }?.flags ?? []
        #expect(listFlags.contains("--format") && listFlags.contains("-f") && listFlags.contains("--columns"))
        #expect(script.hasSuffix("complete -F _lxc lxc\n"))
    }

    /// Sources the script in bash and asks it for completions as bash would.
    func complete(_ line: String) throws -> [String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlxd-completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("lxc.bash")
        try Data(script.utf8).write(to: file)
        let driver = """
            source "$1"
            read -ra COMP_WORDS <<< "$2"
            [[ "$2" == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            _lxc
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", driver, "bash", file.path, line]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash")),
        arguments: [
            ("lxc pro", ["profile", "project"]),
            ("lxc profile de", ["delete", "device"]),
            ("lxc profile device l", ["list", "ls"]),
            ("lxc config device o", ["override"]),
            ("lxc --debug profile cr", ["create"]),
            ("lxc profile list --fo", ["--force-local", "--format"]),
            ("lxc nosuch ", []),
        ])
    func bashCompletesPrefixes(line: String, expected: [String]) throws {
        #expect(try complete(line) == expected)
    }
}
