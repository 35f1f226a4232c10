import LXDAPI
import LXDCore

/// What a storage driver can do, as the pool layer and `GET /1.0` need to know.
struct DriverInfo: Sendable {
    let name: String
    /// Volumes made from an image volume by a cheap snapshot or clone rather than a full copy.
    let hasOptimizedImages: Bool
    /// Root disk `size` is enforced.
    let hasQuotas: Bool
    /// Snapshots are filesystem snapshots (cheap, read-only), not copies.
    let hasCheapSnapshots: Bool
    /// A running instance is frozen while its volume is snapshotted or copied, for a
    /// consistent copy (LXD's `RunningCopyFreeze`: dir and lvm yes, btrfs no).
    let freezesRunningInstances: Bool
    /// Pool config keys beyond the common ones (`source`, `size`, `volume.*`, `user.*`).
    let poolKeys: Set<String>
    /// Volume config keys beyond `size` and `user.*`.
    let volumeKeys: Set<String>
}

/// The low-level operations on one pool's volumes (LXD's `drivers.Driver`); the pool layer
/// (`StorageManager`) adds the database, locks and the undo of multi-step changes. Every
/// method may block on host tools and must not be called on the cooperative pool's threads
/// for long: drivers run their tools through `ExternalTool` and file trees through `Blocking`.
protocol StorageDriver: Sendable {
    static var info: DriverInfo { get }
    /// The version the server reports in `storage_supported_drivers`.
    static func version() async -> String
    /// False when the host lacks what the driver needs (its tools, a kernel feature), with why.
    static func unavailableReason() -> String?

    var pool: PoolContext { get }
    init(pool: PoolContext)

    /// Checks a new pool's config and fills in its defaults (`source`, `size`).
    func fillConfig() throws -> [String: String]
    /// Makes the pool's storage (loop file, filesystem, volume group) and mounts it.
    func create() async throws
    /// Removes what `create` made; the pool holds no volumes any more.
    func delete() async throws
    /// Makes the pool reachable under its mount path (at daemon start); true if it did something.
    @discardableResult func mount() async throws -> Bool
    @discardableResult func unmount() async throws -> Bool
    /// Applies changed pool keys (only those the driver can change live).
    func update(_ changed: [String: String]) async throws
    func usage() async throws -> PoolUsage

    /// An empty volume, then `fill` writes its content into the mounted path.
    func createVolume(_ volume: Volume, fill: @escaping @Sendable (String) async throws -> Void) async throws
    /// An instance volume from an image volume of the same pool: a snapshot or clone where
    /// the driver can, a copy otherwise.
    func createVolume(_ volume: Volume, fromImage image: Volume) async throws
    /// A copy of `source` (or of its snapshot `fromSnapshot`) in this pool, with the snapshots
    /// named in `snapshots` copied too.
    func copyVolume(_ volume: Volume, from source: Volume, fromSnapshot: String?, snapshots: [String]) async throws
    func deleteVolume(_ volume: Volume, snapshots: [String]) async throws
    func renameVolume(_ volume: Volume, to newName: String) async throws
    /// The path where the volume's filesystem is reached (mounting it first where needed).
    func mountVolume(_ volume: Volume) async throws -> String
    func unmountVolume(_ volume: Volume) async throws
    /// Marks an image volume finished (read-only where the driver can).
    func sealImageVolume(_ volume: Volume) async throws

    func createSnapshot(_ volume: Volume, name: String) async throws
    func deleteSnapshot(_ volume: Volume, name: String) async throws
    func renameSnapshot(_ volume: Volume, from name: String, to newName: String) async throws
    /// Puts the volume back as the snapshot has it.
    func restoreSnapshot(_ volume: Volume, name: String) async throws

    /// Limits the volume to `bytes` (nil: no limit). Refuses a size below what is in use.
    func setQuota(_ volume: Volume, bytes: Int64?) async throws
    /// Bytes the volume uses, when the driver can tell.
    func volumeUsage(_ volume: Volume) async throws -> UInt64?
}

/// The drivers by name (LXD's `drivers.Load`).
enum StorageDrivers {
    static let all: [any StorageDriver.Type] = [DirDriver.self, BtrfsDriver.self, LVMDriver.self]

    static func type(named name: String) throws -> any StorageDriver.Type {
        guard let type = all.first(where: { $0.info.name == name }) else { throw LXDError.internalError("Unknown driver") }
        return type
    }

    static func make(_ driver: String, pool: PoolContext) throws -> any StorageDriver {
        try type(named: driver).init(pool: pool)
    }

    /// Validates pool keys against the driver's (LXD: "Invalid option").
    static func validatePoolConfig(_ config: [String: String], driver: any StorageDriver.Type) throws {
        let volumeKeys = driver.info.volumeKeys.union(["size"])
        for key in config.keys {
            if key.hasPrefix("user.") || key == "source" || driver.info.poolKeys.contains(key) { continue }
            if key.hasPrefix("volume."), volumeKeys.contains(String(key.dropFirst("volume.".count))) { continue }
            if key.hasPrefix("volatile.") { continue }
            throw LXDError.internalError("Invalid option \"\(key)\"")
        }
        for key in ["size", "volume.size"] {
            if let value = config[key], !value.isEmpty, ByteSize.parse(value) == nil {
                throw LXDError.internalError("Invalid value for option \"\(key)\": Invalid value: \(value)")
            }
        }
    }
}
