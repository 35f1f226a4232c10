import Foundation
import LXDAPI

/// A container's uid/gid map as a list of LXD idmap entries (possibly with `raw.idmap` holes).
/// An empty list means no map at all: a privileged container, whose ids are the host's.
struct ContainerIdmap: Sendable, Equatable {
    var entries: [IdmapEntry]

    static let privileged = ContainerIdmap(entries: [])

    var isPrivileged: Bool { entries.isEmpty }

    /// The simple map of the daemon's range: container id n is host id base+n.
    init(_ set: IdmapSet) {
        entries = set.entries
    }

    init(entries: [IdmapEntry]) {
        self.entries = entries
    }

    /// `uid`/`gid` map for `[base, base+size)`.
    static func isolated(base: Int64, size: Int64) -> ContainerIdmap {
        ContainerIdmap(entries: [
            IdmapEntry(isUID: true, isGID: false, hostID: base, nsID: 0, range: size),
            IdmapEntry(isUID: false, isGID: true, hostID: base, nsID: 0, range: size),
        ])
    }

    /// `volatile.idmap.*` JSON ("[]" when privileged), in the Go struct's field order.
    var volatileJSON: String {
        "["
            + entries.map {
                "{\"Isuid\":\($0.isUID),\"Isgid\":\($0.isGID),\"Hostid\":\($0.hostID),\"Nsid\":\($0.nsID),\"Maprange\":\($0.range)}"
            }.joined(separator: ",") + "]"
    }

    /// nil when the text is not LXD's idmap JSON.
    static func fromVolatile(_ text: String) -> ContainerIdmap? {
        guard let entries = try? LXDJSON.decode([IdmapEntry].self, from: Data(text.utf8)) else { return nil }
        return ContainerIdmap(entries: entries)
    }

    /// `lxc.idmap = u|g NSID HOSTID RANGE` lines (an entry for both kinds gives two lines; a
    /// raw entry punched into both the uid and the gid entry appears twice in the list but
    /// once here, or the kernel refuses the overlapping map).
    var lxcConfigLines: [String] {
        var lines: [String] = []
        for entry in entries {
            if entry.isUID { lines.append("lxc.idmap = u \(entry.nsID) \(entry.hostID) \(entry.range)") }
            if entry.isGID { lines.append("lxc.idmap = g \(entry.nsID) \(entry.hostID) \(entry.range)") }
        }
        var seen: Set<String> = []
        return lines.filter { seen.insert($0).inserted }
    }

    /// The host id of container id `id` (uid when `isUID`), nil when unmapped. Privileged: itself.
    func hostID(forContainerID id: Int64, isUID: Bool) -> Int64? {
        if isPrivileged { return id }
        for entry in entries where (isUID ? entry.isUID : entry.isGID) && id >= entry.nsID && id < entry.nsID + entry.range {
            return entry.hostID + (id - entry.nsID)
        }
        return nil
    }

    /// The host ids of the container's root.
    var rootOwner: (uid: Int64, gid: Int64) {
        (hostID(forContainerID: 0, isUID: true) ?? 0, hostID(forContainerID: 0, isUID: false) ?? 0)
    }

    /// Punches `raw` (from `raw.idmap`) into the map as LXD does: an entry whose container ids
    /// overlap a raw entry is split around it; a raw entry whose host ids fall inside the map's
    /// own host range is refused (the container would see its own ids twice).
    mutating func add(_ raw: IdmapEntry) throws(ConfigValueError) {
        var result: [IdmapEntry] = []
        var added = false
        for entry in entries {
            guard entry.intersects(raw) else {
                result.append(entry)
                continue
            }
            if entry.hostIDsIntersect(raw) {
                throw ConfigValueError("Host id is in the range of subids")
            }
            added = true
            let lowerRange = raw.nsID - entry.nsID
            let upper = IdmapEntry(
                isUID: entry.isUID, isGID: entry.isGID, hostID: entry.hostID + lowerRange + raw.range, nsID: raw.nsID + raw.range,
                range: entry.range - raw.range - lowerRange)
            if lowerRange > 0 {
                result.append(
                    IdmapEntry(isUID: entry.isUID, isGID: entry.isGID, hostID: entry.hostID, nsID: entry.nsID, range: lowerRange))
            }
            result.append(raw)
            if upper.range > 0 { result.append(upper) }
        }
        if !added { result.append(raw) }
        entries = result
    }

    /// `raw.idmap`: lines of `uid|gid|both HOST CONTAINER`, each id a number or a `first-last`
    /// range of the same size on both sides.
    static func parseRaw(_ text: String) throws(ConfigValueError) -> [IdmapEntry] {
        func range(_ text: Substring) throws(ConfigValueError) -> (base: Int64, size: Int64) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw ConfigValueError("Invalid ID Map range \(GoSyntax.quote(String(text)))") }
            guard let base = Int64(parts[0]) else { throw ConfigValueError(GoSyntax.parseIntError(String(parts[0]), function: "ParseInt")) }
            guard parts.count == 2 else { return (base, 1) }
            guard let last = Int64(parts[1]) else { throw ConfigValueError(GoSyntax.parseIntError(String(parts[1]), function: "ParseInt")) }
            return (base, last - base + 1)
        }
        var set = ContainerIdmap(entries: [])
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 3 else { throw ConfigValueError("Invalid ID map line \(GoSyntax.quote(String(line)))") }
            let outside = try range(fields[1])
            let inside = try range(fields[2])
            guard outside.size == inside.size else {
                throw ConfigValueError("The ID map ranges are of different sizes \(GoSyntax.quote(String(line)))")
            }
            let kinds: (uid: Bool, gid: Bool)
            switch fields[0] {
            case "both": kinds = (true, true)
            case "uid": kinds = (true, false)
            case "gid": kinds = (false, true)
            default: throw ConfigValueError("Invalid ID map type \(GoSyntax.quote(String(line)))")
            }
            try set.add(IdmapEntry(isUID: kinds.uid, isGID: kinds.gid, hostID: outside.base, nsID: inside.base, range: inside.size))
        }
        return set.entries
    }

    /// How to move a rootfs written under `self` to `target`: (old host id, new host id, count)
    /// runs for uids and for gids. Ids the target does not map stay as they are.
    func translation(to target: ContainerIdmap, isUID: Bool) -> [(from: Int64, to: Int64, count: Int64)] {
        let sourceEntries =
            isPrivileged
            ? [IdmapEntry(isUID: true, isGID: true, hostID: 0, nsID: 0, range: Int64(UInt32.max))]
            : entries.filter { isUID ? $0.isUID : $0.isGID }
        let targetEntries =
            target.isPrivileged
            ? [IdmapEntry(isUID: true, isGID: true, hostID: 0, nsID: 0, range: Int64(UInt32.max))]
            : target.entries.filter { isUID ? $0.isUID : $0.isGID }
        var runs: [(from: Int64, to: Int64, count: Int64)] = []
        for source in sourceEntries {
            for destination in targetEntries {
                let start = max(source.nsID, destination.nsID)
                let end = min(source.nsID + source.range, destination.nsID + destination.range)
                guard start < end else { continue }
                let from = source.hostID + (start - source.nsID)
                let to = destination.hostID + (start - destination.nsID)
                if from != to { runs.append((from, to, end - start)) }
            }
        }
        return runs
    }
}

extension IdmapEntry {
    private static func between(_ x: Int64, _ low: Int64, _ high: Int64) -> Bool { x >= low && x < high }

    private func sameKind(_ other: IdmapEntry) -> Bool { (isUID && other.isUID) || (isGID && other.isGID) }

    /// Host or container ids overlap (ranges taken inclusive of their last id, as LXD does).
    func intersects(_ other: IdmapEntry) -> Bool {
        guard sameKind(other) else { return false }
        let b = Self.between
        return b(hostID, other.hostID, other.hostID + other.range - 1) || b(other.hostID, hostID, hostID + range - 1)
            || b(hostID + range - 1, other.hostID, other.hostID + other.range - 1)
            || b(other.hostID + other.range - 1, hostID, hostID + range - 1)
            || b(nsID, other.nsID, other.nsID + other.range - 1) || b(other.nsID, nsID, nsID + range - 1)
            || b(nsID + range - 1, other.nsID, other.nsID + other.range - 1) || b(other.nsID + other.range - 1, nsID, nsID + range - 1)
    }

    func hostIDsIntersect(_ other: IdmapEntry) -> Bool {
        guard sameKind(other) else { return false }
        let b = Self.between
        return b(hostID, other.hostID, other.hostID + other.range) || b(other.hostID, hostID, hostID + range)
            || b(hostID + range, other.hostID, other.hostID + other.range) || b(other.hostID + other.range, hostID, hostID + range)
    }
}
