import Foundation
import LXDAPI
import LXDHTTP
import LXDTestSupport
import Testing

/// `lxc file` and `/1.0/instances/NAME/files` on running and stopped containers, through
/// Debian's `lxc` 5.0.2 and ours, with the container's own ids, inside its rootfs only.
@Suite(.serialized, .enabled(if: containersAvailable))
struct InstanceFilesSerialTests {
    /// The host folder of an instance's rootfs (the `dir` pool `lxd init --auto` makes).
    func rootfs(_ f: DaemonFixture, _ name: String) -> String {
        f.directory + "/storage-pools/default/containers/\(name)/rootfs"
    }

    func hostOwner(_ path: String) throws -> (uid: UInt32, gid: UInt32) {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw TestFailure("lstat \(path): \(errno)") }
        return (info.st_uid, info.st_gid)
    }

    func sha256(_ path: String) throws -> String {
        String(try runCommand("/usr/bin/sha256sum", [path]).check().stdout.prefix(64))
    }

    func exec(_ f: DaemonFixture, _ name: String, _ script: String) throws -> String {
        try f.lxc(["exec", name, "--", "sh", "-c", script]).check().stdout
    }

    @Test func pushAndPullRunningAndStoppedWithBothClients() async throws {
        try await DaemonFixture.with { f in
            let running = f.name("run")
            let stopped = f.name("stop")
            try f.lxc(["launch", f.imageAlias, running]).check()
            try f.lxc(["init", f.imageAlias, stopped]).check()
            // A few MB of random bytes.
            let big = f.directory + "/big.bin"
            var bytes = [UInt8](repeating: 0, count: 3 << 20 | 12345)
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
            #expect(FileManager.default.createFile(atPath: big, contents: Data(bytes)))
            let digest = try sha256(big)
            let base = try hostOwner(rootfs(f, running))

            for client in [TestEnvironment.debianLXC, f.ourLXC] {
                let tag = client == f.ourLXC ? "ours" : "debian"
                for name in [running, stopped] {
                    try f.lxc(
                        ["file", "push", "-q", big, "\(name)/root/big-\(tag)", "--uid", "1000", "--gid", "1001", "--mode", "0640"],
                        client: client
                    )
                    .check()
                    let back = f.directory + "/back-\(tag)-\(name)"
                    try f.lxc(["file", "pull", "-q", "\(name)/root/big-\(tag)", back], client: client).check()
                    #expect(try sha256(back) == digest, "\(tag) \(name)")
                    // Pulled files keep the container file's mode.
                    var info = stat()
                    #expect(stat(back, &info) == 0 && info.st_mode & 0o777 == 0o640)
                    // On the host, ids are shifted by the container's map.
                    let owner = try hostOwner(rootfs(f, name) + "/root/big-\(tag)")
                    #expect(owner.uid == base.uid + 1000 && owner.gid == base.gid + 1001, "\(tag) \(name)")
                }
                // Inside, the container's own ids and the bytes intact.
                let listing = try exec(f, running, "ls -ln /root/big-\(tag)")
                #expect(listing.hasPrefix("-rw-r-----"))
                #expect(listing.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).prefix(2) == ["1000", "1001"])
                #expect(try exec(f, running, "sha256sum /root/big-\(tag)").hasPrefix(digest))
            }

            // The stopped container's files are its own once it starts.
            try f.lxc(["start", stopped]).check()
            #expect(try exec(f, stopped, "sha256sum /root/big-ours").hasPrefix(digest))
            #expect(try exec(f, stopped, "stat -c '%u:%g:%a' /root/big-debian") == "1000:1001:640\n")

            // Files created inside come out with the container's ids.
            _ = try exec(f, running, "echo inside > /root/inside && chown 33:44 /root/inside && chmod 600 /root/inside")
            let head = try f.http.request("HEAD", "/1.0/instances/\(running)/files?path=/root/inside")
            #expect(head.headers["X-LXD-uid"] == "33" && head.headers["X-LXD-gid"] == "44" && head.headers["X-LXD-mode"] == "0600")
            #expect(try f.lxc(["file", "pull", "\(running)/root/inside", "-"], client: f.ourLXC).check().stdout == "inside\n")
        }
    }

    @Test func privilegedAndIsolatedContainersUseTheirOwnMaps() async throws {
        try await DaemonFixture.with { f in
            let privileged = f.name("priv")
            let isolated = f.name("iso")
            try f.lxc(["init", f.imageAlias, privileged, "-c", "security.privileged=true"]).check()
            try f.lxc(["init", f.imageAlias, isolated, "-c", "security.idmap.isolated=true"]).check()
            let source = f.directory + "/owned"
            #expect(FileManager.default.createFile(atPath: source, contents: Data("owned\n".utf8)))
            for name in [privileged, isolated] {
                for state in ["stopped", "running"] {
                    if state == "running" { try f.lxc(["start", name]).check() }
                    let target = "/root/\(state)"
                    try f.lxc(["file", "push", "-q", source, name + target, "--uid", "1000", "--gid", "1000"], client: f.ourLXC).check()
                    // On the host: the container root's host id (the rootfs owner) plus 1000.
                    let base = try hostOwner(rootfs(f, name))
                    let owner = try hostOwner(rootfs(f, name) + target)
                    #expect(owner.uid == base.uid + 1000 && owner.gid == base.gid + 1000, "\(name) \(state)")
                    let head = try f.http.request("HEAD", "/1.0/instances/\(name)/files?path=\(target)")
                    #expect(head.headers["X-LXD-uid"] == "1000", "\(name) \(state)")
                }
                #expect(try exec(f, name, "stat -c %u:%g /root/stopped /root/running") == "1000:1000\n1000:1000\n")
            }
            #expect(try hostOwner(rootfs(f, privileged)).uid == 0)
            #expect(try hostOwner(rootfs(f, isolated)).uid != 0)
        }
    }

    @Test func recursiveCreateDirsSymlinksAndDelete() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("rec")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let tree = f.directory + "/tree"
            try FileManager.default.createDirectory(atPath: tree + "/sub/deeper", withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: tree + "/a", contents: Data("a\n".utf8)))
            #expect(FileManager.default.createFile(atPath: tree + "/sub/deeper/b", contents: Data("b\n".utf8)))
            try FileManager.default.createSymbolicLink(atPath: tree + "/link", withDestinationPath: "a")

            for (tag, client) in [("d", TestEnvironment.debianLXC), ("o", f.ourLXC)] {
                try f.lxc(["file", "push", "-q", "-r", "-p", tree, "\(name)/opt/\(tag)/"], client: client).check()
                #expect(try exec(f, name, "cat /opt/\(tag)/tree/a /opt/\(tag)/tree/sub/deeper/b") == "a\nb\n")
                #expect(try exec(f, name, "readlink /opt/\(tag)/tree/link") == "a\n")
                let out = f.directory + "/out-\(tag)"
                try f.lxc(["file", "pull", "-q", "-r", "\(name)/opt/\(tag)/tree", out], client: client).check()
                #expect(try String(contentsOfFile: out + "/tree/sub/deeper/b", encoding: .utf8) == "b\n")
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/tree/link") == "/opt/\(tag)/tree/a")
                // -p makes the missing parents of a single file.
                try f.lxc(["file", "push", "-q", "-p", tree + "/a", "\(name)/srv/\(tag)/x/y/"], client: client).check()
                #expect(try exec(f, name, "cat /srv/\(tag)/x/y/a") == "a\n")
                try f.lxc(["file", "delete", "\(name)/srv/\(tag)/x/y/a", "\(name)/opt/\(tag)/tree/link"], client: client).check()
                #expect(try exec(f, name, "ls /srv/\(tag)/x/y/") == "")
                #expect(try exec(f, name, "ls /opt/\(tag)/tree/") == "a\nsub\n")
                // Pulling a symlink to stdout follows it.
                try f.lxc(["exec", name, "--", "ln", "-s", "tree/a", "/opt/\(tag)/rel"]).check()
                #expect(try f.lxc(["file", "pull", "\(name)/opt/\(tag)/rel", "-"], client: client).check().stdout == "a\n")
            }
            // stdin to a file, then append through the API.
            try f.lxc(["file", "push", "-", "\(name)/root/fromstdin"], stdin: Data("one\n".utf8), client: f.ourLXC).check()
            var headers = HTTPHeaders()
            headers["X-LXD-write"] = "append"
            let append = try f.http.request(
                "POST", "/1.0/instances/\(name)/files?path=/root/fromstdin", headers: headers, body: Data("two\n".utf8))
            #expect(append.status == 200)
            #expect(try exec(f, name, "cat /root/fromstdin") == "one\ntwo\n")
            // edit with a non-terminal stdin replaces the content and keeps the mode.
            _ = try exec(f, name, "chmod 600 /root/fromstdin")
            try f.lxc(["file", "edit", "\(name)/root/fromstdin"], stdin: Data("edited\n".utf8), client: f.ourLXC).check()
            #expect(try exec(f, name, "cat /root/fromstdin; stat -c %a /root/fromstdin") == "edited\n600\n")
        }
    }

    @Test func pathsNeverLeaveTheRootfs() async throws {
        try await DaemonFixture.with { f in
            let running = f.name("esc")
            let stopped = f.name("escs")
            try f.lxc(["launch", f.imageAlias, running]).check()
            try f.lxc(["init", f.imageAlias, stopped]).check()
            let marker = "swiftlxd-escape-\(f.prefix)"
            f.addCleanup {
                for folder in ["/tmp", "/etc", "/"] { try? FileManager.default.removeItem(atPath: folder + "/" + marker) }
            }
            for name in [running, stopped] {
                // Links made through the API itself, so that the stopped container has them too.
                for (link, target) in [("slash", "/"), ("up", "../../../../../../.."), ("etc", "/etc"), ("shadow", "../../../etc/shadow")] {
                    var headers = HTTPHeaders()
                    headers["X-LXD-type"] = "symlink"
                    let made = try f.http.request(
                        "POST", "/1.0/instances/\(name)/files?path=/root/\(link)", headers: headers, body: Data(target.utf8))
                    #expect(made.status == 200, "\(link): \(String(decoding: made.body, as: UTF8.self))")
                }
                let attempts = [
                    "root/slash/tmp/\(marker)", "root/up/tmp/\(marker)", "../../../../tmp/\(marker)", "root/../../../../etc/\(marker)",
                    "root/etc/\(marker)", "root/slash/../../\(marker)",
                ]
                for (index, path) in attempts.enumerated() {
                    let source = f.directory + "/payload-\(index)"
                    #expect(FileManager.default.createFile(atPath: source, contents: Data("payload \(index)\n".utf8)))
                    let client = index % 2 == 0 ? f.ourLXC : TestEnvironment.debianLXC
                    try f.lxc(["file", "push", "-q", source, "\(name)/\(path)"], client: client).check()
                }
                // Writing through an absolute link to /etc/shadow writes the container's shadow.
                try f.lxc(["file", "push", "-q", "-", "\(name)/root/shadow"], stdin: Data("container shadow\n".utf8), client: f.ourLXC)
                    .check()
                let root = rootfs(f, name)
                #expect(FileManager.default.fileExists(atPath: root + "/tmp/\(marker)"))
                #expect(FileManager.default.fileExists(atPath: root + "/etc/\(marker)"))
                #expect(FileManager.default.fileExists(atPath: root + "/\(marker)"))
                #expect(try String(contentsOfFile: root + "/etc/shadow", encoding: .utf8) == "container shadow\n")
                // Reading through the links reads the container's files.
                let hostname = try f.lxc(["file", "pull", "\(name)/root/slash/etc/hostname", "-"], client: f.ourLXC).check().stdout
                #expect(hostname == (try String(contentsOfFile: root + "/etc/hostname", encoding: .utf8)))
                let shadow = try f.http.request("GET", "/1.0/instances/\(name)/files?path=/root/up/etc/shadow")
                #expect(String(decoding: shadow.body, as: UTF8.self) == "container shadow\n")
                // The link itself reads as its target, made absolute inside the container.
                let link = try f.http.request("GET", "/1.0/instances/\(name)/files?path=/root/shadow")
                #expect(link.headers["X-LXD-type"] == "symlink" && String(decoding: link.body, as: UTF8.self) == "/etc/shadow")
            }
            for folder in ["/tmp", "/etc", "/"] {
                #expect(!FileManager.default.fileExists(atPath: folder + "/" + marker), "escaped to the host's \(folder)")
            }
            #expect(!((try? String(contentsOfFile: "/etc/shadow", encoding: .utf8)) ?? "").contains("container shadow"))
        }
    }

    @Test func runningContainerSeesItsOwnMounts() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("mnt")
            try f.lxc(["launch", f.imageAlias, name]).check()
            _ = try exec(f, name, "mount -t tmpfs tmpfs /mnt && echo under-tmpfs > /mnt/existing")
            let source = f.directory + "/m"
            #expect(FileManager.default.createFile(atPath: source, contents: Data("pushed\n".utf8)))
            try f.lxc(["file", "push", "-q", source, "\(name)/mnt/pushed"], client: f.ourLXC).check()
            // It went to the container's tmpfs, not the rootfs folder under it.
            #expect(try exec(f, name, "cat /mnt/pushed") == "pushed\n")
            #expect(!FileManager.default.fileExists(atPath: rootfs(f, name) + "/mnt/pushed"))
            #expect(try f.lxc(["file", "pull", "\(name)/mnt/existing", "-"], client: f.ourLXC).check().stdout == "under-tmpfs\n")
            let listing = try f.http.request("GET", "/1.0/instances/\(name)/files?path=/mnt")
            let entries = try LXDJSON.decode(ResponseRaw.self, from: listing.body).metadata.decode([String].self)
            #expect(Set(entries) == ["existing", "pushed"])
        }
    }

    @Test func restHeadersAndErrorsAsLXD() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("api")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let http = f.http
            let base = "/1.0/instances/\(name)/files?path="
            func error(_ response: HTTPResponse) throws -> (Int, String) {
                let envelope = try LXDJSON.decode(ResponseRaw.self, from: response.body)
                return (envelope.errorCode, envelope.error)
            }

            let file = try http.request("GET", base + "/etc/hostname")
            #expect(file.status == 200 && String(decoding: file.body, as: UTF8.self) == "\(name)\n")
            #expect(file.headers["Content-Type"] == "application/octet-stream")
            #expect(file.headers["Content-Disposition"] == "inline;filename=hostname")
            #expect(file.headers["X-LXD-type"] == "file" && file.headers["X-LXD-uid"] == "0" && file.headers["X-LXD-mode"] == "0644")
            #expect(file.headers["X-LXD-modified"]?.hasSuffix(" +0000 UTC") == true)
            #expect(file.headers["Last-Modified"]?.hasSuffix(" GMT") == true)
            // The client strips the leading slash; the server puts it back.
            #expect(try http.request("GET", base + "etc%2Fhostname").body == file.body)

            let folder = try http.request("GET", base + "/etc")
            #expect(folder.headers["X-LXD-type"] == "directory" && folder.headers["X-LXD-mode"] == "0755")
            let entries = try LXDJSON.decode(ResponseRaw.self, from: folder.body).metadata.decode([String].self)
            #expect(entries.contains("hostname") && entries.contains("passwd") && !entries.contains("."))

            let head = try http.request("HEAD", base + "/etc")
            #expect(head.status == 200 && head.body.isEmpty && head.headers["X-LXD-type"] == "directory")
            let link = try http.request("GET", base + "/bin/sh")
            #expect(link.headers["X-LXD-type"] == "symlink" && String(decoding: link.body, as: UTF8.self) == "/bin/busybox")

            #expect(try error(try http.request("GET", "/1.0/instances/\(name)/files")) == (400, "Missing path argument"))
            #expect(try error(try http.request("GET", base + "/nope")) == (404, "Not Found"))
            #expect(try error(try http.request("GET", "/1.0/instances/nosuch/files?path=/etc")) == (404, "Instance not found"))
            #expect(try error(try http.request("PUT", base + "/x", body: Data())) == (501, "not implemented"))
            #expect(try error(try http.request("DELETE", base + "/nope")) == (404, "Not Found"))
            #expect(
                try error(try http.request("DELETE", base + "/")) == (500, "sftp: \"remove /: device or resource busy\" (SSH_FX_FAILURE)"))
            #expect(
                try error(try http.request("DELETE", base + "/etc")) == (500, "sftp: \"remove /etc: directory not empty\" (SSH_FX_FAILURE)")
            )
            #expect(
                try error(try http.request("GET", base + "/etc/hostname/")) == (
                    500, "sftp: \"lstat /etc/hostname/: not a directory\" (SSH_FX_FAILURE)"
                ))

            func post(_ path: String, _ fields: [(String, String)], _ body: String = "data") throws -> HTTPResponse {
                try http.request("POST", base + path, headers: HTTPHeaders(fields), body: Data(body.utf8))
            }
            #expect(try error(try post("/root/w", [("X-LXD-write", "bogus")])) == (400, "Bad file write mode: bogus"))
            #expect(try error(try post("/root/t", [("X-LXD-type", "fifo")])) == (400, "Bad file type: fifo"))
            #expect(try error(try post("/nodir/f", [])) == (404, "Not Found"))
            #expect(try error(try post("/root", [])) == (500, "sftp: \"open /root: is a directory\" (SSH_FX_FAILURE)"))
            #expect(try error(try post("/root/app", [("X-LXD-write", "append")])) == (404, "Not Found"))
            // An id the container has no mapping for: LXD's error, and nothing written.
            #expect(
                try error(try post("/root/far", [("X-LXD-uid", "99999999")])) == (
                    500, "sftp: \"chown /root/far: invalid argument\" (SSH_FX_FAILURE)"
                ))
            #expect(!FileManager.default.fileExists(atPath: rootfs(f, name) + "/root/far"))
            #expect(try error(try post("/root/l", [("X-LXD-type", "symlink")], "/etc/passwd")).0 == 0)
            #expect(
                try error(try post("/root/l", [("X-LXD-type", "symlink")], "/etc/group")) == (
                    500, "sftp: \"symlink /etc/group /root/l: file exists\" (SSH_FX_FAILURE)"
                ))
            #expect(try post("/root/l", [("X-LXD-type", "symlink")], "/etc/passwd").status == 200)
            // Directories: 0750 by default, existing ones are fine, ids and mode from the headers.
            #expect(try post("/root/d1", [("X-LXD-type", "directory")], "").status == 200)
            #expect(try post("/root/d1", [("X-LXD-type", "directory")], "").status == 200)
            #expect(try post("/root/d2", [("X-LXD-type", "directory"), ("X-LXD-mode", "0701"), ("X-LXD-uid", "7")], "").status == 200)
            #expect(try exec(f, name, "stat -c '%a %u %g' /root/d1 /root/d2") == "750 0 0\n701 7 0\n")
            // Overwriting keeps the existing owner and mode (LXD applies them to new files only).
            #expect(try post("/root/o", [("X-LXD-uid", "5"), ("X-LXD-mode", "0600")], "first").status == 200)
            #expect(try post("/root/o", [("X-LXD-uid", "6"), ("X-LXD-mode", "0644")], "second").status == 200)
            #expect(try exec(f, name, "stat -c '%a %u' /root/o; cat /root/o") == "600 5\nsecond")
        }
    }

    @Test func bothClientsPrintTheSame() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            let name = f.name("cmp")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let local = f.directory + "/local"
            #expect(FileManager.default.createFile(atPath: local, contents: Data("x\n".utf8)))
            let cases: [[String]] = [
                ["file"], ["file", "--help"], ["file", "push", "--help"], ["file", "pull", "--help"], ["file", "delete", "--help"],
                ["file", "rm", "--help"], ["file", "edit", "--help"], ["file", "mount", "--help"], ["file", "push"],
                ["file", "push", "a"], ["file", "pull", "a"], ["file", "delete"], ["file", "push", local, "noslash"],
                ["file", "pull", "noslash", f.directory], ["file", "delete", "noslash"],
                ["file", "push", "-r", "--uid", "3", local, "\(name)/"],
                ["file", "push", local, local, "\(name)/root/notadir"], ["file", "push", "--mode", "abc", local, "\(name)/root/"],
                ["file", "push", f.directory + "/nonexist", "\(name)/root/"], ["file", "pull", "\(name)/root/nonexist", f.directory + "/"],
                ["file", "pull", "\(name)/etc", f.directory + "/"], ["file", "delete", "\(name)/nonexist"],
                ["file", "push", "-r", f.directory + "/nonexist", "\(name)/root/"],
                ["file", "pull", "nosuch/etc/hostname", f.directory + "/"],
                ["file", "pull", "\(name)/etc/hostname", "-"], ["file", "pull", "\(name)/bin/sh", "-"],
                ["file", "pull", "\(name)/etc/hostname", "\(name)/etc/passwd", local],
                ["file", "push", "-q", local, "\(name)/root/"], ["file", "push", "-q", local, "nosuch/root/"],
                ["file", "delete", "\(name)/etc"],
            ]
            for arguments in cases { try pair.expectSame(arguments) }
        }
    }

    @Test func noDescriptorsOrHelpersLeftBehind() async throws {
        try await DaemonFixture.with { f in
            let running = f.name("fd")
            let stopped = f.name("fds")
            try f.lxc(["launch", f.imageAlias, running]).check()
            try f.lxc(["init", f.imageAlias, stopped]).check()
            func descriptors() throws -> Set<String> {
                Set(try FileManager.default.contentsOfDirectory(atPath: "/proc/\(f.pid)/fd"))
            }
            // Warm up (threads, sockets and caches the daemon keeps), then measure.
            for name in [running, stopped] { _ = try f.http.request("GET", "/1.0/instances/\(name)/files?path=/etc/hostname") }
            let before = try descriptors()
            for round in 0..<10 {
                for name in [running, stopped] {
                    _ = try f.http.request("GET", "/1.0/instances/\(name)/files?path=/etc/hostname")
                    _ = try f.http.request("GET", "/1.0/instances/\(name)/files?path=/etc")
                    _ = try f.http.request("POST", "/1.0/instances/\(name)/files?path=/root/r\(round)", body: Data("x".utf8))
                    _ = try f.http.request("DELETE", "/1.0/instances/\(name)/files?path=/root/r\(round)")
                    _ = try f.http.request("GET", "/1.0/instances/\(name)/files?path=/nope")
                }
            }
            // A connection thread may still be closing the last request's socket: wait for it.
            var after = try descriptors()
            _ = try eventually {
                after = try descriptors()
                return after.count <= before.count
            }
            #expect(after.count <= before.count, "daemon descriptors grew: \(after.subtracting(before).sorted())")
            // No forkfile helper outlives its request.
            let children = try runCommand("/usr/bin/pgrep", ["-P", String(f.pid), "-f", "forkfile"])
            #expect(children.stdout.isEmpty)
        }
    }
}
