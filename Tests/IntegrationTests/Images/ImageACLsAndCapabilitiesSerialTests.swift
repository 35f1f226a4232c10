import Foundation
import LXDTestSupport
import Testing

/// An image whose files carry POSIX ACLs and a file capability (as distribution images do:
/// Debian's `ping` has `cap_net_raw`): unpacked and then remapped (isolated, privileged and
/// back, `raw.idmap`), the container sees its own ids in the ACLs and the capability works.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ImageACLsAndCapabilitiesSerialTests {
    /// The busybox image plus `/srv/shared` (a default ACL for uid 1000), `/srv/shared/notes`
    /// (ACL entries for uid 1000 and gid 1001), `/bin/busybox-ping` (a busybox with
    /// `cap_net_raw+ep`) and Debian's `getfacl`/`getcap` with the libraries they load; archived
    /// with GNU tar's `--acls --xattrs`.
    static let recipe = #"""
        set -eu
        work=$1 out=$2 base=$3
        cd "$work"
        tar -xJf "$base"
        root=rootfs
        for tool in /usr/bin/getfacl /usr/sbin/getcap; do
            install -D "$tool" "$root$tool"
            for lib in $(ldd "$tool" | grep -o '/[^ ]*'); do install -D "$lib" "$root$lib"; done
        done
        mkdir -p "$root/srv/shared"
        echo notes > "$root/srv/shared/notes"
        setfacl -m u:1000:rw,g:1001:r "$root/srv/shared/notes"
        setfacl -d -m u:1000:rwx "$root/srv/shared"
        cp /bin/busybox "$root/bin/busybox-ping"
        setcap cap_net_raw+ep "$root/bin/busybox-ping"
        tar --xattrs --xattrs-include='*' --acls --numeric-owner -cJf "$out" metadata.yaml templates rootfs
        """#

    static func buildImage(in scratch: String) throws -> String {
        let work = scratch + "/acl-image"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let out = scratch + "/acl-image.tar.xz"
        try runCommand("/bin/sh", ["-c", recipe, "recipe", work, out, try TestImage.busybox()]).check()
        return out
    }

    /// What the container itself sees, through `client`.
    private func expectOwnIDs(_ f: DaemonFixture, _ name: String, client: String?, _ comment: Comment) throws {
        let acl = try f.lxc(["exec", name, "--", "getfacl", "-n", "-p", "/srv/shared/notes"], client: client).check().stdout
        #expect(acl.contains("user:1000:rw-"), comment)
        #expect(acl.contains("group:1001:r--"), comment)
        let defaults = try f.lxc(["exec", name, "--", "getfacl", "-n", "-p", "-d", "/srv/shared"], client: client).check().stdout
        #expect(defaults.contains("\nuser:1000:rwx\n"), comment)
        // A file made inside inherits the default ACL with the container's ids.
        try f.lxc(["exec", name, "--", "touch", "/srv/shared/new"], client: client).check()
        let inherited = try f.lxc(["exec", name, "--", "getfacl", "-n", "-p", "/srv/shared/new"], client: client).check().stdout
        #expect(inherited.contains("user:1000:rw"), comment)
        try f.lxc(["exec", name, "--", "rm", "/srv/shared/new"], client: client).check()

        let caps = try f.lxc(["exec", name, "--", "getcap", "/bin/busybox-ping"], client: client).check().stdout
        #expect(caps.contains("cap_net_raw=ep"), comment)
        // The capability works for an unprivileged user: effective on exec, and a raw ICMP
        // socket opens (a plain busybox cannot).
        let effective = try f.lxc(
            ["exec", name, "--user", "1000", "--group", "1000", "--", "/bin/busybox-ping", "grep", "CapEff", "/proc/self/status"],
            client: client
        ).check().stdout
        #expect(effective.contains("0000000000002000"), comment)
        let ping = try f.lxc(
            ["exec", name, "--user", "1000", "--group", "1000", "--", "/bin/busybox-ping", "ping", "-c", "1", "-W", "5", "127.0.0.1"],
            client: client)
        #expect(ping.status == 0, "\(comment): \(ping.stdout) \(ping.stderr)")
        let plain = try f.lxc(
            ["exec", name, "--user", "1000", "--group", "1000", "--", "/bin/busybox", "ping", "-c", "1", "-W", "5", "127.0.0.1"],
            client: client)
        #expect(plain.status != 0, comment)
    }

    @Test func aclsAndCapabilitiesFollowEveryIdmap() async throws {
        try await DaemonFixture.with { f in
            let image = try Self.buildImage(in: f.directory)
            try f.lxc(["image", "import", image, "--alias", "aclimage"]).check()
            let name = f.name("acl")
            try f.lxc(["launch", "aclimage", name]).check()
            try f.lxc(["exec", name, "--", "ip", "link", "set", "lo", "up"]).check()
            try expectOwnIDs(f, name, client: nil, "after unpacking")

            // Each change of map remaps the rootfs at the next start. `raw.idmap` maps the ACL's
            // user onto a host id of its own (one root may map: 1000 where it is delegated, as
            // `SecuritySerialTests` does).
            let hostID = SecuritySerialTests.rootDelegates(1000) ? 1000 : 150_000
            let changes: [(String, [String])] = [
                ("isolated", ["config", "set", name, "security.idmap.isolated", "true"]),
                ("privileged", ["config", "set", name, "security.privileged", "true"]),
                ("unprivileged again", ["config", "unset", name, "security.privileged"]),
                ("raw.idmap", ["config", "set", name, "raw.idmap", "both \(hostID) 1000"]),
            ]
            for (label, command) in changes {
                try f.lxc(["stop", name, "--force"], client: f.ourLXC).check()
                try f.lxc(command, client: f.ourLXC).check()
                try f.lxc(["start", name], client: f.ourLXC).check()
                try f.lxc(["exec", name, "--", "ip", "link", "set", "lo", "up"], client: f.ourLXC).check()
                try expectOwnIDs(f, name, client: f.ourLXC, "after the \(label) remap")
            }
        }
    }
}
