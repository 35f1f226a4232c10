import LXDCore

/// The kinds of volume a pool holds (LXD's volume types), named as on the wire.
enum VolumeType: String, Sendable, CaseIterable {
    case container
    case image
    case custom

    /// The pool folder holding volumes of this type (LXD's layout).
    var folder: String {
        switch self {
        case .container: "containers"
        case .image: "images"
        case .custom: "custom"
        }
    }

    /// The pool folder holding their snapshots (images have none).
    var snapshotsFolder: String {
        switch self {
        case .container: "containers-snapshots"
        case .image: "images-snapshots"
        case .custom: "custom-snapshots"
        }
    }

    /// `containers` in the API path is `container` in LXD's URLs and type names.
    init?(apiName: String) {
        switch apiName {
        case "container", "containers": self = .container
        case "image", "images": self = .image
        case "custom": self = .custom
        default: return nil
        }
    }
}

/// One volume of a pool, as the drivers see it.
struct Volume: Sendable {
    var type: VolumeType
    /// The instance name, the image fingerprint or the custom volume's name.
    var name: String
    var config: [String: String] = [:]

    init(_ type: VolumeType, _ name: String, config: [String: String] = [:]) {
        self.type = type
        self.name = name
        self.config = config
    }

    /// The name on disk: custom volumes carry their project (LXD's `default_<name>`); instances
    /// of the default project and images do not.
    var diskName: String { type == .custom ? "default_" + name : name }

    func renamed(_ newName: String) -> Volume { Volume(type, newName, config: config) }
}

/// What a driver knows about its pool: the stored row and where things go under `$LXD_DIR`.
struct PoolContext: Sendable {
    let name: String
    var config: [String: String]
    /// `$LXD_DIR/storage-pools/<name>`: where the pool's filesystem is reached.
    let mountPath: String
    /// `$LXD_DIR/disks`: the loop files of pools that make their own.
    let disksPath: String
    /// For what goes wrong behind a request (`DeferredRemoval`).
    var logger = Logger(label: "lxd", sink: .discard)

    var source: String { config["source"] ?? "" }

    /// Where a volume's filesystem is reached while it is mounted.
    func path(_ volume: Volume) -> String { mountPath + "/" + volume.type.folder + "/" + volume.diskName }

    /// The folder of a volume's snapshots and the path of one of them.
    func snapshotsPath(_ volume: Volume) -> String { mountPath + "/" + volume.type.snapshotsFolder + "/" + volume.diskName }
    func snapshotPath(_ volume: Volume, _ snapshot: String) -> String { snapshotsPath(volume) + "/" + snapshot }

    /// The folders every filesystem pool has (LXD 5.0's layout).
    static let folders = [
        "containers", "containers-snapshots", "custom", "custom-snapshots", "images", "virtual-machines",
        "virtual-machines-snapshots",
    ]
}

/// Space used and available in a pool.
struct PoolUsage: Sendable {
    var used: UInt64
    var total: UInt64
}
