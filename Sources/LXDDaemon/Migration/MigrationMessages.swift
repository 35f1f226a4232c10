import Foundation

/// LXD's migration messages (`lxd/migration/migrate.proto`, proto2), sent as binary websocket
/// messages on the control channel. Field numbers are the protocol; names follow LXD's.
enum MigrationFSType: UInt64, Sendable {
    case rsync = 0
    case btrfs = 1
    case zfs = 2
    case rbd = 3
    case blockAndRsync = 4
}

enum MigrationCRIUType: UInt64, Sendable {
    case criuRsync = 0
    case phaul = 1
    case none = 2
}

struct MigrationIDMap: Sendable, Equatable {
    var isUID: Bool
    var isGID: Bool
    var hostID: Int64
    var nsID: Int64
    var range: Int64

    func encoded() -> ProtoWriter {
        var w = ProtoWriter()
        w.bool(1, isUID)
        w.bool(2, isGID)
        w.int(3, hostID)
        w.int(4, nsID)
        w.int(5, range)
        return w
    }

    init(isUID: Bool, isGID: Bool, hostID: Int64, nsID: Int64, range: Int64) {
        self.isUID = isUID
        self.isGID = isGID
        self.hostID = hostID
        self.nsID = nsID
        self.range = range
    }

    init(_ bytes: [UInt8]) throws {
        var r = ProtoReader(bytes)
        (isUID, isGID, hostID, nsID, range) = (false, false, 0, 0, 0)
        while let (field, value) = try r.next() {
            switch field {
            case 1: isUID = value.bool
            case 2: isGID = value.bool
            case 3: hostID = Int64(Int32(truncatingIfNeeded: value.int))
            case 4: nsID = Int64(Int32(truncatingIfNeeded: value.int))
            case 5: range = Int64(Int32(truncatingIfNeeded: value.int))
            default: break
            }
        }
    }
}

/// A snapshot's record as the migration header carries it (LXD's `migration.Snapshot`).
struct MigrationSnapshot: Sendable, Equatable {
    var name: String
    var config: [String: String] = [:]
    var profiles: [String] = []
    var ephemeral = false
    var devices: [String: [String: String]] = [:]
    var architecture: Int32 = 0
    var stateful = false
    var creationDate: Int64?
    var lastUsedDate: Int64?
    var expiryDate: Int64?

    init(name: String) { self.name = name }

    private static func pairs(_ map: [String: String]) -> [ProtoWriter] {
        map.sorted { $0.key < $1.key }.map { key, value in
            var w = ProtoWriter()
            w.string(1, key)
            w.string(2, value)
            return w
        }
    }

    private static func pair(_ bytes: [UInt8]) throws -> (String, String) {
        var r = ProtoReader(bytes)
        var key = ""
        var value = ""
        while let (field, v) = try r.next() {
            if field == 1 { key = v.string } else if field == 2 { value = v.string }
        }
        return (key, value)
    }

    func encoded() -> ProtoWriter {
        var w = ProtoWriter()
        w.string(1, name)
        for entry in Self.pairs(config) { w.message(2, entry) }
        for profile in profiles { w.string(3, profile) }
        w.bool(4, ephemeral)
        for (device, entries) in devices.sorted(by: { $0.key < $1.key }) {
            var d = ProtoWriter()
            d.string(1, device)
            for entry in Self.pairs(entries) { d.message(2, entry) }
            w.message(5, d)
        }
        w.int(6, Int64(architecture))
        w.bool(7, stateful)
        if let creationDate { w.int(8, creationDate) }
        if let lastUsedDate { w.int(9, lastUsedDate) }
        if let expiryDate { w.int(10, expiryDate) }
        return w
    }

    init(_ bytes: [UInt8]) throws {
        name = ""
        var r = ProtoReader(bytes)
        while let (field, value) = try r.next() {
            switch field {
            case 1: name = value.string
            case 2:
                let (key, v) = try Self.pair(value.data)
                config[key] = v
            case 3: profiles.append(value.string)
            case 4: ephemeral = value.bool
            case 5:
                var d = ProtoReader(value.data)
                var device = ""
                var entries: [String: String] = [:]
                while let (f, v) = try d.next() {
                    if f == 1 {
                        device = v.string
                    } else if f == 2 {
                        let (key, item) = try Self.pair(v.data)
                        entries[key] = item
                    }
                }
                devices[device] = entries
            case 6: architecture = Int32(truncatingIfNeeded: value.int)
            case 7: stateful = value.bool
            case 8: creationDate = value.int
            case 9: lastUsedDate = value.int
            case 10: expiryDate = value.int
            default: break
            }
        }
    }
}

/// The rsync options both sides agree on (LXD's `rsyncFeatures`).
struct MigrationRsyncFeatures: Sendable, Equatable {
    var xattrs = false
    var delete = false
    var compress = false
    var bidirectional = false

    /// What we offer and accept, as LXD's dir driver does.
    static let supported = MigrationRsyncFeatures(xattrs: true, delete: true, compress: true, bidirectional: true)

    var names: [String] {
        [(xattrs, "xattrs"), (delete, "delete"), (compress, "compress"), (bidirectional, "bidirectional")].filter(\.0).map(\.1)
    }

    func encoded() -> ProtoWriter {
        var w = ProtoWriter()
        w.bool(1, xattrs)
        w.bool(2, delete)
        w.bool(3, compress)
        w.bool(4, bidirectional)
        return w
    }

    init(xattrs: Bool = false, delete: Bool = false, compress: Bool = false, bidirectional: Bool = false) {
        self.xattrs = xattrs
        self.delete = delete
        self.compress = compress
        self.bidirectional = bidirectional
    }

    init(_ bytes: [UInt8]) throws {
        var r = ProtoReader(bytes)
        while let (field, value) = try r.next() {
            switch field {
            case 1: xattrs = value.bool
            case 2: delete = value.bool
            case 3: compress = value.bool
            case 4: bidirectional = value.bool
            default: break
            }
        }
    }

    /// Features both sides have.
    func intersection(_ other: MigrationRsyncFeatures) -> MigrationRsyncFeatures {
        MigrationRsyncFeatures(
            xattrs: xattrs && other.xattrs, delete: delete && other.delete, compress: compress && other.compress,
            bidirectional: bidirectional && other.bidirectional)
    }
}

/// The offer (source → sink) and the answer (sink → source) (LXD's `MigrationHeader`).
struct MigrationHeader: Sendable, Equatable {
    var fs: MigrationFSType = .rsync
    var criu: MigrationCRIUType?
    var idmap: [MigrationIDMap] = []
    var snapshotNames: [String] = []
    var snapshots: [MigrationSnapshot] = []
    var predump: Bool?
    var rsyncFeatures: MigrationRsyncFeatures?
    var refresh: Bool?
    var volumeSize: Int64?
    var indexHeaderVersion: UInt32?

    init() {}

    func encoded() -> [UInt8] {
        var w = ProtoWriter()
        w.uint(1, fs.rawValue)
        if let criu { w.uint(2, criu.rawValue) }
        for entry in idmap { w.message(3, entry.encoded()) }
        for name in snapshotNames { w.string(4, name) }
        for snapshot in snapshots { w.message(5, snapshot.encoded()) }
        if let predump { w.bool(7, predump) }
        if let rsyncFeatures { w.message(8, rsyncFeatures.encoded()) }
        if let refresh { w.bool(9, refresh) }
        if let volumeSize { w.int(11, volumeSize) }
        if let indexHeaderVersion { w.uint(13, UInt64(indexHeaderVersion)) }
        return w.bytes
    }

    init(_ bytes: [UInt8]) throws {
        var r = ProtoReader(bytes)
        var sawFS = false
        while let (field, value) = try r.next() {
            switch field {
            case 1:
                guard let type = MigrationFSType(rawValue: value.uint) else {
                    throw ProtoError(description: "unknown migration filesystem type \(value.uint)")
                }
                fs = type
                sawFS = true
            case 2: criu = MigrationCRIUType(rawValue: value.uint)
            case 3: idmap.append(try MigrationIDMap(value.data))
            case 4: snapshotNames.append(value.string)
            case 5: snapshots.append(try MigrationSnapshot(value.data))
            case 7: predump = value.bool
            case 8: rsyncFeatures = try MigrationRsyncFeatures(value.data)
            case 9: refresh = value.bool
            case 11: volumeSize = value.int
            case 13: indexHeaderVersion = UInt32(truncatingIfNeeded: value.uint)
            default: break
            }
        }
        guard sawFS else { throw ProtoError(description: "required field fs not set") }
    }
}

/// Success or failure, with a message (LXD's `MigrationControl`).
struct MigrationControl: Sendable, Equatable {
    var success: Bool
    var message: String?

    func encoded() -> [UInt8] {
        var w = ProtoWriter()
        w.bool(1, success)
        if let message { w.string(2, message) }
        return w.bytes
    }

    init(success: Bool, message: String?) {
        self.success = success
        self.message = message
    }

    init(_ bytes: [UInt8]) throws {
        var r = ProtoReader(bytes)
        success = false
        var sawSuccess = false
        while let (field, value) = try r.next() {
            if field == 1 {
                success = value.bool
                sawSuccess = true
            } else if field == 2 {
                message = value.string
            }
        }
        guard sawSuccess else { throw ProtoError(description: "required field success not set") }
    }
}
