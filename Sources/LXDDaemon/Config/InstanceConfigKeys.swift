/// Which instance types a config key applies to (LXD's "any", container-only and VM-only keys).
enum ConfigKeyScope: Sendable {
    case any
    case container
    case virtualMachine
}

/// The instance config keys LXD 5.0.2 knows, with the syntax each value must have; written
/// from LXD's configuration reference (doc/instances.md). Which keys the daemon actually acts
/// on is listed in `InstanceConfigKeys.applied`; the others are stored and shown as LXD does.
enum InstanceConfigKeys {
    struct Rule: Sendable {
        var scope: ConfigKeyScope
        var check: ConfigValueCheck
    }

    static let table: [String: Rule] = {
        var table: [String: Rule] = [:]
        func add(_ scope: ConfigKeyScope, _ check: ConfigValueCheck, _ keys: String...) {
            for key in keys { table[key] = Rule(scope: scope, check: check) }
        }
        // Boot and cloud-init.
        add(.any, .bool, "boot.autostart")
        add(.any, .int64, "boot.autostart.delay", "boot.autostart.priority", "boot.stop.priority", "boot.host_shutdown_timeout")
        add(.any, .yaml, "cloud-init.network-config")
        add(.any, .cloudInitUserData, "cloud-init.user-data", "cloud-init.vendor-data")
        add(.any, .oneOf(["auto", "migrate", "live-migrate", "stop"]), "cluster.evacuate")

        // Resource limits.
        add(.any, .cpuSet, "limits.cpu")
        add(.any, .priority, "limits.disk.priority", "limits.network.priority")
        add(.any, .memoryLimit, "limits.memory")
        add(.container, .cpuAllowance, "limits.cpu.allowance")
        add(.container, .priority, "limits.cpu.priority", "limits.memory.swap.priority")
        add(.container, .size, "limits.hugepages.64KB", "limits.hugepages.1MB", "limits.hugepages.2MB", "limits.hugepages.1GB")
        add(.container, .oneOf(["soft", "hard"]), "limits.memory.enforce")
        add(.container, .bool, "limits.memory.swap")
        add(.container, .int64, "limits.processes")
        add(.virtualMachine, .bool, "limits.memory.hugepages")

        // Kernel, migration, NVIDIA.
        add(.container, .any, "linux.kernel_modules")
        add(.container, .bool, "migration.incremental.memory")
        add(.container, .uint32, "migration.incremental.memory.iterations", "migration.incremental.memory.goal")
        add(.virtualMachine, .bool, "migration.stateful")
        add(.container, .bool, "nvidia.runtime")
        add(.container, .any, "nvidia.driver.capabilities", "nvidia.require.cuda", "nvidia.require.driver")

        // Raw settings (raw.lxc and raw.idmap get their own checks in ConfigValidator).
        add(.any, .any, "raw.apparmor", "raw.idmap")
        add(.container, .any, "raw.lxc", "raw.seccomp")
        add(.virtualMachine, .any, "raw.qemu", "raw.qemu.conf")

        // Security.
        add(.any, .bool, "security.devlxd", "security.protection.delete")
        add(.container, .bool, "security.devlxd.images", "security.idmap.isolated", "security.nesting", "security.privileged")
        add(.container, .bool, "security.protection.shift")
        add(.container, .uint32, "security.idmap.base", "security.idmap.size")
        add(
            .container, .bool, "security.syscalls.blacklist_default", "security.syscalls.blacklist_compat",
            "security.syscalls.deny_default",
            "security.syscalls.deny_compat", "security.syscalls.intercept.bpf", "security.syscalls.intercept.bpf.devices",
            "security.syscalls.intercept.mknod", "security.syscalls.intercept.mount", "security.syscalls.intercept.mount.shift",
            "security.syscalls.intercept.sched_setscheduler", "security.syscalls.intercept.setxattr")
        add(
            .container, .any, "security.syscalls.allow", "security.syscalls.blacklist", "security.syscalls.deny",
            "security.syscalls.intercept.mount.allowed", "security.syscalls.intercept.mount.fuse", "security.syscalls.whitelist")
        add(.virtualMachine, .bool, "security.agent.metrics", "security.secureboot", "agent.nic_config")

        // Snapshots.
        add(.any, .cronSchedule, "snapshots.schedule")
        add(.any, .bool, "snapshots.schedule.stopped")
        add(.any, .any, "snapshots.pattern")
        add(.any, .snapshotExpiry, "snapshots.expiry")

        // Volatile keys a client may send back (they come from GET, the seed's `lxc config edit`).
        add(
            .any, .any, "volatile.apply_template", "volatile.base_image", "volatile.evacuate.origin", "volatile.last_state.idmap",
            "volatile.last_state.power", "volatile.idmap.base", "volatile.idmap.current", "volatile.idmap.next", "volatile.apply_quota")
        add(.any, .uuid, "volatile.cloud-init.instance-id", "volatile.uuid")
        add(.any, .int64, "volatile.vsock_id")
        add(.virtualMachine, .bool, "volatile.apply_nvram")
        return table
    }()

    /// Per-device volatile keys (`volatile.eth0.hwaddr`, `volatile.root.apply_quota`, ...).
    static let volatileDeviceSuffixes = [
        ".hwaddr", ".name", ".host_name", ".mtu", ".created", ".id", ".vlan", ".spoofcheck", ".last_state.vf.parent",
        ".apply_quota", ".ceph_rbd", ".driver", ".uuid",
    ]

    /// Free-form namespaces: any key below them, any value.
    static func isFreeForm(_ key: String, scope: ConfigKeyScope) -> Bool {
        if key.hasPrefix("environment.") || key.hasPrefix("user.") || key.hasPrefix("image.") { return true }
        if key.hasPrefix("limits.kernel."), key.count > "limits.kernel.".count { return true }
        if key.hasPrefix("linux.sysctl.") { return scope != .virtualMachine }
        if key.hasPrefix("volatile.") { return volatileDeviceSuffixes.contains { key.hasSuffix($0) } }
        return false
    }

    /// The check for `key` on an instance of `scope` (`.any` for profiles: every key of any
    /// instance type), or nil when LXD does not know the key.
    static func check(for key: String, scope: ConfigKeyScope) -> ConfigValueCheck? {
        if let rule = table[key] {
            switch (rule.scope, scope) {
            case (.any, _), (_, .any): return rule.check
            case (.container, .container), (.virtualMachine, .virtualMachine): return rule.check
            default: break
            }
        }
        return isFreeForm(key, scope: scope) ? .any : nil
    }
}
