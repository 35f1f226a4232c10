import CShim
import Glibc
import Synchronization

/// Copies of our own binary exec'd ahead of need (`lxd forkspare`, see `lxd_spare.h`), each
/// waiting on a socket for the argv and descriptors of one fork helper (`lxd forkstart`,
/// `forkexec`, `forkfile`, ...). A start or exec handed to a spare skips exec'ing and loading
/// the binary (~4 ms of a helper's ~14 ms here); a fresh spare is exec'd behind it, off the
/// request's path. Without a spare, or for a command a spare cannot run, `spawn` is
/// `Command.spawn()`.
///
/// A spare holds nothing of the daemon's but its end of the socket (close-on-exec, closed
/// before it becomes the helper); it exits when the daemon closes that socket or dies.
public final class SpareHelpers: Sendable {
    /// The binary and environment every spare was exec'd with: only commands with the same
    /// ones are handed to a spare.
    public let path: String
    public let environment: [String]
    /// How many spares to keep waiting.
    public let count: Int

    private struct Spare: Sendable {
        var pid: Int32
        var socket: Int32
    }

    private struct State: Sendable {
        var waiting: [Spare] = []
        /// Spares being exec'd now (so that two hand-outs do not both top the pool up).
        var starting = 0
        var retired = false
    }

    private let state = Mutex(State())

    public init(path: String, environment: [String], count: Int = 2) {
        self.path = path
        self.environment = environment
        self.count = count
    }

    /// Whether `command` is one a spare can become: our binary as `lxd fork...`, the spares'
    /// environment, at most 8 descriptors, an argv that fits one request, no parent-death
    /// signal (a spare's parent is the daemon, not the thread that hands it the command).
    public func canRun(_ command: Command) -> Bool {
        let requestSize = command.arguments.reduce(Self.requestHeaderSize) { $0 + $1.utf8.count + 1 }
        return command.path == path && command.environment == environment && command.arguments.count >= 2
            && command.arguments[0] == "lxd" && command.arguments[1].hasPrefix("fork") && command.arguments[1] != "forkspare"
            && command.fds.count <= 8 && !command.flags.contains(.pdeathsig) && requestSize <= Int(LXD_SPARE_MAX_REQUEST)
    }

    /// An upper bound of `lxd_spare.c`'s request header.
    static let requestHeaderSize = 64

    /// Starts `command` through a waiting spare when it can, else as `command.spawn()`. The pid
    /// is our child either way: wait for it with `ProcessSupervisor`.
    public func spawn(_ command: Command) throws(Errno) -> Int32 {
        guard canRun(command) else { return try command.spawn() }
        let argv = command.arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        while let spare = take() {
            let sent = command.fds.withUnsafeBufferPointer { fds in
                lxd_spare_send(spare.socket, argv, fds.baseAddress, Int32(fds.count), command.flags.rawValue)
            }
            // On success the spare holds the request; closing our end either way lets an unused
            // spare exit (its watcher reaps it).
            Glibc.close(spare.socket)
            // Its replacement is exec'd when the helper it became exits (see `startOne`), so that
            // loading it does not compete for the CPU with the start or exec it serves.
            if sent == 0 { return spare.pid }
        }
        refill()
        return try command.spawn()
    }

    /// Exec's spares until `count` are waiting or starting.
    public func refill() {
        let needed = state.withLock { state -> Int in
            guard !state.retired else { return 0 }
            let needed = max(0, count - state.waiting.count - state.starting)
            state.starting += needed
            return needed
        }
        guard needed > 0 else { return }
        // Off the caller's path: exec'ing costs the daemon a vfork and an execve.
        Task.detached { [self] in
            for _ in 0..<needed { startOne() }
        }
    }

    /// Closes every waiting spare's socket (they exit) and starts no more.
    public func retire() {
        let spares = state.withLock { state -> [Spare] in
            state.retired = true
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for spare in spares { Glibc.close(spare.socket) }
    }

    /// The pids of the spares waiting now.
    public var waitingPIDs: [Int32] {
        state.withLock { $0.waiting.map(\.pid) }
    }

    private func take() -> Spare? {
        state.withLock { state in state.waiting.isEmpty ? nil : state.waiting.removeFirst() }
    }

    private func startOne() {
        var sockets: [Int32] = [-1, -1]
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        let spare: Spare? =
            if devNull >= 0, lxd_spare_socketpair(&sockets) == 0 {
                (try? Command(
                    path: path, arguments: ["lxd", "forkspare"], environment: environment, fds: [devNull, devNull, devNull, sockets[1]]
                )
                .spawn()).map { Spare(pid: $0, socket: sockets[0]) }
            } else {
                nil
            }
        if devNull >= 0 { Glibc.close(devNull) }
        if sockets[1] >= 0 { Glibc.close(sockets[1]) }
        if spare == nil, sockets[0] >= 0 { Glibc.close(sockets[0]) }
        let keep = state.withLock { state -> Bool in
            state.starting -= 1
            guard let spare, !state.retired else { return false }
            state.waiting.append(spare)
            return true
        }
        guard let spare else { return }
        if !keep { Glibc.close(spare.socket) }
        // Reaps the spare whenever it exits. One that exits unused (retired, or died) is not
        // replaced here: a binary that cannot start would otherwise be exec'd in a loop.
        Task.detached { [self] in
            _ = await ProcessSupervisor.shared.wait(pid: spare.pid)
            let unused = state.withLock { state -> Int32? in
                guard let index = state.waiting.firstIndex(where: { $0.pid == spare.pid }) else { return nil }
                return state.waiting.remove(at: index).socket
            }
            if let unused {
                Glibc.close(unused)
            } else {
                refill()
            }
        }
    }
}
