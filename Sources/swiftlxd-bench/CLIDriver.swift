import Foundation
import Glibc

/// Lifecycle operations through a client binary (Debian's `/usr/bin/lxc`), one process per
/// operation, spawned with `posix_spawn` (Foundation's `Process` adds ~10 ms of its own).
struct CLIDriver: Sendable {
    let target: Target
    let lxc: String
    /// stdout and stderr of the last command, kept for error messages.
    let log: String

    init(target: Target, lxc: String, scratch: String) {
        self.target = target
        self.lxc = lxc
        log = scratch + "/lxc-\(target.name).log"
    }

    /// Runs `lxc ARGS` with `LXD_DIR` set to the target's; a non-zero exit throws with its output.
    func run(_ arguments: [String]) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["LXD_DIR"] = target.directory
        environment["LXD_SOCKET"] = nil
        let status = try Spawn.run([lxc] + arguments, environment: environment, output: log)
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let text = "lxc \(arguments.joined(separator: " ")) exited \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
            // A client still missing a command or one of its flags ("unknown flag") is a gap to
            // show in the table, not a failed measurement.
            if output.contains("not implemented") || output.contains("not supported") || output.contains("unknown flag") {
                throw NotImplemented(description: text)
            }
            throw BenchError(text)
        }
    }
}

/// posix_spawn + waitpid: stdin from /dev/null, stdout and stderr to `output`.
enum Spawn {
    static func run(_ argv: [String], environment: [String: String], output: String) throws -> Int32 {
        wait(try start(argv, environment: environment, output: output))
    }

    /// Starts `argv` and returns its pid without waiting.
    static func start(_ argv: [String], environment: [String: String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, &cEnvironment)
        guard rc == 0 else { throw BenchError("posix_spawn \(argv[0]): errno \(rc)") }
        return pid
    }

    /// Waits for `pid`; its exit code, or 128 + the signal that ended it.
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        // WIFEXITED / WEXITSTATUS are macros: decode the status word by hand.
        if status & 0x7F == 0 { return (status >> 8) & 0xFF }
        return 128 + (status & 0x7F)
    }
}
