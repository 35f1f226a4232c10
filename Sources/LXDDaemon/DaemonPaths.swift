import Foundation

/// The layout of `$LXD_DIR`, named once.
public struct DaemonPaths: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// `$LXD_DIR`, or `/var/lib/lxd` when unset (LXD's default).
    public static func fromEnvironment() -> DaemonPaths {
        let environment = ProcessInfo.processInfo.environment
        let root = environment["LXD_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/lib/lxd"
        return DaemonPaths(root: root)
    }

    public var socket: String { root + "/unix.socket" }
    public var database: String { root + "/database" }
    public var databaseFile: String { database + "/" + Database.fileName }
    public var images: String { root + "/images" }
    public var logs: String { root + "/logs" }
    public var cache: String { root + "/cache" }
    public var storagePools: String { root + "/storage-pools" }
    /// liblxc's lxcpath: one symlink per instance to its volume in a pool, as in LXD.
    public var containers: String { root + "/containers" }
    public var devices: String { root + "/devices" }
    public var security: String { root + "/security" }
    public var pidFile: String { root + "/lxd.pid" }

    public func imageFile(_ fingerprint: String) -> String { images + "/" + fingerprint }
    /// The rootfs half of a split image (the metadata half is `imageFile`).
    public func imageRootfsFile(_ fingerprint: String) -> String { imageFile(fingerprint) + ".rootfs" }
    public func instanceLogs(_ name: String) -> String { logs + "/" + name }
    public func instanceLXCConfig(_ name: String) -> String { instanceLogs(name) + "/lxc.conf" }
    public func instanceLink(_ name: String) -> String { containers + "/" + name }
    public func pool(_ name: String) -> String { storagePools + "/" + name }
}
