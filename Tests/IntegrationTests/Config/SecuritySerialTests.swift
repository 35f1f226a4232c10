import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// `security.privileged`, `security.idmap.*`, `raw.idmap` and `security.nesting`, proven by the
/// host ids of the container's processes and files.
@Suite(.serialized, .enabled(if: containersAvailable))
struct SecuritySerialTests {
    private func owner(_ path: String) -> (uid: Int, gid: Int)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (Int(info.st_uid), Int(info.st_gid))
    }

    private func rootfs(_ f: DaemonFixture, _ name: String) -> String { f.directory + "/containers/\(name)/rootfs" }

    private func idmapBase(_ f: DaemonFixture, _ name: String) throws -> Int {
        Int(try f.lxc(["config", "get", name, "volatile.idmap.base"]).check().stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Privileged: init runs as host root; going back to unprivileged remaps the rootfs at the
    /// next start (LXD's `volatile.last_state.idmap`), and root inside is the mapped id again.
    @Test func privilegedRootIsHostRootAndTheRootfsFollowsTheMap() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("priv")
            try f.lxc(["init", f.imageAlias, name, "-c", "security.privileged=true"]).check()
            #expect(try f.lxc(["config", "get", name, "volatile.idmap.next"]).check().stdout == "[]\n")
            try f.lxc(["start", name]).check()
            let pid = try #require(try infoPID(f, name))
            #expect(hostUID(ofPID: pid) == 0)
            #expect(owner(rootfs(f, name) + "/bin")?.uid == 0)
            try f.lxc(["exec", name, "--", "touch", "/made-inside"]).check()
            #expect(owner(rootfs(f, name) + "/made-inside")?.uid == 0)
            #expect(try f.lxc(["config", "get", name, "volatile.last_state.idmap"]).check().stdout == "[]\n")

            try f.lxc(["stop", name, "--force"]).check()
            try f.lxc(["config", "unset", name, "security.privileged"]).check()
            try f.lxc(["start", name]).check()
            let unprivileged = try #require(try infoPID(f, name))
            let base = try #require(hostUID(ofPID: unprivileged))
            #expect(base > 0)
            #expect(owner(rootfs(f, name) + "/made-inside")?.uid == base)
            #expect(try f.lxc(["exec", name, "--", "stat", "-c", "%u:%g", "/made-inside"]).check().stdout == "0:0\n")
        }
    }

    /// liblxc writes the map itself (the daemon is root) rather than through shadow's setuid
    /// `newuidmap`/`newgidmap`, a shell and a tool each, which it prefers when they are on PATH:
    /// `lxd forkstart` runs without PATH. liblxc says which way it went at debug level.
    @Test(.enabled(if: access("/usr/bin/newuidmap", X_OK) == 0)) func theStartWritesTheIdMapWithoutShadowsTools() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("map")
            try f.lxc(["init", f.imageAlias, name, "-c", "raw.lxc=lxc.log.level = debug"]).check()
            try f.lxc(["start", name]).check()
            let log = try String(contentsOfFile: f.directory + "/logs/\(name)/lxc.log", encoding: .utf8)
            #expect(log.contains("No newuidmap and newgidmap binary found"))
            #expect(!log.contains("Functional newuidmap and newgidmap binary found"))
            let map = try f.lxc(["exec", name, "--", "cat", "/proc/self/uid_map"]).check().stdout
            #expect(map.split(whereSeparator: { $0 == " " || $0 == "\n" }).first == "0")
        }
    }

    /// Isolated containers get their own blocks from root's range, shown in
    /// `volatile.idmap.base`; two never overlap; `security.idmap.size` sets the block size; a
    /// stopped container that becomes isolated has its rootfs remapped at the next start.
    @Test func isolatedContainersGetDisjointRanges() async throws {
        try await DaemonFixture.with { f in
            let first = f.name("iso1")
            let second = f.name("iso2")
            try f.lxc(["init", f.imageAlias, first, "-c", "security.idmap.isolated=true"]).check()
            try f.lxc(["init", f.imageAlias, second, "-c", "security.idmap.isolated=true", "-c", "security.idmap.size=100000"]).check()
            let firstBase = try idmapBase(f, first)
            let secondBase = try idmapBase(f, second)
            #expect(firstBase > 0 && secondBase > 0)
            let ranges = [(firstBase, 65536), (secondBase, 100000)].sorted { $0.0 < $1.0 }
            #expect(ranges[0].0 + ranges[0].1 <= ranges[1].0, "\(ranges) overlap")

            for (name, base) in [(first, firstBase), (second, secondBase)] {
                try f.lxc(["start", name]).check()
                let pid = try #require(try infoPID(f, name))
                #expect(hostUID(ofPID: pid) == base)
                #expect(owner(rootfs(f, name) + "/bin")?.uid == base)
                #expect(try f.lxc(["exec", name, "--", "stat", "-c", "%u", "/bin"]).check().stdout == "0\n")
                let map = try f.lxc(["exec", name, "--", "cat", "/proc/self/uid_map"]).check().stdout
                let fields = map.split(whereSeparator: { $0 == " " || $0 == "\n" })
                #expect(fields.map(String.init) == ["0", String(base), base == secondBase ? "100000" : "65536"])
            }

            // Turning isolation off again (stopped): back to the daemon's map at the next start.
            try f.lxc(["stop", first, "--force"]).check()
            try f.lxc(["config", "unset", first, "security.idmap.isolated"]).check()
            #expect(try idmapBase(f, first) == 0)
            try f.lxc(["start", first]).check()
            let sharedPID = try #require(try infoPID(f, first))
            let shared = try #require(hostUID(ofPID: sharedPID))
            #expect(shared != firstBase)
            #expect(owner(rootfs(f, first) + "/bin")?.uid == shared)
        }
    }

    /// `raw.idmap` punches a hole: a host file owned by the raw entry's host id, in a
    /// bind-mounted folder, shows inside with the entry's container id. The host id must be
    /// delegated to root in /etc/subuid and /etc/subgid (liblxc maps through newuidmap, as LXD's
    /// documentation says): `both 1000 1000` where root has 1000, else an id of root's range
    /// outside the container's isolated block.
    @Test func rawIdmapMapsAHostIdIntoTheContainer() async throws {
        try await DaemonFixture.with { f in
            let delegated = Self.rootDelegates(1000)
            let hostID = delegated ? 1000 : 150_000
            let name = f.name("raw")
            let share = f.directory + "/raw-share"
            try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
            chmod(share, 0o755)
            _ = FileManager.default.createFile(atPath: share + "/owned", contents: Data("x\n".utf8))
            chown(share + "/owned", uid_t(hostID), gid_t(hostID))
            var arguments = ["init", f.imageAlias, name, "-c", "raw.idmap=both \(hostID) 1000"]
            if !delegated { arguments += ["-c", "security.idmap.isolated=true"] }
            try f.lxc(arguments).check()
            try f.lxc(["config", "device", "add", name, "share", "disk", "source=\(share)", "path=/mnt/share"]).check()
            try f.lxc(["start", name]).check()
            #expect(try f.lxc(["exec", name, "--", "stat", "-c", "%u:%g", "/mnt/share/owned"]).check().stdout == "1000:1000\n")
            let map = try f.lxc(["exec", name, "--", "cat", "/proc/self/uid_map"]).check().stdout
            let lines = map.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(lines.contains(["1000", String(hostID), "1"]))
            // The host id inside the container's own range is refused, with LXD's message.
            let base = try idmapBase(f, name)
            let overlap = try f.lxc(["config", "set", name, "raw.idmap", "both \(max(base, 100_000) + 5) 1000"])
            #expect(overlap.stderr == "Error: Failed to get ID map: Host id is in the range of subids\n")
        }
    }

    /// Whether root's subordinate ranges in both files include `id`.
    static func rootDelegates(_ id: Int) -> Bool {
        ["/etc/subuid", "/etc/subgid"].allSatisfy { file in
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return false }
            return text.split(separator: "\n").contains { line in
                let fields = line.split(separator: ":")
                guard fields.count == 3, fields[0] == "root", let start = Int(fields[1]), let count = Int(fields[2]) else { return false }
                return id >= start && id < start + count
            }
        }
    }

    @Test func nestingMountsProcAndSysForAnInnerContainer() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("nest")
            try f.lxc(["launch", f.imageAlias, name, "-c", "security.nesting=true"]).check()
            #expect(try f.lxc(["exec", name, "--", "test", "-e", "/dev/.lxc/proc/self"]).status == 0)
            #expect(try f.lxc(["exec", name, "--", "test", "-d", "/dev/.lxc/sys/kernel"]).status == 0)
        }
    }
}
