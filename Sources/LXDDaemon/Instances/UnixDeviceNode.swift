import Foundation
import LXDAPI

/// The device node of a `unix-char`/`unix-block` device: made by the daemon under
/// `$LXD_DIR/devices/INSTANCE/` with the device's numbers (from `major`/`minor`, else from the
/// host node named by `source`/`path`), `mode` (default: the host node's, else 0660) and the
/// container ids `uid`/`gid` (default 0) mapped to host ids; then bind-mounted into the
/// container like LXD does.
struct UnixDeviceNode {
    let name: String
    let device: [String: String]

    var isCharacter: Bool { device["type"] == "unix-char" }

    /// (major, minor, mode) of the node to make; nil when the device is not required and has
    /// neither numbers nor a host node.
    func attributes() throws -> (major: UInt32, minor: UInt32, mode: UInt32)? {
        var mode = device["mode"].flatMap { UInt32($0, radix: 8) }
        if let major = device["major"].flatMap(UInt32.init), let minor = device["minor"].flatMap(UInt32.init) {
            return (major, minor, mode ?? 0o660)
        }
        let source = device["source"].flatMap { $0.isEmpty ? nil : $0 } ?? device["path"] ?? ""
        var info = stat()
        guard stat(source, &info) == 0 else {
            if ConfigBool.isFalse(device["required"] ?? "true") { return nil }
            throw LXDError.badRequest(
                "Failed to start device \(GoSyntax.quote(name)): The required device path doesn't exist and the major and minor settings are not specified"
            )
        }
        let kind = info.st_mode & S_IFMT
        guard kind == (isCharacter ? S_IFCHR : S_IFBLK) else {
            throw LXDError.badRequest(
                "Failed to start device \(GoSyntax.quote(name)): Path \(GoSyntax.quote(source)) is not a \(isCharacter ? "character" : "block") device"
            )
        }
        if mode == nil { mode = UInt32(info.st_mode & 0o7777) }
        let rdev = UInt64(info.st_rdev)
        let major = UInt32(((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~UInt64(0xfff)))
        let minor = UInt32((rdev & 0xff) | ((rdev >> 12) & ~UInt64(0xff)))
        return (major, minor, mode ?? 0o660)
    }

    /// Makes (or remakes) the node in `folder`, owned by the host ids of the container's
    /// `uid`/`gid`; returns its path, nil when an optional device is absent.
    func make(in folder: String, idmap: ContainerIdmap) throws -> String? {
        guard let (major, minor, mode) = try attributes() else { return nil }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        chmod(folder, 0o711)
        let node = folder + "/unix." + name.replacingOccurrences(of: "/", with: "-")
        unlink(node)
        let dev = (UInt64(major & 0xfff) << 8) | (UInt64(major & ~0xfff) << 32) | UInt64(minor & 0xff) | (UInt64(minor & ~0xff) << 12)
        guard mknod(node, (isCharacter ? S_IFCHR : S_IFBLK) | mode_t(mode & 0o777), dev_t(dev)) == 0 else {
            throw LXDError.internalError(
                "Failed to start device \(GoSyntax.quote(name)): Failed creating the device node: \(String(cString: strerror(errno)))")
        }
        chmod(node, mode_t(mode & 0o7777))
        let uid = Int64(device["uid"] ?? "") ?? 0
        let gid = Int64(device["gid"] ?? "") ?? 0
        chown(
            node, uid_t(idmap.hostID(forContainerID: uid, isUID: true) ?? 65534),
            gid_t(idmap.hostID(forContainerID: gid, isUID: false) ?? 65534))
        return node
    }

    /// The devices cgroup rule a privileged container needs for the node ("c 1:3 rwm").
    func cgroupRule() throws -> String? {
        guard let (major, minor, _) = try attributes() else { return nil }
        return "\(isCharacter ? "c" : "b") \(major):\(minor) rwm"
    }
}

extension InstanceManager {
    /// The folder of an instance's device nodes.
    func devicesFolder(_ instance: String) -> String { paths.root + "/devices/" + instance }

    /// The nodes of every unix device of `devices` (device name to node path), made before a
    /// start with the map the container starts with; the devices cgroup rules they need.
    func makeUnixNodes(_ instance: String, _ devices: Devices, idmap: ContainerIdmap) throws -> (nodes: [String: String], rules: [String]) {
        var nodes: [String: String] = [:]
        var rules: [String] = []
        for (deviceName, device) in devices.sorted(by: { $0.key < $1.key }) where ["unix-char", "unix-block"].contains(device["type"]) {
            let node = UnixDeviceNode(name: deviceName, device: device)
            guard let path = try node.make(in: devicesFolder(instance), idmap: idmap) else { continue }
            nodes[deviceName] = path
            if let rule = try node.cgroupRule() { rules.append(rule) }
        }
        return (nodes, rules)
    }
}
