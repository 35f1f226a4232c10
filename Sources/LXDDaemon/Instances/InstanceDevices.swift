import Foundation
import LXDAPI

/// Turns an instance's expanded devices into what liblxc mounts at start (LXD's `disk` and
/// `unix-char`/`unix-block` devices for containers). `none` devices mask a profile's device
/// of the same name and so never reach here. The root disk is the rootfs itself.
struct InstanceDevices {
    let devices: Devices
    /// The daemon-made node of each unix device (`UnixDeviceNode`), bound in its place.
    var nodes: [String: String] = [:]

    /// `lxc.mount.entry` values, in device-name order (LXD sorts devices by name too).
    func mountEntries() throws -> [String] {
        var entries: [String] = []
        for (name, device) in devices.sorted(by: { $0.key < $1.key }) {
            switch device["type"] {
            case "disk":
                guard device["path"] != "/" else { continue }
                entries.append(try diskEntry(name, device))
            case "unix-char", "unix-block":
                entries.append(try unixEntry(name, device))
            default:
                continue
            }
        }
        return entries
    }

    private func diskEntry(_ name: String, _ device: [String: String]) throws -> String {
        guard let source = device["source"], !source.isEmpty else {
            throw LXDError.badRequest("Failed start validation for device \"\(name)\": Disk source is required for \"\(name)\"")
        }
        guard let path = device["path"], !path.isEmpty else {
            throw LXDError.badRequest("Failed start validation for device \"\(name)\": Disk path is required for \"\(name)\"")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw LXDError.badRequest(
                "Failed start validation for device \"\(name)\": Missing source path \"\(source)\" for disk \"\(name)\"")
        }
        var options = ["bind", isDirectory.boolValue ? "create=dir" : "create=file"]
        if ["true", "1", "yes", "on"].contains(device["readonly"]?.lowercased() ?? "") { options.append("ro") }
        if device["optional"] == "true" { options.append("optional") }
        return "\(Self.escape(source)) \(Self.escape(Self.relative(path))) none \(options.joined(separator: ",")) 0 0"
    }

    /// A host device node bound onto `path` (the node named by `source`, or by `path` itself).
    private func unixEntry(_ name: String, _ device: [String: String]) throws -> String {
        guard let path = device["path"] ?? device["source"], !path.isEmpty else {
            throw LXDError.badRequest(
                "Failed start validation for device \"\(name)\": Unix device entry is missing the required \"source\" or \"path\" property")
        }
        if let node = nodes[name] {
            return "\(Self.escape(node)) \(Self.escape(Self.relative(path))) none bind,create=file 0 0"
        }
        let source = device["source"] ?? path
        var info = stat()
        guard stat(source, &info) == 0 else {
            throw LXDError.badRequest(
                "Failed to start device \"\(name)\": The required device path doesn't exist and the major and minor settings are not specified"
            )
        }
        let isChar = info.st_mode & S_IFMT == S_IFCHR
        let isBlock = info.st_mode & S_IFMT == S_IFBLK
        guard device["type"] == "unix-char" ? isChar : isBlock else {
            throw LXDError.badRequest(
                "Failed to start device \"\(name)\": Path \"\(source)\" is not a \(device["type"] == "unix-char" ? "character" : "block") device"
            )
        }
        return "\(Self.escape(source)) \(Self.escape(Self.relative(path))) none bind,create=file 0 0"
    }

    /// liblxc mount targets are relative to the rootfs.
    static func relative(_ path: String) -> String {
        String(path.drop { $0 == "/" })
    }

    /// fstab escaping: spaces and tabs in paths as octal escapes.
    static func escape(_ path: String) -> String {
        path.replacingOccurrences(of: "\\", with: "\\134").replacingOccurrences(of: " ", with: "\\040")
            .replacingOccurrences(of: "\t", with: "\\011")
    }
}
