/// What goes into the `lxc.conf` of one unprivileged container (written to
/// `$LXD_DIR/logs/NAME/lxc.conf`, loaded by `lxd forkstart` and `lxd forkexec`).
struct LXCConfigSpec: Sendable, Equatable {
    /// The instance name (the container's liblxc name).
    var name: String
    /// Absolute path of the rootfs directory, owned by the mapped root (e.g. 100000:100000);
    /// every parent must be traversable by that uid (0711 or 0755).
    var rootfsPath: String
    /// `lxc.uts.name`; the instance name when nil.
    var hostname: String? = nil
    /// Full `lxc.idmap = u|g NSID HOSTID RANGE` lines, e.g. "lxc.idmap = u 0 100000 65536".
    var idmapLines: [String]
    var logFile: String
    /// liblxc's log level for `logFile` (LXD uses "warn", "trace" with `--debug`-like settings).
    var logLevel: String = "warn"
    var consoleLogFile: String? = nil
    /// A seccomp policy file (`lxc.seccomp.profile`); none when nil.
    var seccompProfilePath: String? = nil
    /// The environment of the container's init (`lxc.environment`).
    var environment: [String: String] = [:]
    /// Which cgroup files limits are written to.
    var cgroupLayout: LXCCgroupLayout = .v1
    /// Capabilities dropped in the container (`lxc.cap.drop`); LXD drops none for unprivileged
    /// containers, the user namespace already confines them.
    var capDrop: [String] = []
    /// Extra `lxc.mount.entry` values (disk devices), in order.
    var mountEntries: [String] = []
    /// `lxc.init.cmd`.
    var initCommand: String = "/sbin/init"
    /// `raw.lxc`, appended verbatim last so that it overrides everything above.
    var rawLXC: String = ""
    /// `lxc.hook.post-stop`: tells the daemon the container stopped (`lxd callhook ...`).
    var postStopHook: String? = nil
    /// `security.privileged` / `security.nesting` (see `LXCConfig+Security.swift`).
    var security = LXCSecurity()
    /// Resource limits as cgroup values (`CgroupLimits`), written after the fields above.
    var cgroupSettings: [CgroupSetting] = []
    /// NICs made on the host, moved in by liblxc (none: a namespace with only loopback).
    var nics: [LXCNetEntry] = []

    init(
        name: String, rootfsPath: String, hostname: String? = nil, idmapLines: [String], logFile: String,
        consoleLogFile: String? = nil, rawLXC: String = "", environment: [String: String] = [:],
        cgroupLayout: LXCCgroupLayout = .v1, seccompProfilePath: String? = nil, mountEntries: [String] = []
    ) {
        self.name = name
        self.rootfsPath = rootfsPath
        self.hostname = hostname
        self.idmapLines = idmapLines
        self.logFile = logFile
        self.consoleLogFile = consoleLogFile
        self.rawLXC = rawLXC
        self.environment = environment
        self.cgroupLayout = cgroupLayout
        self.seccompProfilePath = seccompProfilePath
        self.mountEntries = mountEntries
    }
}

/// Where the container's resource controllers live: this machine kind is cgroup v1 for every
/// controller (cpu, cpuacct, cpuset, memory, devices, freezer, blkio, pids) with an unified
/// v2 mount that has no controllers but hugetlb.
enum LXCCgroupLayout: Sendable, Equatable {
    case v1
    case v2
}

/// Renders the liblxc configuration of a container. Pure: paths, ids and limits all come in
/// through the spec. The essentials match what LXD 5.0 generates for an unprivileged
/// container (apparmor unconfined, `cgroup:mixed`, autodev, 1024 ptys, no ttys), without
/// LXD's start hooks, lxcfs include and devlxd mounts, and with an explicitly empty network.
enum LXCConfig {
    /// The seccomp policy of an unprivileged container (version 2 denylist, as LXD's default):
    /// no forced unmounts, no kexec, no kernel modules, no open_by_handle_at (a classic
    /// container escape). The daemon writes it to a file and sets `seccompProfilePath`.
    static let defaultSeccompPolicy = """
        2
        denylist
        [all]
        reject_force_umount  # comment this to allow umount -f;  not recommended
        [all]
        kexec_load errno 38
        open_by_handle_at errno 38
        init_module errno 38
        finit_module errno 38
        delete_module errno 38

        """

    static func render(_ spec: LXCConfigSpec) -> String {
        var out = LXCConfigWriter()
        out.add("lxc.log.file", spec.logFile)
        out.add("lxc.log.level", spec.logLevel)
        out.add("lxc.console.buffer.size", "auto")
        out.add("lxc.console.size", "auto")
        if let consoleLogFile = spec.consoleLogFile {
            out.add("lxc.console.logfile", consoleLogFile)
        }

        // Filesystems: proc and sys read-write inside the user namespace, the container's own
        // cgroup writable and the rest read-only, a fresh /dev with a private devpts.
        out.add("lxc.mount.auto", spec.security.isPrivileged ? "proc:mixed sys:mixed cgroup:mixed" : "proc:rw sys:rw cgroup:mixed")
        out.add("lxc.autodev", "1")
        out.add("lxc.pty.max", "1024")
        out.add("lxc.tty.max", "0")
        for source in ["/dev/fuse dev/fuse", "/dev/net/tun dev/net/tun"] {
            out.add("lxc.mount.entry", "\(source) none bind,create=file,optional 0 0")
        }
        for path in [
            "proc/sys/fs/binfmt_misc", "sys/fs/fuse/connections", "sys/fs/pstore", "sys/kernel/debug",
            "sys/kernel/security", "sys/kernel/tracing",
        ] {
            out.add("lxc.mount.entry", "/\(path) \(path) none rbind,create=dir,optional 0 0")
        }

        out.add("lxc.arch", "linux64")
        out.add("lxc.uts.name", spec.hostname ?? spec.name)

        // Security: no AppArmor on this kernel (LXD writes "unconfined" then too); seccomp when
        // the daemon wrote a policy; the user namespace does the rest.
        out.add("lxc.apparmor.profile", "unconfined")
        if let seccompProfilePath = spec.seccompProfilePath {
            out.add("lxc.seccomp.profile", seccompProfilePath)
        }
        if !spec.capDrop.isEmpty {
            out.add("lxc.cap.drop", spec.capDrop.joined(separator: " "))
        }
        for (key, value) in spec.security.lines(layout: spec.cgroupLayout) {
            out.add(key, value)
        }
        for line in spec.idmapLines {
            out.raw(line)
        }

        // Host-made NICs (LXD's way: liblxc moves and renames them), or only loopback.
        if spec.nics.isEmpty {
            out.add("lxc.net.0.type", "empty")
        }
        for (index, nic) in spec.nics.enumerated() {
            out.add("lxc.net.\(index).type", "phys")
            out.add("lxc.net.\(index).link", nic.link)
            out.add("lxc.net.\(index).name", nic.name)
            out.add("lxc.net.\(index).flags", "up")
        }

        for setting in spec.cgroupSettings {
            out.add(setting.lxcConfigKey, setting.value)
        }

        for key in spec.environment.keys.sorted() {
            out.add("lxc.environment", "\(key)=\(spec.environment[key] ?? "")")
        }
        out.add("lxc.init.cmd", spec.initCommand)
        for entry in spec.mountEntries {
            out.add("lxc.mount.entry", entry)
        }
        out.add("lxc.rootfs.path", "dir:\(spec.rootfsPath)")
        if let hook = spec.postStopHook {
            out.add("lxc.hook.post-stop", hook)
        }

        if !spec.rawLXC.isEmpty {
            out.raw(spec.rawLXC.hasSuffix("\n") ? String(spec.rawLXC.dropLast()) : spec.rawLXC)
        }
        return out.text
    }
}

/// Accumulates `key = value` lines. Values never span lines: a newline in a value (a hostname,
/// an environment value) would otherwise inject arbitrary liblxc keys.
private struct LXCConfigWriter {
    var text = ""

    mutating func add(_ key: String, _ value: String) {
        // Scalars, not Characters: "\r\n" is one Character equal to neither.
        var flat = String.UnicodeScalarView()
        flat.append(contentsOf: value.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        text += "\(key) = \(String(flat))\n"
    }

    mutating func raw(_ lines: String) {
        text += lines + "\n"
    }
}
