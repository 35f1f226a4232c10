import Foundation
import LXDTestSupport
import Testing

/// Our `lxc` against Debian's `lxc` 5.0.2 on the same daemon: same stdout, stderr and status.
@Suite(.serialized, .enabled(if: containersAvailable))
struct CLIParitySerialTests {
    func expectSame(
        _ pair: ClientPair, _ arguments: [String], base: String = "x", stdin: Data? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try pair.expectSame(arguments, base: base, stdin: stdin, sourceLocation: sourceLocation)
    }

    @Test func helpVersionAndArgumentErrors() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let pair = ClientPair(fixture: f)
            let cases: [[String]] = [
                ["--help"], ["help"], ["--version"], ["version"], ["help", "image"], ["image"], ["image", "alias"], ["operation"],
                ["image", "--help"], ["image", "import", "--help"], ["image", "list", "--help"], ["image", "show", "--help"],
                ["image", "delete", "--help"], ["image", "info", "--help"], ["image", "export", "--help"], ["image", "refresh", "--help"],
                ["image", "get-property", "--help"], ["image", "set-property", "--help"], ["image", "unset-property", "--help"],
                ["image", "alias", "create", "--help"], ["image", "alias", "list", "--help"],
                ["image", "alias", "delete", "--help"], ["image", "alias", "rename", "--help"], ["init", "--help"], ["launch", "--help"],
                ["list", "--help"], ["ls", "--help"], ["exec", "--help"], ["start", "--help"], ["stop", "--help"], ["restart", "--help"],
                ["pause", "--help"], ["delete", "--help"], ["rename", "--help"], ["move", "--help"], ["info", "--help"],
                ["operation", "list", "--help"], ["operation", "show", "--help"], ["operation", "delete", "--help"],
                ["monitor", "--help"], ["version", "--help"],
                ["nosuch"], ["image", "nosuch"], ["list", "--bogus"], ["list", "-Z"], ["list", "-c"], ["list", "--format"],
                ["list", "--format=xml"], ["list", "-c", "nZ"], ["stop", "x", "--timeout", "abc"], ["image", "show"], ["start"],
                ["stop"], ["init"], ["launch"], ["exec"], ["exec", "x"], ["rename", "x"], ["info", "a", "b"], ["delete"],
                // Typos of a command get cobra's suggestions (visible commands, by distance or prefix).
                ["lauch", "x"], ["lis"], ["Lis"], ["LIST"], ["ex"], ["mon"], ["qu"], ["comp"], ["helo"], ["sanpshot", "c1"],
            ]
            for arguments in cases { try expectSame(pair, arguments) }
        }
    }

    @Test func imagesListShowAndAliases() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            for format in ["table", "csv", "json", "yaml", "compact"] {
                try expectSame(pair, ["image", "list", "--format", format])
                try expectSame(pair, ["image", "alias", "list", "--format", format])
            }
            try expectSame(pair, ["image", "ls", "-c", "lLfFpdasut"])
            try expectSame(pair, ["image", "list", "nomatch"])
            try expectSame(pair, ["image", "show", f.imageAlias])
            try pair.expectSame(["image", "info", f.imageAlias], sortBlock: "Properties:")
            try expectSame(pair, ["image", "info", "nosuch"])
            try expectSame(pair, ["image", "get-property", f.imageAlias, "os"])
            try expectSame(pair, ["image", "get-property", f.imageAlias, "nosuch"])
            try expectSame(pair, ["image", "refresh", f.imageAlias])
            try expectSame(pair, ["image", "export", "nosuch"])
            try expectSame(pair, ["image", "export", f.imageAlias, f.directory + "/no/such/folder/x"])
            try expectSame(pair, ["image", "show", "nosuch"])
            try expectSame(pair, ["image", "import", try TestImage.busybox()])  // duplicate: same failure

            // Alias management through ours, checked through Debian's.
            let fingerprint = try #require(try f.get("/1.0/images/aliases/\(f.imageAlias)", as: [String: String].self)["target"])
            try f.lxc(["image", "alias", "create", "extra", fingerprint], client: f.ourLXC).check()
            try expectSame(pair, ["image", "list"])
            try f.lxc(["image", "alias", "rename", "extra", "moved"], client: f.ourLXC).check()
            #expect(try f.lxc(["image", "alias", "list", "--format", "csv"]).check().stdout.contains("moved,"))
            try f.lxc(["image", "alias", "delete", "moved"], client: f.ourLXC).check()
            try expectSame(pair, ["image", "alias", "delete", "moved"])

            // Delete and import again through ours.
            try f.lxc(["image", "delete", f.imageAlias], client: f.ourLXC).check()
            #expect(try f.lxc(["image", "list", "--format", "csv"]).check().stdout == "")
            let imported = try f.lxc(["image", "import", try TestImage.busybox(), "--alias", f.imageAlias], client: f.ourLXC).check()
            #expect(imported.stdout == "\rImage imported with fingerprint: \(fingerprint)\n")
            try expectSame(pair, ["image", "list"])
        }
    }

    @Test func instanceLifecycleAndLists() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            try expectSame(pair, ["launch", f.imageAlias, "@"])
            try expectSame(pair, ["init", f.imageAlias, "@", "-e", "-c", "user.a=b", "-p", "default", "-s", "default"], base: "e")
            try expectSame(pair, ["init", f.imageAlias, "@", "-c", "bad"], base: "bad")
            try expectSame(pair, ["init", "nosuchimage", "@"], base: "none")
            try expectSame(pair, ["launch", f.imageAlias, "@"])  // exists already
            try expectSame(pair, ["list", "@", "-c", "nstSPb"])
            try expectSame(pair, ["list", "@", "--format", "csv", "-c", "ns,user.a:A"], base: "e")
            try expectSame(pair, ["info", "@"], base: "e")
            try expectSame(pair, ["info", "nosuch"])
            try expectSame(pair, ["start", "@"])
            try expectSame(pair, ["stop", "@"], base: "e")
            try expectSame(pair, ["pause", "@"], base: "e")
            try expectSame(pair, ["delete", "@"])
            try expectSame(pair, ["stop", "@", "--force"])
            try expectSame(pair, ["restart", "@", "--force"])
            try expectSame(pair, ["pause", "@"])
            try expectSame(pair, ["start", "@"])
            try expectSame(pair, ["stop", "@", "--force"])
            try expectSame(pair, ["rename", "@", "@2"])
            try expectSame(pair, ["move", "@2", "@3"])
            try expectSame(pair, ["delete", "@3"])
            try expectSame(pair, ["delete", "@3"])
            try expectSame(pair, ["delete", "@", "--force"], base: "e")
            try expectSame(pair, ["operation", "show", "nosuch"])

            // Whole-daemon views: both clients see the same state.
            try f.lxc(["launch", f.imageAlias, f.name("shared")]).check()
            for format in ["table", "csv", "json", "yaml", "compact"] { try expectSame(pair, ["list", "--format", format]) }
            try expectSame(pair, ["list", "-c", "n,s,4,6,t,S,p,l,c,a,P,d,b,e,N,f,F"])
            // A running instance's Resources block (processes, CPU, memory, network counters).
            try pair.expectSame(["info", f.name("shared")], maskNumbers: true)
            try expectSame(pair, ["info"])
            try expectSame(pair, ["version"])
        }
    }

    @Test func execThroughOurClient() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("x")
            try f.lxc(["launch", f.imageAlias, name], client: f.ourLXC).check()
            let pair = ClientPair(fixture: f)
            try f.lxc(["launch", f.imageAlias, pair.name("d", "x")]).check()
            try f.lxc(["launch", f.imageAlias, pair.name("o", "x")], client: f.ourLXC).check()
            try expectSame(pair, ["exec", "@", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
            try expectSame(pair, ["exec", "@", "--", "/no/such/command"])
            try expectSame(pair, ["exec", "@", "--", "sh", "-c", "kill -9 $$"])
            try expectSame(pair, ["exec", "@", "-t", "--", "sh", "-c", "tty >/dev/null && echo tty; exit 5"])
            try expectSame(
                pair,
                [
                    "exec", "@", "--env", "FOO=bar", "--cwd", "/tmp", "--user", "65534", "--group", "65534", "--", "sh", "-c",
                    "echo $FOO; pwd; id -u; id -g",
                ])
            try expectSame(pair, ["exec", "@", "--", "sh", "-c", "tr a-z A-Z"], stdin: Data("hello stdin\n".utf8))
            try expectSame(pair, ["exec", "@", "-n", "--", "sh", "-c", "cat; echo done"], stdin: Data("ignored\n".utf8))
            try expectSame(pair, ["exec", "nosuch", "--", "true"])

            let result = try f.lxc(["exec", name, "--", "sh", "-c", "echo out; echo err >&2; exit 3"], client: f.ourLXC)
            #expect(result.status == 3)
            #expect(result.stdout == "out\n")
            #expect(result.stderr == "err\n")
            let missing = try f.lxc(["exec", name, "--", "/no/such/command"], client: f.ourLXC)
            #expect(missing.status == 127)
            #expect(missing.stderr == "Error: Command not found\n")
            let tty = try f.lxc(["exec", name, "-t", "--", "sh", "-c", "tty; exit 5"], client: f.ourLXC)
            #expect(tty.status == 5)
            #expect(tty.stdout.hasPrefix("/dev/pts/"))
            #expect(tty.stdout.hasSuffix("\r\n"))
            let big = try f.lxc(["exec", name, "--", "sh", "-c", "head -c 1048576 /dev/zero | tr '\\\\0' x"], client: f.ourLXC).check()
            #expect(big.stdout.utf8.count == 1_048_576)
            let env = try f.lxc(["exec", name, "--", "env"], client: f.ourLXC).check().stdout
            #expect(env.contains("HOME=/root"))
            try f.lxc(["delete", "--force", name], client: f.ourLXC).check()
            #expect(try f.lxc(["list", "--format", "csv", "-c", "n"]).check().stdout.contains(name) == false)
        }
    }

    @Test func socketSelectionAndUnreachableServer() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            var environment = f.environment
            environment["LXD_DIR"] = "/nonexistent"
            environment["LXD_SOCKET"] = f.socket
            let viaSocket = try runCommand(f.ourLXC, ["version"], environment: environment).check()
            #expect(viaSocket.stdout.hasSuffix("Server version: \(try f.get("/1.0", as: ServerVersion.self).environment.server_version)\n"))
            environment["LXD_SOCKET"] = nil
            let debian = try runCommand(TestEnvironment.debianLXC, ["version"], environment: environment)
            let ours = try runCommand(f.ourLXC, ["version"], environment: environment)
            #expect(ours.stdout == debian.stdout)
            #expect(ours.status == debian.status)
        }
    }
}

private struct ServerVersion: Decodable {
    struct Environment: Decodable { let server_version: String }
    let environment: Environment
}
