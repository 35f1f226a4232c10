import Foundation
import LXDAPI
import LXDHTTP
import Testing

@testable import LXDDaemon

@Suite struct InstanceFilesTests {
    @Test(arguments: [
        ("../etc/passwd", "/root/rel", "/etc/passwd"),
        ("/nonexist", "/root/dangle", "/nonexist"),
        ("../../../../etc/shadow", "/root/esc", "/etc/shadow"),
        ("/", "/root/slash", "/"),
        ("busybox", "/bin/sh", "/bin/busybox"),
        ("./a/./b/../c/", "/x/link", "/x/a/c"),
        ("//etc//hosts", "/l", "/etc/hosts"),
    ])
    func symlinksReadAsLXDResolvesThem(target: String, path: String, expected: String) {
        #expect(InstanceFilesAPI.resolveLink(target, at: path) == expected)
    }

    @Test func pushHeadersParseAsGo() {
        var headers = HTTPHeaders()
        #expect(InstanceFilesAPI.PushHeaders(headers).uid == -1)
        #expect(InstanceFilesAPI.PushHeaders(headers).type == "file")
        #expect(InstanceFilesAPI.PushHeaders(headers).write == "overwrite")
        headers["X-LXD-uid"] = "1000"
        headers["X-LXD-gid"] = "abc"
        headers["X-LXD-mode"] = "0640"
        headers["X-LXD-type"] = "directory"
        headers["X-LXD-write"] = "append"
        let parsed = InstanceFilesAPI.PushHeaders(headers)
        #expect(parsed.uid == 1000 && parsed.gid == -1 && parsed.mode == 0o640 && parsed.type == "directory" && parsed.write == "append")
        // A mode without a leading zero is decimal (then masked), as strconv.ParseInt(s, 0, 0) reads it.
        headers["X-LXD-mode"] = "9999"
        #expect(InstanceFilesAPI.PushHeaders(headers).mode == 9999 & 0o777)
        headers["X-LXD-mode"] = "0x1ff"
        #expect(InstanceFilesAPI.PushHeaders(headers).mode == -1)
        headers["X-LXD-mode"] = "rwx"
        #expect(InstanceFilesAPI.PushHeaders(headers).mode == -1)
    }

    @Test func forkFileRepliesParse() throws {
        let file = try ForkFileReply.parse(Array("ok file 1000 1001 640 1764832024 12\n".utf8), file: nil, path: "/x")
        #expect(
            file.info
                == InstanceFileInfo(
                    kind: .file, uid: 1000, gid: 1001, mode: 0o640, modified: Date(timeIntervalSince1970: 1_764_832_024), size: 12))
        let folder = try ForkFileReply.parse(Array("ok directory 0 0 755 0 4096\n".utf8) + Array("a\0b c\0\n".utf8), file: nil, path: "/d")
        #expect(try folder.entries() == ["a", "b c"])
        // A listing cut short (no end marker) is an error, not a shorter list.
        let cut = try ForkFileReply.parse(Array("ok directory 0 0 755 0 4096\n".utf8) + Array("a\0".utf8), file: nil, path: "/d")
        #expect(throws: LXDError.self) { try cut.entries() }
        #expect(try ForkFileReply.parse(Array("ok\n".utf8), file: nil, path: "/x").info == nil)
    }

    @Test(arguments: [
        (ENOENT, "lstat", "/nope", "", 404, "Not Found"),
        (EACCES, "open", "/root/x", "", 403, "Forbidden"),
        (ENOTEMPTY, "remove", "/root/d", "", 500, "sftp: \"remove /root/d: directory not empty\" (SSH_FX_FAILURE)"),
        (EEXIST, "symlink", "/root/l", "/etc/group", 500, "sftp: \"symlink /etc/group /root/l: file exists\" (SSH_FX_FAILURE)"),
        (EINVAL, "chown", "/root/f", "", 500, "sftp: \"chown /root/f: invalid argument\" (SSH_FX_FAILURE)"),
    ])
    func errorsAsLXDsSFTPServerReportsThem(code: Int32, operation: String, path: String, extra: String, status: Int, message: String) {
        let error = ForkFileReply.error(errno: code, operation: operation, path: path, extra: extra)
        #expect(error.status.code == status && error.message == message)
    }

    @Test func garbageFromTheHelperIsAnError() {
        for reply in ["", "ok", "ok file x 0 644 0 0\n", "err\n", "err abc open\n", "what\n", "ok sock 0 0 644 0 0\n"] {
            #expect(throws: LXDError.self) { try ForkFileReply.parse(Array(reply.utf8), file: nil, path: "/x") }
        }
    }

    @Test func datesAsLXDWritesThem() {
        let date = Date(timeIntervalSince1970: 1_796_366_824)
        #expect(HTTPDates.goUTC(date) == "2026-12-04 06:47:04 +0000 UTC")
        #expect(HTTPDates.http(date) == "Fri, 04 Dec 2026 06:47:04 GMT")
        #expect(
            InstanceFilesAPI.octal(0o644) == "0644" && InstanceFilesAPI.octal(0o7) == "0007" && InstanceFilesAPI.octal(0o4755) == "4755")
    }
}
