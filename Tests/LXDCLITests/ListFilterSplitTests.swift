import Testing

@testable import LXDCLI
@testable import LXDClient

@Suite struct ListFilterSplitTests {
    /// LXD's split: fields of the instance with one value go to the server; keys with a "."
    /// (config keys), lists of values and bare names stay with the client.
    @Test func splitAsLXDsClient() {
        let (server, client) = ListCommand.splitFilters(["status=stopped", "name=web.*", "image.os=ubuntu", "type=a,b", "web", "foo=bar"])
        #expect(server == ["status=stopped", "name=web.*"])
        #expect(client == ["image.os=ubuntu", "type=a,b", "web", "foo=bar"])
    }

    @Test func queryIsEscapedAsGoDoes() {
        #expect(LXDServer.filterQuery([]) == "")
        #expect(LXDServer.filterQuery(["status=stopped", "name=c.*"]) == "status+eq+stopped+and+name+eq+c.%2A")
    }
}
