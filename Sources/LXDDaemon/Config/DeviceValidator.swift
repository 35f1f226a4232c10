import Foundation
import LXDAPI

/// Validates device entries as LXD 5.0.2 does when they are stored (on an instance or a
/// profile): a known type, only that type's keys (plus `user.*`), each value with its key's
/// syntax, and the type's own rules. Host checks that only apply to an instance (a disk's
/// missing source) live in `checkSources`.
enum DeviceValidator {
    /// The keys of each device type we run, with their syntax.
    static let rules: [String: [String: ConfigValueCheck]] = [
        "disk": [
            "required": .bool, "optional": .bool, "readonly": .bool, "recursive": .bool, "shift": .bool,
            "source": .any, "path": .any, "pool": .any, "limits.read": .any, "limits.write": .any, "limits.max": .any,
            "size": .size, "size.state": .size,
            "propagation": .oneOf(["private", "shared", "slave", "unbindable", "rshared", "rslave", "runbindable", "rprivate"]),
            "raw.mount.options": .any, "ceph.cluster_name": .any, "ceph.user_name": .any, "boot.priority": .uint32,
        ],
        "unix-char": unixRules,
        "unix-block": unixRules,
        "none": [:],
    ]

    static let unixRules: [String: ConfigValueCheck] = [
        "source": .any, "path": .any, "required": .bool,
        "major": unsigned32("Invalid value for a UNIX device number"), "minor": unsigned32("Invalid value for a UNIX device number"),
        "uid": unsigned32("Invalid value for a UNIX ID"), "gid": unsigned32("Invalid value for a UNIX ID"),
        "mode": ConfigValueCheck.optional(
            ConfigValueCheck { value throws(ConfigValueError) in
                guard let mode = UInt64(value, radix: 8), mode <= UInt64(UInt32.max) else {
                    throw ConfigValueError("Invalid value for an octal file mode")
                }
            }),
    ]

    /// Types LXD has that this daemon does not run yet: refused rather than silently ignored.
    /// `nic` is accepted (any keys) and stored for the networking work.
    static let passThroughTypes: Set<String> = ["nic"]

    private static func unsigned32(_ message: String) -> ConfigValueCheck {
        .optional(
            ConfigValueCheck { value throws(ConfigValueError) in
                if GoSyntax.parseUnsignedError(value, bits: 32) != nil { throw ConfigValueError(message) }
            })
    }

    /// Every device of `devices` (an instance's own devices or a profile's), in name order.
    /// The error message is LXD's "Device validation failed for "NAME": ..." text.
    static func validate(_ devices: Devices) throws(ConfigValueError) {
        for name in devices.keys.sorted() {
            do {
                try validate(name: name, devices[name] ?? [:], siblings: devices)
            } catch {
                throw ConfigValueError("Device validation failed for \(GoSyntax.quote(name)): \(error.message)")
            }
        }
    }

    private static func validate(name: String, _ device: [String: String], siblings: Devices) throws(ConfigValueError) {
        guard let type = device["type"], !type.isEmpty else {
            throw ConfigValueError("Failed loading device \(GoSyntax.quote(name)): Missing device type in config")
        }
        if passThroughTypes.contains(type) { return }
        guard let typeRules = rules[type] else {
            throw ConfigValueError("Failed loading device \(GoSyntax.quote(name)): Unsupported device type")
        }
        for key in typeRules.keys.sorted() {
            do {
                try typeRules[key]?(device[key] ?? "")
            } catch {
                throw ConfigValueError("Invalid value for device option \(GoSyntax.quote(key)): \(error.message)")
            }
        }
        for key in device.keys.sorted() where key != "type" && typeRules[key] == nil && !key.hasPrefix("user.") {
            throw ConfigValueError("Invalid device option \(GoSyntax.quote(key))")
        }
        switch type {
        case "disk": try validateDisk(device, siblings: siblings)
        case "unix-char", "unix-block":
            if (device["source"] ?? "").isEmpty && (device["path"] ?? "").isEmpty {
                throw ConfigValueError("Unix device entry is missing the required \"source\" or \"path\" property")
            }
        default: break
        }
    }

    private static func validateDisk(_ device: [String: String], siblings: Devices) throws(ConfigValueError) {
        let source = device["source"] ?? ""
        let path = device["path"] ?? ""
        let pool = device["pool"] ?? ""
        if !(device["required"] ?? "").isEmpty && !(device["optional"] ?? "").isEmpty {
            throw ConfigValueError("Cannot use both \"required\" and deprecated \"optional\" properties at the same time")
        }
        if source.isEmpty && path != "/" { throw ConfigValueError("Disk entry is missing the required \"source\" or \"path\" property") }
        if path == "/" && !source.isEmpty { throw ConfigValueError("Root disk entry may not have a \"source\" property set") }
        if path == "/" && pool.isEmpty { throw ConfigValueError("Root disk entry must have a \"pool\" property set") }
        if !(device["size"] ?? "").isEmpty && path != "/" { throw ConfigValueError("Only the root disk may have a size quota") }
        if !(device["size.state"] ?? "").isEmpty && path != "/" {
            throw ConfigValueError("Only the root disk may have a migration size quota")
        }
        if let recursive = device["recursive"], !recursive.isEmpty {
            var isDirectory: ObjCBool = false
            if path == "/" || !FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) || !isDirectory.boolValue {
                throw ConfigValueError("The recursive option is only supported for additional bind-mounted paths")
            }
            if ConfigBool.isTrue(recursive) && ConfigBool.isTrue(device["readonly"] ?? "") {
                throw ConfigValueError("Recursive read-only bind-mounts aren't currently supported by the kernel")
            }
        }
        let isCeph = source.hasPrefix("ceph:") || source.hasPrefix("cephfs:")
        if !isCeph && (!(device["ceph.cluster_name"] ?? "").isEmpty || !(device["ceph.user_name"] ?? "").isEmpty) {
            throw ConfigValueError("Invalid options ceph.cluster_name/ceph.user_name for source \(GoSyntax.quote(source))")
        }
        if !path.isEmpty, siblings.values.filter({ $0["type"] == "disk" && $0["path"] == path }).count > 1 {
            throw ConfigValueError("More than one disk device uses the same path \(GoSyntax.quote(path))")
        }
        let isLocalSource = pool.isEmpty && !source.isEmpty && !isCeph
        if isLocalSource && !source.hasPrefix("/") { throw ConfigValueError("Source path must be absolute for local sources") }
        if !pool.isEmpty {
            if !(device["shift"] ?? "").isEmpty {
                throw ConfigValueError(
                    "The \"shift\" property cannot be used with custom storage volumes (set \"security.shifted=true\" on the volume instead)"
                )
            }
            if source.hasPrefix("/") { throw ConfigValueError("Storage volumes cannot be specified as absolute paths") }
        }
    }

    /// A required bind-mount source that does not exist on the host (checked when devices are
    /// added to an instance, not for profiles).
    static func checkSources(_ devices: Devices) throws(ConfigValueError) {
        for name in devices.keys.sorted() {
            guard let device = devices[name], device["type"] == "disk", device["path"] != "/", (device["pool"] ?? "").isEmpty,
                let source = device["source"], source.hasPrefix("/")
            else { continue }
            let required =
                (device["required"] ?? "").isEmpty
                ? !ConfigBool.isTrue(device["optional"] ?? "") : ConfigBool.isTrue(device["required"] ?? "")
            if required && !FileManager.default.fileExists(atPath: source) {
                throw ConfigValueError(
                    "Failed add validation for device \(GoSyntax.quote(name)): Missing source path \(GoSyntax.quote(source)) for disk \(GoSyntax.quote(name))"
                )
            }
        }
    }
}
