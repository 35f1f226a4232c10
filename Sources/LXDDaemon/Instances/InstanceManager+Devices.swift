import Foundation
import LXDAPI
import LXDCore

/// Devices added to or removed from a running container take effect at once, as in LXD: disk
/// bind mounts and unix device nodes are attached in (or detached from) the container's mount
/// namespace by the `lxd forkmount` helper; the daemon itself never joins a namespace.
extension InstanceManager {
    /// The keys that change a device's limits without replacing the device.
    static func mountIdentity(_ device: [String: String]) -> [String: String] {
        device.filter { !$0.key.hasPrefix("limits.") }
    }

    /// Whether a device of this kind is mounted into the container (and so can be hot-plugged).
    static func isMounted(_ device: [String: String]) -> Bool {
        switch device["type"] {
        case "disk": return device["path"] != "/" && (device["pool"] ?? "").isEmpty
        case "unix-char", "unix-block": return true
        default: return false
        }
    }

    /// Removes the mounts of devices that went away or changed, then adds the new ones; a
    /// failure stops there with LXD's wording (the caller leaves the stored config unchanged).
    func hotplugDevices(_ name: String, old: Devices, new: Devices) async throws {
        guard let pid = await lxc.initPID(name) else { return }
        let removed = old.filter { key, device in Self.isMounted(device) && new[key].map(Self.mountIdentity) != Self.mountIdentity(device) }
        let added = new.filter { key, device in Self.isMounted(device) && old[key].map(Self.mountIdentity) != Self.mountIdentity(device) }
        for (deviceName, device) in removed.sorted(by: { $0.key > $1.key }) {
            guard let path = Self.containerPath(device) else { continue }
            let isUnix = device["type"] != "disk"
            let result = try await ExternalTool.run(executable, ["forkmount", "umount", String(pid), path] + (isUnix ? ["remove"] : []))
            if isUnix, IdmapAllocator.isPrivileged(try await expanded(try await record(name)).config),
                let rule = try? UnixDeviceNode(name: deviceName, device: device).cgroupRule()
            {
                try? await lxc.setCgroupItem(name, "devices.deny", rule)
            }
            // A mount the container already removed by itself is gone either way.
            if case .exited(0) = result.status {
            } else if !result.output.contains("Invalid argument") {
                throw LXDError.internalError("Failed to stop device \(GoSyntax.quote(deviceName)): \(Self.helperMessage(result.output))")
            }
        }
        for (deviceName, device) in added.sorted(by: { $0.key < $1.key }) {
            guard let path = Self.containerPath(device) else { continue }
            let source: String
            let isFile: Bool
            if device["type"] == "disk" {
                source = device["source"] ?? ""
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
                    if ConfigBool.isFalse(device["required"] ?? "true") || ConfigBool.isTrue(device["optional"] ?? "") { continue }
                    throw LXDError.internalError(
                        "Failed to start device \(GoSyntax.quote(deviceName)): Missing source path \(GoSyntax.quote(source)) for disk \(GoSyntax.quote(deviceName))"
                    )
                }
                isFile = !isDirectory.boolValue
            } else {
                let record = try await record(name)
                let running = record.config["volatile.idmap.current"].flatMap(ContainerIdmap.fromVolatile) ?? nextIdmap(record)
                let node = UnixDeviceNode(name: deviceName, device: device)
                guard let made = try node.make(in: devicesFolder(name), idmap: running) else { continue }
                if running.isPrivileged, let rule = try node.cgroupRule() { try await lxc.setCgroupItem(name, "devices.allow", rule) }
                source = made
                isFile = true
            }
            let readonly = ConfigBool.isTrue(device["readonly"] ?? "")
            let result = try await ExternalTool.run(
                executable, ["forkmount", "mount", String(pid), source, path, isFile ? "file" : "dir", readonly ? "ro" : "rw"])
            guard case .exited(0) = result.status else {
                throw LXDError.internalError("Failed to start device \(GoSyntax.quote(deviceName)): \(Self.helperMessage(result.output))")
            }
        }
    }

    /// Where a device appears inside the container (unix devices default to their source).
    static func containerPath(_ device: [String: String]) -> String? {
        let path = device["path"].flatMap { $0.isEmpty ? nil : $0 } ?? device["source"]
        guard let path, !path.isEmpty else { return nil }
        return path.hasPrefix("/") ? path : "/" + path
    }

    private static func helperMessage(_ output: String) -> String {
        output.split(separator: "\n").last.map { String($0.dropFirst($0.hasPrefix("forkmount: ") ? 11 : 0)) } ?? "unknown error"
    }
}
