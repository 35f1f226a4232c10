import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// Images pulled by alias follow it: `lxc image refresh` (and the daemon's periodic auto-update,
/// which runs the same refresh) replaces the image when the source server's alias names a newer
/// one, moving the aliases over and removing the old image. As in LXD, only a pull that named an
/// alias can lead anywhere: clients name a private image, and any `image copy` from an LXD
/// server, by fingerprint.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ImageRefreshSerialTests {
    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC])
    func refreshFollowsTheSourceAlias(_ client: String) async throws {
        try await RemoteInstancesSerialTests.withTwoHosts(client: client) { f1, f2, home in
            let first = try f1.get("/1.0/images/aliases/\(f1.imageAlias)", as: ImageAliasesEntry.self).target
            try f1.lxc(["image", "edit", f1.imageAlias], stdin: Data("public: true\n".utf8)).check()
            try home.lxc(["image", "alias", "create", "h1:channel", first]).check()
            let running = f2.name("running")
            try home.lxc(["launch", "h1:channel", "h2:\(running)"]).check()
            let cached = try f2.get("/1.0/images/\(first)", as: Image.self)
            #expect(cached.cached && cached.autoUpdate)
            #expect(cached.updateSource?.alias == "channel")
            #expect(cached.updateSource?.protocol == "lxd")
            #expect(try home.lxc(["image", "refresh", "h2:\(first)"]).check().stdout.contains("Image already up to date."))

            // A newer image behind the alias on h1.
            let builder = f1.name("builder")
            try home.lxc(["init", "h1:\(f1.imageAlias)", "h1:\(builder)"]).check()
            try home.lxc(["publish", "h1:\(builder)", "h1:", "--alias", "next", "--public"]).check()
            let second = try f1.get("/1.0/images/aliases/next", as: ImageAliasesEntry.self).target
            #expect(second != first)
            try home.lxc(["image", "alias", "delete", "h1:channel"]).check()
            try home.lxc(["image", "alias", "create", "h1:channel", second]).check()

            #expect(try home.lxc(["image", "refresh", "h2:\(first)"]).check().stdout.contains("Image refreshed successfully!"))
            let images = try f2.get("/1.0/images?recursion=1", as: [Image].self)
            #expect(images.map(\.fingerprint) == [second])
            #expect(images.first?.cached == true)
            #expect(images.first?.autoUpdate == true)
            #expect(images.first?.updateSource?.alias == "channel")
            #expect(try home.lxc(["image", "refresh", "h2:\(second)"]).check().stdout.contains("Image already up to date."))
            // The instance made from the old image runs on.
            #expect(try home.lxc(["exec", "h2:\(running)", "--", "cat", "/etc/hostname"]).check().stdout == "\(running)\n")

            // Where it comes from, in `image info`, the same through both clients (Debian's prints
            // the properties in map order).
            let source = "Auto update: enabled\nSource:\n    Server: https://"
            let sourceEnd = "    Protocol: lxd\n    Alias: channel\nProfiles:"
            for lxc in [TestEnvironment.debianLXC, TestEnvironment.ourLXC] {
                let info = try home.lxc(["image", "info", "h2:\(second)"], client: lxc).check().stdout
                #expect(info.contains(source) && info.contains(sourceEnd), "\(lxc): \(info)")
            }

            // `image copy` of a public image named by alias follows the alias too, with
            // `--auto-update`; the old image goes, its alias moves to the new one.
            try home.lxc(["image", "copy", "h1:\(f1.imageAlias)", "h2:", "--alias", "mine", "--auto-update"]).check()
            let copy = try f2.get("/1.0/images/\(first)", as: Image.self)
            #expect(copy.autoUpdate && !copy.cached)
            #expect(copy.updateSource?.alias == f1.imageAlias)
            try home.lxc(["image", "alias", "delete", "h1:\(f1.imageAlias)"]).check()
            try home.lxc(["image", "alias", "create", "h1:\(f1.imageAlias)", second]).check()
            #expect(try home.lxc(["image", "refresh", "h2:mine"]).check().stdout.contains("Image refreshed successfully!"))
            #expect(try f2.get("/1.0/images/aliases/mine", as: ImageAliasesEntry.self).target == second)
            #expect(try f2.get("/1.0/images?recursion=1", as: [Image].self).map(\.fingerprint) == [second])
        }
    }

    /// An image cached by a launch is flagged for auto-update when `images.auto_update_cached`
    /// is true (the default, as LXD) and not when it is false.
    @Test func cachedImagesFollowAutoUpdateCached() async throws {
        try await RemoteInstancesSerialTests.withTwoHosts(client: TestEnvironment.ourLXC) { f1, f2, home in
            try home.lxc(["launch", "h1:\(f1.imageAlias)", "h2:\(f2.name("one"))"]).check()
            var cached = try f2.get("/1.0/images?recursion=1", as: [Image].self)
            #expect(cached.map(\.cached) == [true])
            #expect(cached.map(\.autoUpdate) == [true])
            // A private image is named by fingerprint, which is all the source can record.
            #expect(cached.first?.updateSource?.alias == cached.first?.fingerprint)

            try home.lxc(["delete", "--force", "h2:\(f2.name("one"))"]).check()
            try home.lxc(["image", "delete", "h2:\(try #require(cached.first).fingerprint)"]).check()
            try home.lxc(["config", "set", "h2:", "images.auto_update_cached", "false"]).check()
            try home.lxc(["launch", "h1:\(f1.imageAlias)", "h2:\(f2.name("two"))"]).check()
            cached = try f2.get("/1.0/images?recursion=1", as: [Image].self)
            #expect(cached.map(\.autoUpdate) == [false])
        }
    }
}

/// Cached images go when unused for `images.remote_cache_expiry` days or past their expiry date,
/// checked when the daemon starts and hourly after (unit tests cover the rule).
@Suite(.serialized, .enabled(if: containersAvailable))
struct CachedImageExpirySerialTests {
    @Test func expiredCachedImageIsRemovedAtStart() async throws {
        try await RemoteInstancesSerialTests.withTwoHosts(client: TestEnvironment.ourLXC) { f1, f2, home in
            let name = f2.name("user")
            try home.lxc(["launch", "h1:\(f1.imageAlias)", "h2:\(name)"]).check()
            let fingerprint = try #require(try f2.get("/1.0/images", as: [String].self).first).split(separator: "/").last.map(String.init)
            try f2.lxc(["image", "edit", try #require(fingerprint)], stdin: Data("expires_at: 2020-01-01T00:00:00Z\n".utf8)).check()
            try f2.shutdownDaemon()
            try f2.startDaemon()
            #expect(eventually { (try? f2.get("/1.0/images", as: [String].self))?.isEmpty == true })
            // The instance made from it is untouched.
            #expect(try f2.lxc(["exec", name, "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
        }
    }
}
