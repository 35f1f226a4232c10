import Testing

@testable import LXDDaemon

@Suite struct CgroupMembershipTests {
    @Test func readsEachV1ControllerAndTheUnifiedPath() {
        let membership = CgroupMembership(
            """
            12:cpu,cpuacct:/lxc.payload.c1
            4:memory:/lxc.payload.c1/init.scope
            1:name=systemd:/
            0::/lxc.payload.c1

            """)
        #expect(
            membership
                == CgroupMembership(
                    v1: [
                        "cpu": "/lxc.payload.c1", "cpuacct": "/lxc.payload.c1", "memory": "/lxc.payload.c1/init.scope", "name=systemd": "/",
                    ], unified: "/lxc.payload.c1"))
    }

    /// A path may itself hold colons; malformed lines are skipped.
    @Test func keepsColonsInPathsAndSkipsMalformedLines() {
        let membership = CgroupMembership("3:pids:/a:b\nnonsense\n0:/x\n")
        #expect(membership == CgroupMembership(v1: ["pids": "/a:b"]))
    }

    @Test func thisProcessHasOne() {
        #expect(CgroupMembership(pid: "self") != nil)
        #expect(CgroupMembership(pid: "0") == nil)
    }
}
