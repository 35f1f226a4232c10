import CShim
import Glibc

/// A pseudo-terminal pair, both ends close-on-exec. The daemon keeps `master`; `slave` goes to
/// the child as fds 0, 1, 2 (then the daemon closes its copy).
public struct PTY: Sendable {
    public var master: FileDescriptor
    public var slave: FileDescriptor

    /// A pty of the host's devpts (/dev/ptmx).
    public static func open(width: UInt16 = 0, height: UInt16 = 0) throws(Errno) -> PTY {
        var master: Int32 = -1
        var slave: Int32 = -1
        try Errno.check(negated: lxd_os_openpty(&master, &slave, width, height))
        return PTY(master: FileDescriptor(rawValue: master), slave: FileDescriptor(rawValue: slave))
    }

    /// A pty inside another devpts mount, given as an fd (a container's, from
    /// `LXCContainer.devptsFD()`): inside that container the slave is `/dev/pts/N`, so `tty`
    /// works there, as with LXD. Pass the host ids of the container's root as `owner`: the slave
    /// is created by host root, which the container sees as nobody (65534) otherwise.
    public static func open(
        devpts: FileDescriptor, width: UInt16 = 0, height: UInt16 = 0, owner: (uid: UInt32, gid: UInt32)? = nil
    ) throws(Errno) -> PTY {
        var master: Int32 = -1
        var slave: Int32 = -1
        try Errno.check(negated: lxd_os_openpty_at(devpts.rawValue, &master, &slave, width, height))
        let pty = PTY(master: FileDescriptor(rawValue: master), slave: FileDescriptor(rawValue: slave))
        if let owner, fchown(slave, owner.uid, owner.gid) != 0 {
            let error = Errno.current
            pty.close()
            throw error
        }
        return pty
    }

    /// TIOCSWINSZ on the master (the child gets SIGWINCH).
    public func setWindowSize(width: UInt16, height: UInt16) throws(Errno) {
        try PTY.setWindowSize(master, width: width, height: height)
    }

    public static func setWindowSize(_ fd: FileDescriptor, width: UInt16, height: UInt16) throws(Errno) {
        try Errno.check(negated: lxd_os_set_winsize(fd.rawValue, width, height))
    }

    public func close() {
        try? master.close()
        try? slave.close()
    }
}
