import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// Two of our daemons on loopback ports, one client configuration trusting both: instances on a
/// remote, images pulled from one server by the other, image copy, a public image server.
@Suite(.serialized, .enabled(if: containersAvailable))
struct RemoteInstancesSerialTests {
    /// Runs `body` with two daemons (the first with the test image) and a client trusting both
    /// as `h1:` and `h2:`.
    static func withTwoHosts(client: String, _ body: (DaemonFixture, DaemonFixture, ClientHome) async throws -> Void) async throws {
        try await DaemonFixture.with { f1 in
            try await DaemonFixture.with(withImage: false) { f2 in
                let a1 = try f1.listenHTTPS(password: "one")
                let a2 = try f2.listenHTTPS(password: "two")
                let home = try ClientHome(client: client)
                defer { home.remove() }
                try home.lxc(["remote", "add", "h1", a1, "--accept-certificate", "--password", "one"]).check()
                try home.lxc(["remote", "add", "h2", a2, "--accept-certificate", "--password", "two"]).check()
                try await body(f1, f2, home)
            }
        }
    }

    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC])
    func launchListExecInfoOnRemotes(_ client: String) async throws {
        try await Self.withTwoHosts(client: client) { f1, f2, home in
            let local = f1.name("here")
            let far = f2.name("far")
            // Same server, by remote name.
            try home.lxc(["launch", "h1:\(f1.imageAlias)", "h1:\(local)"]).check()
            // The image lives on h1, the instance on h2: h2 pulls the (private) image itself.
            try home.lxc(["launch", "h1:\(f1.imageAlias)", "h2:\(far)"]).check()
            let list = try home.lxc(["list", "h2:", "--format", "csv", "-c", "ns"]).check()
            #expect(list.stdout == "\(far),RUNNING\n")
            #expect(try home.lxc(["exec", "h2:\(far)", "--", "cat", "/etc/hostname"]).check().stdout == "\(far)\n")
            #expect(try home.lxc(["info", "h2:\(far)"]).check().stdout.contains("Name: \(far)"))
            #expect(try home.lxc(["list", "h1:", "--format", "csv", "-c", "n"]).check().stdout == "\(local)\n")
            // h2 keeps the image as a cache, with its fingerprint and no alias.
            let cached = try f2.get("/1.0/images?recursion=1", as: [Image].self)
            let source = try f1.get("/1.0/images/aliases/\(f1.imageAlias)", as: ImageAliasesEntry.self)
            #expect(cached.map(\.fingerprint) == [source.target])
            #expect(cached.first?.cached == true)
            try home.lxc(["delete", "--force", "h2:\(far)"]).check()
            #expect(try home.lxc(["list", "h2:", "--format", "csv"]).check().stdout.isEmpty)
        }
    }

    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC])
    func imageCopyBetweenServers(_ client: String) async throws {
        try await Self.withTwoHosts(client: client) { f1, f2, home in
            let copied = try home.lxc(["image", "copy", "h1:\(f1.imageAlias)", "h2:", "--alias", "copied"]).check()
            #expect(copied.stdout.contains("Image copied successfully!"))
            let source = try f1.get("/1.0/images/aliases/\(f1.imageAlias)", as: ImageAliasesEntry.self)
            #expect(try f2.get("/1.0/images/aliases/copied", as: ImageAliasesEntry.self).target == source.target)
            let image = try f2.get("/1.0/images/\(source.target)", as: Image.self)
            #expect(image.cached == false)
            // The copy launches on the target by its new alias.
            let name = f2.name("fromcopy")
            try home.lxc(["launch", "h2:copied", "h2:\(name)"]).check()
            #expect(try home.lxc(["exec", "h2:\(name)", "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
            // A name for the target image is refused as LXD does.
            #expect(
                try home.lxc(["image", "copy", "h1:\(f1.imageAlias)", "h2:named"]).stderr.contains(
                    "Can't provide a name for the target image"))
        }
    }

    /// Our daemon as a public image server: an untrusted client adds it with `--public` and
    /// lists and pulls its public images; private ones stay hidden.
    @Test func publicImageServer() async throws {
        try await DaemonFixture.with { f1 in
            try await DaemonFixture.with(withImage: false) { f2 in
                let a1 = try f1.listenHTTPS()
                let a2 = try f2.listenHTTPS(password: "two")
                let home = try ClientHome(client: TestEnvironment.ourLXC)
                defer { home.remove() }
                try home.lxc(["remote", "add", "pub", a1, "--accept-certificate", "--public"]).check()
                #expect(home.configText.contains("pub:\n    addr: https://\(a1)\n    public: true"))
                #expect(try home.lxc(["image", "list", "pub:", "--format", "csv"]).check().stdout.isEmpty)
                try f1.lxc(["image", "edit", f1.imageAlias], stdin: Data("public: true\n".utf8)).check()
                #expect(try home.lxc(["image", "list", "pub:", "--format", "csv", "-c", "l"]).check().stdout == "\(f1.imageAlias)\n")
                try home.lxc(["remote", "add", "h2", a2, "--accept-certificate", "--password", "two"]).check()
                let name = f2.name("frompub")
                try home.lxc(["launch", "pub:\(f1.imageAlias)", "h2:\(name)"]).check()
                #expect(try f2.lxc(["exec", name, "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
                // Debian's lxc reads the same configuration.
                #expect(
                    try home.lxc(["image", "list", "pub:", "--format", "csv", "-c", "l"], client: TestEnvironment.debianLXC).check().stdout
                        == "\(f1.imageAlias)\n")
            }
        }
    }

    /// `lxc launch IMAGE host2:NAME`: the image on the local daemon (listening on the network),
    /// the instance on the remote; the listener and the trust store survive a daemon restart.
    @Test func launchLocalImageOnARemote() async throws {
        try await DaemonFixture.with { local in
            try await DaemonFixture.with(withImage: false) { far in
                try local.listenHTTPS()
                let address = try far.listenHTTPS(password: "far")
                let home = try ClientHome(client: TestEnvironment.ourLXC)
                defer { home.remove() }
                try home.lxc(["remote", "add", "far", address, "--accept-certificate", "--password", "far"], local: local).check()
                let name = far.name("fromlocal")
                try home.lxc(["launch", local.imageAlias, "far:\(name)"], local: local).check()
                #expect(try home.lxc(["exec", "far:\(name)", "--", "cat", "/etc/hostname"], local: local).check().stdout == "\(name)\n")
                try far.shutdownDaemon()
                try far.startDaemon()
                #expect(try home.lxc(["list", "far:", "--format", "csv", "-c", "ns"], local: local).check().stdout == "\(name),RUNNING\n")
            }
        }
    }
}
