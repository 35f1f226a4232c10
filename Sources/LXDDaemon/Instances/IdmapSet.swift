import Foundation
import LXDAPI

/// One id mapping entry, serialised as LXD does in `volatile.idmap.*` (Go field names).
struct IdmapEntry: Codable, Sendable, Equatable {
    var isUID: Bool
    var isGID: Bool
    var hostID: Int64
    var nsID: Int64
    var range: Int64

    enum CodingKeys: String, CodingKey {
        case isUID = "Isuid"
        case isGID = "Isgid"
        case hostID = "Hostid"
        case nsID = "Nsid"
        case range = "Maprange"
    }
}

/// The uid and gid map of an unprivileged container: container id n maps to host id base+n.
struct IdmapSet: Sendable, Equatable {
    var uidBase: Int64
    var gidBase: Int64
    var range: Int64

    /// LXD's map when root has no entry in /etc/subuid and /etc/subgid.
    static let fallback = IdmapSet(uidBase: 1_000_000, gidBase: 1_000_000, range: 1_000_000_000)

    /// Root's first subordinate range from `/etc/subuid` and `/etc/subgid` (the seed's
    /// `root:100000:65536`), else LXD's fallback. Both files must give one usable range.
    static func fromSystem(subuid: String = "/etc/subuid", subgid: String = "/etc/subgid") -> IdmapSet {
        guard let uids = firstRange(for: "root", in: subuid), let gids = firstRange(for: "root", in: subgid) else {
            return .fallback
        }
        return IdmapSet(uidBase: uids.start, gidBase: gids.start, range: min(uids.count, gids.count))
    }

    /// The first `user:start:count` line for `user` (or its uid) in a subordinate-id file.
    static func firstRange(for user: String, in path: String) -> (start: Int64, count: Int64)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return parseRange(for: user, in: text)
    }

    static func parseRange(for user: String, in text: String) -> (start: Int64, count: Int64)? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == user || (user == "root" && fields[0] == "0"),
                let start = Int64(fields[1]), let count = Int64(fields[2]), start > 0, count > 0
            else { continue }
            return (start, count)
        }
        return nil
    }

    var entries: [IdmapEntry] {
        [
            IdmapEntry(isUID: true, isGID: false, hostID: uidBase, nsID: 0, range: range),
            IdmapEntry(isUID: false, isGID: true, hostID: gidBase, nsID: 0, range: range),
        ]
    }

    /// The JSON LXD stores in `volatile.idmap.next` / `volatile.idmap.current`.
    /// Written by hand in the Go struct's field order (`Isuid`, `Isgid`, `Hostid`, `Nsid`,
    /// `Maprange`), byte for byte what LXD stores.
    var volatileJSON: String {
        let items = entries.map { entry in
            "{\"Isuid\":\(entry.isUID),\"Isgid\":\(entry.isGID),\"Hostid\":\(entry.hostID),\"Nsid\":\(entry.nsID),\"Maprange\":\(entry.range)}"
        }
        return "[" + items.joined(separator: ",") + "]"
    }

    static func fromVolatile(_ text: String) -> IdmapSet? {
        guard let entries = try? LXDJSON.decode([IdmapEntry].self, from: Data(text.utf8)),
            let uid = entries.first(where: { $0.isUID }), let gid = entries.first(where: { $0.isGID })
        else { return nil }
        return IdmapSet(uidBase: uid.hostID, gidBase: gid.hostID, range: min(uid.range, gid.range))
    }

    /// `lxc.idmap` lines for liblxc.
    var lxcConfigLines: [String] {
        ["lxc.idmap = u 0 \(uidBase) \(range)", "lxc.idmap = g 0 \(gidBase) \(range)"]
    }
}
