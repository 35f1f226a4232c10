/// The liblxc settings of `security.privileged` and `security.nesting`, as LXD 5.0 writes them.
struct LXCSecurity: Sendable, Equatable {
    /// No id map: root inside is root on the host. LXD then drops the capabilities that
    /// reach the host's clock, modules and raw I/O, and lets the container use only the usual
    /// device nodes (plus what its unix devices add).
    var isPrivileged = false
    /// Extra /proc and /sys mounts under /dev/.lxc so that a container inside can remount them.
    var isNesting = false
    /// `devices.allow` rules of unix-char/unix-block devices (privileged containers only).
    var deviceRules: [String] = []

    static let privilegedCapDrop = "sys_time sys_module sys_rawio mac_admin mac_override"

    static let defaultDeviceRules = [
        "b *:* m", "c *:* m", "c 136:* rwm", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm",
        "c 5:2 rwm", "c 10:229 rwm", "c 10:200 rwm",
    ]

    func lines(layout: LXCCgroupLayout) -> [(String, String)] {
        var lines: [(String, String)] = []
        if isPrivileged {
            lines.append(("lxc.cap.drop", Self.privilegedCapDrop))
            let prefix = layout == .v2 ? "lxc.cgroup2.devices" : "lxc.cgroup.devices"
            lines.append(("\(prefix).deny", "a"))
            for rule in Self.defaultDeviceRules + deviceRules { lines.append(("\(prefix).allow", rule)) }
        }
        if isNesting {
            lines.append(("lxc.mount.entry", "proc dev/.lxc/proc proc create=dir,optional 0 0"))
            lines.append(("lxc.mount.entry", "sys dev/.lxc/sys sysfs create=dir,optional 0 0"))
        }
        return lines
    }
}
