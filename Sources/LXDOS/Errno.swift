import CShim
import Glibc

/// A failed system call's errno. Low-level: wrap it with context before it reaches a user.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The calling thread's errno right now.
    public static var current: Errno { Errno(rawValue: lxd_os_errno()) }

    /// strerror text, e.g. "No such file or directory".
    public var description: String {
        // glibc's strerror is thread-safe (static strings; a thread-local buffer for unknown values).
        guard let message = strerror(rawValue) else { return "errno \(rawValue)" }
        return String(cString: message)
    }

    public static let EPERM = Errno(rawValue: Glibc.EPERM)
    public static let ENOENT = Errno(rawValue: Glibc.ENOENT)
    public static let ESRCH = Errno(rawValue: Glibc.ESRCH)
    public static let EINTR = Errno(rawValue: Glibc.EINTR)
    public static let EBADF = Errno(rawValue: Glibc.EBADF)
    public static let ECHILD = Errno(rawValue: Glibc.ECHILD)
    public static let EAGAIN = Errno(rawValue: Glibc.EAGAIN)
    public static let EACCES = Errno(rawValue: Glibc.EACCES)
    public static let EEXIST = Errno(rawValue: Glibc.EEXIST)
    public static let EINVAL = Errno(rawValue: Glibc.EINVAL)
    public static let EPIPE = Errno(rawValue: Glibc.EPIPE)
    public static let ENOSYS = Errno(rawValue: Glibc.ENOSYS)

    /// For our C shims that return a value >= 0 or -errno.
    @discardableResult
    static func check<T: SignedInteger>(negated result: T) throws(Errno) -> T {
        if result < 0 { throw Errno(rawValue: Int32(truncatingIfNeeded: 0 - result)) }
        return result
    }
}

/// Runs a libc call that returns -1 and sets errno on failure, retrying while it fails with
/// EINTR; throws any other errno.
@discardableResult
public func retryingEINTR<T: SignedInteger>(_ body: () -> T) throws(Errno) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let error = Errno.current
        if error != .EINTR { throw error }
    }
}
