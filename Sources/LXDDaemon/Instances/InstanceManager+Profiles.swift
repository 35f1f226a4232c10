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
    /// `previous`. A running container gets the changed limits live.
    func applyProfileChange(
        _ name: String, previous: (config: [String: String], devices: Devices), requestor: EventLifecycleRequestor?
    ) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        let current = try await expanded(try await record(name))
        try Self.checkDiskSources(current.devices)
        if await status(name) == .running {
            // Limits are what a running container takes live here; disk and unix devices added
            // or removed by a profile apply at the next start (live hot-plug is the device work's).
            try await applyLive(name, from: try? InstanceLimits(config: previous.config), to: try InstanceLimits(config: current.config))
        }
        events.lifecycle("instance-updated", source: "/1.0/instances/\(name)", requestor: requestor)
    }

    /// Disk devices must have their host source (LXD's "add validation"), unless optional.
    static func checkDiskSources(_ devices: Devices) throws {
        for (device, settings) in devices.sorted(by: { $0.key < $1.key }) where settings["type"] == "disk" && settings["path"] != "/" {
            guard let source = settings["source"], source.hasPrefix("/"), (settings["pool"] ?? "").isEmpty,
                settings["optional"] != "true", !FileManager.default.fileExists(atPath: source)
            else { continue }
            throw LXDError.badRequest(
                "Failed add validation for device \"\(device)\": Missing source path \"\(source)\" for disk \"\(device)\"")
        }
    }
}
