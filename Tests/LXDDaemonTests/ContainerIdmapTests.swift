import Testing

@testable import LXDDaemon

@Suite struct ContainerIdmapTests {
    let daemon = IdmapSet(uidBase: 100_000, gidBase: 100_000, range: 1_000_000)

    @Test func rawEntriesPunchHolesInTheMap() throws {
        var map = ContainerIdmap(daemon)
        for entry in try ContainerIdmap.parseRaw("both 1000 1000") { try map.add(entry) }
        #expect(
            map.lxcConfigLines == [
                "lxc.idmap = u 0 100000 1000", "lxc.idmap = u 1000 1000 1", "lxc.idmap = g 1000 1000 1", "lxc.idmap = u 1001 101001 998999",
                "lxc.idmap = g 0 100000 1000", "lxc.idmap = g 1001 101001 998999",
            ])
        #expect(map.hostID(forContainerID: 1000, isUID: true) == 1000)
        #expect(map.hostID(forContainerID: 1001, isUID: false) == 101_001)
        #expect(map.rootOwner == (100_000, 100_000))
    }

    @Test(arguments: [
        ("foo", "Invalid ID map line \"foo\""), ("both 1000", "Invalid ID map line \"both 1000\""),
        ("both 1000-1001 1000", "The ID map ranges are of different sizes \"both 1000-1001 1000\""),
        ("all 1 1", "Invalid ID map type \"all 1 1\""), ("uid 1-2-3 1", "Invalid ID Map range \"1-2-3\""),
        ("uid x 1", "strconv.ParseInt: parsing \"x\": invalid syntax"),
    ])
    func badRawIdmaps(_ text: String, _ message: String) {
        #expect(throws: ConfigValueError(message)) { try ContainerIdmap.parseRaw(text) }
    }

    @Test func rawRangesParse() throws {
        let entries = try ContainerIdmap.parseRaw("uid 1000-1009 2000-2009\ngid 50 60")
        #expect(entries.count == 2)
        #expect(entries[0].isUID && !entries[0].isGID && entries[0].hostID == 1000 && entries[0].nsID == 2000 && entries[0].range == 10)
        #expect(entries[1].isGID && entries[1].hostID == 50 && entries[1].nsID == 60 && entries[1].range == 1)
    }

    @Test func aHostIdInsideTheMapIsRefused() throws {
        var map = ContainerIdmap(daemon)
        #expect(throws: ConfigValueError("Host id is in the range of subids")) {
            for entry in try ContainerIdmap.parseRaw("both 100500 1000") { try map.add(entry) }
        }
    }

    @Test func volatileJSONRoundTrips() throws {
        let map = ContainerIdmap.isolated(base: 165_536, size: 65536)
        #expect(
            map.volatileJSON
                == #"[{"Isuid":true,"Isgid":false,"Hostid":165536,"Nsid":0,"Maprange":65536},{"Isuid":false,"Isgid":true,"Hostid":165536,"Nsid":0,"Maprange":65536}]"#
        )
        #expect(ContainerIdmap.fromVolatile(map.volatileJSON) == map)
        #expect(ContainerIdmap.fromVolatile("[]")?.isPrivileged == true)
        #expect(ContainerIdmap.privileged.lxcConfigLines.isEmpty)
    }

    @Test func translationMovesOwnersBetweenMaps() {
        let shared = ContainerIdmap(daemon)
        let isolated = ContainerIdmap.isolated(base: 165_536, size: 65536)
        let runs = shared.translation(to: isolated, isUID: true)
        #expect(runs.count == 1 && runs[0].from == 100_000 && runs[0].to == 165_536 && runs[0].count == 65536)
        // Privileged to unprivileged: host root becomes the mapped root.
        let fromHost = ContainerIdmap.privileged.translation(to: shared, isUID: false)
        #expect(fromHost.count == 1 && fromHost[0].from == 0 && fromHost[0].to == 100_000 && fromHost[0].count == 1_000_000)
        #expect(shared.translation(to: shared, isUID: true).isEmpty)
    }

    @Test func allocatorPicksTheFirstFreeBlockAfterTheSharedOnes() throws {
        let isolated = ["security.idmap.isolated": "true"]
        let first = try IdmapAllocator.idmap(for: isolated, daemon: daemon, others: [])
        #expect(first.base == 165_536)
        let second = try IdmapAllocator.idmap(for: isolated, daemon: daemon, others: [.init(base: 165_536, size: 65536)])
        #expect(second.base == 231_072)
        // A gap left by a deleted container is reused.
        let gap = try IdmapAllocator.idmap(for: isolated, daemon: daemon, others: [.init(base: 231_072, size: 65536)])
        #expect(gap.base == 165_536)
        let big = try IdmapAllocator.idmap(
            for: isolated.merging(["security.idmap.size": "100000"]) { $1 }, daemon: daemon, others: [.init(base: 231_072, size: 65536)])
        #expect(big.base == 296_608)
        let fixed = try IdmapAllocator.idmap(for: isolated.merging(["security.idmap.base": "500000"]) { $1 }, daemon: daemon, others: [])
        #expect(fixed.base == 500_000 && fixed.map.rootOwner == (500_000, 500_000))
        #expect(throws: ConfigValueError("Not enough uid/gid available for the container")) {
            try IdmapAllocator.idmap(for: isolated.merging(["security.idmap.size": "2000000"]) { $1 }, daemon: daemon, others: [])
        }
        #expect(try IdmapAllocator.idmap(for: ["security.privileged": "true"], daemon: daemon, others: []).map.isPrivileged)
        #expect(try IdmapAllocator.idmap(for: [:], daemon: daemon, others: []).map == ContainerIdmap(daemon))
    }
}
