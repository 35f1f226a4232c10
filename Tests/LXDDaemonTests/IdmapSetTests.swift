import Foundation
import Testing

@testable import LXDDaemon

@Suite struct IdmapSetTests {
    /// What LXD stores in `volatile.idmap.next` for the seed's `root:100000:65536`.
    static let lxdVolatile =
        #"[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":65536},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":65536}]"#

    static let seed = IdmapSet(uidBase: 100_000, gidBase: 100_000, range: 65536)

    @Test func parsesRootsRange() throws {
        let range = try #require(IdmapSet.parseRange(for: "root", in: "root:100000:65536\n"))
        #expect(range.start == 100_000)
        #expect(range.count == 65536)
    }

    @Test func picksRootsFirstRange() throws {
        let text = "lxd:1000000:1000000000\nroot:100000:65536\nroot:300000:65536\n"
        let range = try #require(IdmapSet.parseRange(for: "root", in: text))
        #expect(range.start == 100_000)
        #expect(range.count == 65536)
    }

    @Test func acceptsUIDZeroForRoot() throws {
        let range = try #require(IdmapSet.parseRange(for: "root", in: "ubuntu:165536:65536\n0:200000:131072\n"))
        #expect(range.start == 200_000)
        #expect(range.count == 131_072)
        #expect(IdmapSet.parseRange(for: "lxd", in: "0:200000:131072\n") == nil)
    }

    @Test func ignoresJunkLines() throws {
        let text = """
            # subordinate ids

            root
            root:abc:65536
            root:100000
            root:1:2:3
            root:-5:10
            root:5:0
            root:0:65536
             root:7:7
            rooty:8:8
            root:400000:65536
            """
        let range = try #require(IdmapSet.parseRange(for: "root", in: text))
        #expect(range.start == 400_000)
        #expect(range.count == 65536)
    }

    @Test(arguments: ["", "\n\n", "ubuntu:100000:65536\n", "root:x:y\n"])
    func noUsableRangeIsNil(text: String) {
        #expect(IdmapSet.parseRange(for: "root", in: text) == nil)
    }

    @Test func volatileJSONIsLXDs() {
        #expect(Self.seed.volatileJSON == Self.lxdVolatile)
    }

    @Test func volatileJSONIsStable() {
        let first = Self.seed.volatileJSON
        for _ in 0..<20 { #expect(Self.seed.volatileJSON == first) }
    }

    @Test func fromVolatileReadsLXDs() {
        #expect(IdmapSet.fromVolatile(Self.lxdVolatile) == Self.seed)
    }

    @Test(arguments: [
        IdmapSet(uidBase: 100_000, gidBase: 100_000, range: 65536),
        IdmapSet(uidBase: 1_000_000, gidBase: 2_000_000, range: 1_000_000_000),
        IdmapSet.fallback,
    ])
    func fromVolatileRoundTrips(set: IdmapSet) {
        #expect(IdmapSet.fromVolatile(set.volatileJSON) == set)
    }

    @Test(arguments: [
        "", "[]", "garbage", "{}",
        #"[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":65536}]"#,
        #"[{"Isuid":"yes","Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":65536}]"#,
    ])
    func fromVolatileRejectsIncompleteMaps(text: String) {
        #expect(IdmapSet.fromVolatile(text) == nil)
    }

    @Test func lxcConfigLines() {
        #expect(Self.seed.lxcConfigLines == ["lxc.idmap = u 0 100000 65536", "lxc.idmap = g 0 100000 65536"])
        #expect(
            IdmapSet(uidBase: 1, gidBase: 2, range: 3).lxcConfigLines == ["lxc.idmap = u 0 1 3", "lxc.idmap = g 0 2 3"])
    }

    @Test func fromSystemReadsBothFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let subuid = try directory.write("subuid", "lxd:1000000:1000000000\nroot:100000:65536\n")
        let subgid = try directory.write("subgid", "root:200000:131072\n")
        #expect(
            IdmapSet.fromSystem(subuid: subuid, subgid: subgid) == IdmapSet(uidBase: 100_000, gidBase: 200_000, range: 65536))
    }

    @Test func fromSystemFallsBackWithoutRoot() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let subuid = try directory.write("subuid", "root:100000:65536\n")
        let subgid = try directory.write("subgid", "ubuntu:100000:65536\n")
        #expect(IdmapSet.fromSystem(subuid: subuid, subgid: subgid) == .fallback)
        #expect(IdmapSet.fromSystem(subuid: directory.path + "/missing", subgid: subgid) == .fallback)
        #expect(IdmapSet.fallback == IdmapSet(uidBase: 1_000_000, gidBase: 1_000_000, range: 1_000_000_000))
    }
}
