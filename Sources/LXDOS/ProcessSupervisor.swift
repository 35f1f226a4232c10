import CShim
import Glibc
import Synchronization

/// How a child ended.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// A shell's `$?`: the exit code, or 128 + signal number.
    public var shellCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "signal \(signal)"
        }
    }

    init(waitStatus status: Int32) {
        if lxd_os_wifsignaled(status) {
            self = .signaled(lxd_os_wtermsig(status))
        } else {
            self = .exited(lxd_os_wexitstatus(status))
        }
    }
}

/// Waits for the children we spawned, by pid, on one dedicated thread: a pidfd per child in
/// one poll(2), then `waitpid(pid)` for exactly that pid. Never `wait(-1)`: liblxc forks and
/// reaps helpers of its own in this process.
///
/// Cancelling the waiting task does not stop the wait; kill the child to end it.
public final class ProcessSupervisor: Sendable {
    public static let shared = ProcessSupervisor()

    private struct Waiter: Sendable {
        var pidfd: Int32
        var continuations: [CheckedContinuation<ExitStatus, Never>]
    }

    private struct State: Sendable {
        var waiters: [Int32: Waiter] = [:]
        /// Statuses of children the supervisor reaped, so that a wait that registers a little
        /// late still gets the status (bounded; a pid is dropped when it is spawned again).
        var reaped: [Int32: ExitStatus] = [:]
        var reapedOrder: [Int32] = []
    }

    static let reapedMemory = 256

    // The supervisor thread reads `waiters`; callers add to it. Both under the mutex.
    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        var fds: [Int32] = [-1, -1]
        if lxd_os_pipe_cloexec(&fds) != 0 {
            // No pipe (fd exhaustion at startup): the thread then polls on a short timeout.
            fds = [-1, -1]
        } else {
            _ = lxd_os_set_nonblocking(fds[0], true)
            _ = lxd_os_set_nonblocking(fds[1], true)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                let supervisor = Unmanaged<ProcessSupervisor>.fromOpaque(context).takeRetainedValue()
                supervisor.run()
                return nil
            }, context)
        pthread_detach(thread)
    }

    /// The exit status of `pid`, a child of this process that nobody has reaped yet (spawned by
    /// `Command.spawn()` or `lxd_os_spawn`). Several waits for one pid all get the status, also
    /// one that comes shortly after the exit. A pid that is not such a child yields `.exited(-1)`.
    public func wait(pid: Int32) async -> ExitStatus {
        await withCheckedContinuation { continuation in
            register(pid: pid, continuation)
        }
    }

    /// `Command.spawn` reports each new child: an old status remembered for a recycled pid goes.
    func spawned(_ pid: Int32) {
        state.withLock { state in
            if state.reaped.removeValue(forKey: pid) != nil { state.reapedOrder.removeAll { $0 == pid } }
        }
    }

    private func register(pid: Int32, _ continuation: CheckedContinuation<ExitStatus, Never>) {
        let immediate: ExitStatus? = state.withLock { state -> ExitStatus? in
            if let status = state.reaped[pid] { return status }
            if state.waiters[pid] != nil {
                state.waiters[pid]?.continuations.append(continuation)
                return nil
            }
            // Open the pidfd first, then ask waitpid: it tells "not our child" (ECHILD) from
            // "already exited" (reaped now) from "running" (0), and the pidfd cannot then
            // refer to a recycled pid.
            let pidfd = lxd_os_pidfd_open(pid)
            var status: Int32 = 0
            let reaped = lxd_os_waitpid_nohang(pid, &status)
            if reaped != 0 || pidfd < 0 {
                if pidfd >= 0 { Glibc.close(pidfd) }
                guard reaped > 0 else { return .exited(-1) }
                let exit = ExitStatus(waitStatus: status)
                state.reaped[pid] = exit
                state.reapedOrder.append(pid)
                if state.reapedOrder.count > Self.reapedMemory { state.reaped[state.reapedOrder.removeFirst()] = nil }
                return exit
            }
            state.waiters[pid] = Waiter(pidfd: pidfd, continuations: [continuation])
            return nil
        }
        if let immediate {
            continuation.resume(returning: immediate)
            return
        }
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    private func run() {
        var drain = [UInt8](repeating: 0, count: 64)
        while true {
            let watched = state.withLock { state in state.waiters.map { (pid: $0.key, pidfd: $0.value.pidfd) } }
            var pollfds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            pollfds += watched.map { pollfd(fd: $0.pidfd, events: Int16(POLLIN), revents: 0) }
            let timeout: Int32 = wakeRead < 0 ? 50 : -1
            let ready = pollfds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
            if ready < 0 { continue }  // EINTR
            if pollfds[0].revents != 0 {
                while drain.withUnsafeMutableBytes({ Glibc.read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
            }
            for (index, child) in watched.enumerated() where pollfds[index + 1].revents != 0 {
                var status: Int32 = 0
                let reaped = lxd_os_waitpid_nohang(child.pid, &status)
                if reaped == 0 { continue }
                let exit = reaped > 0 ? ExitStatus(waitStatus: status) : .exited(-1)
                let waiter = state.withLock { state in
                    if reaped > 0 {
                        state.reaped[child.pid] = exit
                        state.reapedOrder.append(child.pid)
                        if state.reapedOrder.count > Self.reapedMemory { state.reaped[state.reapedOrder.removeFirst()] = nil }
                    }
                    return state.waiters.removeValue(forKey: child.pid)
                }
                Glibc.close(child.pidfd)
                for continuation in waiter?.continuations ?? [] {
                    continuation.resume(returning: exit)
                }
            }
        }
    }
}
