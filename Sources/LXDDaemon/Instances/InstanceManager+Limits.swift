import LXDAPI

/// Resource limits changed on a running container: the cgroup values of the old and new
/// expanded config are compared and only what changed is written (memory reset first, as the
/// v1 memory controller refuses a limit above the swap limit); a value the kernel refuses rolls
/// the container's cgroup back to the old values and fails with LXD's message.
extension InstanceManager {
    /// The cgroup values of both configs; a config whose limits cannot apply on this host is
    /// refused (LXD: "Initialize LXC: ...").
    func cgroupSettings(old: InstanceRecord, new: InstanceRecord) async throws -> (old: [CgroupSetting], new: [CgroupSetting]) {
        let limits = CgroupLimits(layout: .host)
        let rootfs = (try? rootPool(try await expanded(new).devices)).map { volumePath(new.name, pool: $0) + "/rootfs" } ?? "/"
        let oldExpanded = try await expanded(old)
        let newExpanded = try await expanded(new)
        let oldSettings = (try? limits.settings(config: oldExpanded.config, devices: oldExpanded.devices, rootfs: rootfs)) ?? []
        do {
            return (oldSettings, try limits.settings(config: newExpanded.config, devices: newExpanded.devices, rootfs: rootfs))
        } catch let error as LXDError {
            throw LXDError.internalError("Initialize LXC: \(error.message)")
        }
    }

    func applyCgroupChanges(_ name: String, from old: [CgroupSetting], to new: [CgroupSetting]) async throws {
        guard old != new else { return }
        do {
            try await writeCgroupChanges(name, from: old, to: new)
        } catch {
            try? await writeCgroupChanges(name, from: new, to: old)
            throw LXDError.internalError("setting cgroup item for the container failed")
        }
    }

    private func writeCgroupChanges(_ name: String, from old: [CgroupSetting], to new: [CgroupSetting]) async throws {
        func isMemory(_ setting: CgroupSetting) -> Bool { setting.key.hasPrefix("memory.") && setting.key != "memory.swappiness" }
        var writes: [CgroupSetting] = []
        let oldMemory = old.filter(isMemory)
        let newMemory = new.filter(isMemory)
        if oldMemory != newMemory {
            // Unlimited swap first, then memory, then the soft limit; then the new values.
            let order = [
                "memory.memsw.limit_in_bytes", "memory.swap.max", "memory.limit_in_bytes", "memory.max", "memory.soft_limit_in_bytes",
                "memory.low",
            ]
            for key in order {
                if let setting = (oldMemory + newMemory).first(where: { $0.key == key }), let reset = CgroupLimits.reset(setting) {
                    writes.append(reset)
                }
            }
            writes += newMemory
        }
        // Everything else: new or changed values, and resets of values that went away.
        let others = { (settings: [CgroupSetting]) in settings.filter { !isMemory($0) } }
        for setting in others(old)
        where !others(new).contains(where: { $0.key == setting.key && Self.target(of: $0) == Self.target(of: setting) }) {
            if let reset = CgroupLimits.reset(setting) { writes.append(reset) }
        }
        for setting in others(new) where !others(old).contains(setting) { writes.append(setting) }
        for setting in writes { try await lxc.setCgroupItem(name, setting.key, setting.value) }
    }

    /// Throttle values of different block devices live in one file: tell them apart.
    private static func target(of setting: CgroupSetting) -> String {
        setting.key.hasPrefix("blkio.throttle.") || setting.key == "io.max" ? String(setting.value.split(separator: " ").first ?? "") : ""
    }
}
