import Foundation
import LXDAPI

/// What a profile change does to the instances that use it: as LXD, the profile is saved first,
/// then each instance's new expanded configuration is checked and, on a running container,
/// applied live (LXD's `doProfileUpdateInstance`).
extension InstanceManager {
    /// The expanded config and devices of each instance using `profile`, by instance name (taken
    /// before the profile changes, to compare with after).
    func expandedUsing(profile: String) async throws -> [(name: String, expanded: (config: [String: String], devices: Devices))] {
        var result: [(name: String, expanded: (config: [String: String], devices: Devices))] = []
        for name in try await database.instancesUsingProfile(profile) {
            guard let record = try await database.instance(named: name) else { continue }
            result.append((name, try await expanded(record)))
        }
        return result
    }

    /// Re-applies `name`'s expanded configuration after one of its profiles changed from
    /// `previous`: the new expanded devices are checked as an update checks them and, on a running
    /// container, devices are hot-plugged and the cgroup limits rewritten where they changed.
    func applyProfileChange(
        _ name: String, previous: (config: [String: String], devices: Devices), requestor: EventLifecycleRequestor?
    ) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        var record = try await record(name)
        let current = try await expanded(record)
        do { try ExpandedValidation.validate(config: current.config, devices: current.devices) } catch {
            throw LXDError.badRequest(error.message)
        }
        try await networks.validateNICs(current.devices, instance: name)
        // A profile that changes the id map keys gives the instance a new map, used at its next start.
        let idmapChanged = Self.idmapKeys.contains { previous.config[$0] != current.config[$0] }
        if idmapChanged {
            do {
                let (map, base) = try await idmap(for: current.config, excluding: name)
                record.config["volatile.idmap.next"] = map.volatileJSON
                record.config["volatile.idmap.base"] = String(base)
            } catch let error as ConfigValueError {
                throw LXDError.badRequest("Failed to get ID map: \(error.message)")
            }
        }
        do { try DeviceValidator.checkSources(current.devices) } catch { throw LXDError.badRequest(error.message) }
        if await status(name) == .running {
            let limits = CgroupLimits(layout: .host)
            let rootfs = (try? rootPool(current.devices)).map { volumePath(name, pool: $0) + "/rootfs" } ?? "/"
            let old = (try? limits.settings(config: previous.config, devices: previous.devices, rootfs: rootfs)) ?? []
            let new: [CgroupSetting]
            do {
                new = try limits.settings(config: current.config, devices: current.devices, rootfs: rootfs)
            } catch let error as LXDError {
                throw LXDError.internalError("Initialize LXC: \(error.message)")
            }
            // Disks on custom volumes are mounted from their volume's path, as an instance update does.
            try await hotplugDevices(
                name, old: (try? await storage.resolveDiskDevices(previous.devices)) ?? previous.devices,
                new: try await storage.resolveDiskDevices(current.devices))
            try await applyCgroupChanges(name, from: old, to: new)
        }
        if idmapChanged { try await database.updateInstance(record) }
        events.lifecycle("instance-updated", source: "/1.0/instances/\(name)", requestor: requestor)
    }
}
