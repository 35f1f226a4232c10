import CShim
import Glibc

/// Sending signals to processes.
public enum Signal {
    /// kill(2).
    public static func send(_ signal: Int32, to pid: Int32) throws(Errno) {
        try retryingEINTR { Glibc.kill(pid, signal) }
    }

    /// pidfd_send_signal(2): no pid-reuse race.
    public static func send(_ signal: Int32, toPIDFD pidfd: FileDescriptor) throws(Errno) {
        try Errno.check(negated: lxd_os_pidfd_send_signal(pidfd.rawValue, signal))
    }
}
