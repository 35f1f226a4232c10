import CShim
import Glibc

/// How `Command.spawn()` sets up the child.
public struct SpawnFlags: OptionSet, Sendable, Hashable {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Start a new session (detach from the daemon's terminal).
    public static let setsid = SpawnFlags(rawValue: Int32(LXD_SPAWN_SETSID))
    /// With `setsid`: make fd 0 (a terminal) the controlling terminal.
    public static let setctty = SpawnFlags(rawValue: Int32(LXD_SPAWN_SETCTTY))
    /// SIGKILL the child when the spawning thread exits.
    public static let pdeathsig = SpawnFlags(rawValue: Int32(LXD_SPAWN_PDEATHSIG))
}

/// A child process to spawn: fork and exec happen in C (`lxd_os_spawn_checked`), so no Swift
/// code runs in the child. The child gets `fds[i]` as descriptor `i` (-1: left closed) and
/// nothing else; signals and the signal mask are reset to their defaults.
public struct Command: Sendable {
    /// The program to execute (no PATH lookup).
    public var path: String
    /// The complete argv, argv[0] first (as Go's `exec.Cmd.Args`); empty means `[path]`.
    public var arguments: [String]
    /// The complete environment, "KEY=VALUE" entries (nothing is inherited; see
    /// `inheritedEnvironment`).
    public var environment: [String]
    /// Child descriptor i = fds[i]; -1 leaves i closed. At most 64.
    public var fds: [Int32]
    public var flags: SpawnFlags

    public init(path: String, arguments: [String] = [], environment: [String] = [], fds: [Int32] = [0, 1, 2], flags: SpawnFlags = []) {
        self.path = path
        self.arguments = arguments
        self.environment = environment
        self.fds = fds
        self.flags = flags
    }

    /// This process's environment.
    public static var inheritedEnvironment: [String] {
        var result: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            result.append(String(cString: pointer))
            entry += 1
        }
        return result
    }

    /// Forks and execs; returns the pid once the child has exec'd. Throws the errno of a failed
    /// fork or exec (ENOENT for a missing program). Wait for the pid with `ProcessSupervisor`.
    public func spawn() throws(Errno) -> Int32 {
        guard fds.count <= 64 else { throw Errno.EINVAL }
        let argv = arguments.isEmpty ? [path] : arguments

        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnvp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in cArgv { free(pointer) }
            for pointer in cEnvp { free(pointer) }
        }
        let pid = fds.withUnsafeBufferPointer { fdBuffer in
            lxd_os_spawn_checked(path, cArgv, cEnvp, fdBuffer.baseAddress, Int32(fdBuffer.count), flags.rawValue)
        }
        let child = try Errno.check(negated: pid)
        ProcessSupervisor.shared.spawned(child)
        return child
    }

    /// `spawn()` then `ProcessSupervisor.shared.wait(pid:)`.
    public func run() async throws(Errno) -> ExitStatus {
        let pid = try spawn()
        return await ProcessSupervisor.shared.wait(pid: pid)
    }
}
