import LXDClient
import LXDHTTP
import Testing

@testable import LXDCLI

@Suite struct FilePathTests {
    @Test(arguments: [
        ("", "."), ("/", "/"), ("a//b/./c/..", "a/b"), ("/../x", "/x"), ("../../x", "../../x"), ("x/../..", ".."), ("/root/", "/root"),
    ])
    func cleanAsGo(input: String, expected: String) {
        #expect(cleanLocalPath(input) == expected)
    }

    @Test func baseDirAndJoinAsGo() {
        #expect(basePath("/etc/hosts") == "hosts" && basePath("/etc/") == "etc" && basePath("/") == "/" && basePath("") == ".")
        #expect(dirPath("/etc/hosts") == "/etc" && dirPath("hosts") == "." && dirPath("/hosts") == "/")
        #expect(joinPath("/root", "a/../b") == "/root/b" && joinPath("", "x") == "x" && joinPath("/", "") == "/")
    }

    @Test func fileHeadersParseAsLXDsClient() {
        var headers = HTTPHeaders()
        headers["X-LXD-uid"] = "33"
        headers["X-LXD-gid"] = "x"
        headers["X-LXD-mode"] = "0640"
        headers["X-LXD-type"] = "symlink"
        let response = InstanceFileResponse(headers: headers)
        #expect(response.uid == 33 && response.gid == -1 && response.mode == 0o640 && response.type == "symlink")
        #expect(InstanceFileResponse(headers: HTTPHeaders()).type == "file")
    }
}
