import Testing

@testable import LXDDaemon

@Suite struct CgroupReaderTests {
    @Test(arguments: [
        ("/lxc.payload.c1", "/lxc.payload.c1"),
        ("/lxc.payload.c1/init.scope", "/lxc.payload.c1"),
        ("/user.slice/lxc.payload.web-1/system.slice/x.service", "/user.slice/lxc.payload.web-1"),
    ])
    func containerRootIsThePayloadCgroup(path: String, root: String) {
        #expect(CgroupReader.containerRoot(path) == root)
    }

    @Test(arguments: ["/", "/lxc.monitor.c1", "/system.slice/lxd.service", ""])
    func pathsWithoutAPayloadHaveNoRoot(path: String) {
        #expect(CgroupReader.containerRoot(path) == nil)
    }
}
