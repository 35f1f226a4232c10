/// Chooses a container's id map from its expanded config, as LXD's `findIdmap` does:
/// privileged containers have none; others share the daemon's map unless
/// `security.idmap.isolated` gives them their own block of `security.idmap.size` ids (65536 by
/// default) from root's range, after the first 65536 and clear of every other isolated
/// container's block (or at `security.idmap.base` when set). `raw.idmap` entries are punched in.
enum IdmapAllocator {
    /// An isolated container's block: `volatile.idmap.base` and its size.
    struct Block: Equatable {
        var base: Int64
        var size: Int64
    }

    static let defaultIsolatedSize: Int64 = 65536

    static func isPrivileged(_ config: [String: String]) -> Bool { ConfigBool.isTrue(config["security.privileged"] ?? "") }

    static func isIsolated(_ config: [String: String]) -> Bool { ConfigBool.isTrue(config["security.idmap.isolated"] ?? "") }

    /// The block size an isolated container needs (`security.idmap.size`, else 65536).
    static func size(_ config: [String: String], daemon: IdmapSet) throws(ConfigValueError) -> Int64 {
        let text = config["security.idmap.size"] ?? ""
        if text.isEmpty || text == "auto" { return isIsolated(config) ? defaultIsolatedSize : daemon.range }
        guard let size = Int64(text) else { throw ConfigValueError(GoSyntax.parseIntError(text, function: "ParseInt")) }
        return size
    }

    /// The map and `volatile.idmap.base` for `config`; `others` are the blocks of the other
    /// isolated, unprivileged containers.
    static func idmap(for config: [String: String], daemon: IdmapSet, others: [Block]) throws(ConfigValueError) -> (
        map: ContainerIdmap, base: Int64
    ) {
        if isPrivileged(config) { return (.privileged, 0) }
        let raw = try ContainerIdmap.parseRaw(config["raw.idmap"] ?? "")
        func withRaw(_ map: ContainerIdmap) throws(ConfigValueError) -> ContainerIdmap {
            var map = map
            for entry in raw { try map.add(entry) }
            return map
        }
        guard isIsolated(config) else { return (try withRaw(ContainerIdmap(daemon)), 0) }
        let size = try size(config, daemon: daemon)
        if let text = config["security.idmap.base"], !text.isEmpty {
            guard let base = Int64(text) else { throw ConfigValueError(GoSyntax.parseIntError(text, function: "ParseInt")) }
            return (try withRaw(.isolated(base: base, size: size)), base)
        }
        // The first gap of `size` ids after the shared first 65536, in host-id order.
        var offset = daemon.uidBase + 65536
        for block in others.sorted(by: { $0.base < $1.base }) where block.base + block.size > offset {
            if offset + size <= block.base { break }
            offset = block.base + block.size
        }
        guard offset + size <= daemon.uidBase + daemon.range else {
            throw ConfigValueError("Not enough uid/gid available for the container")
        }
        return (try withRaw(.isolated(base: offset, size: size)), offset)
    }
}
