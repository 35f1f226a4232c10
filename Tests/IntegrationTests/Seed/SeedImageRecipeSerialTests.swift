import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// The seed's "Our first image" section, run as written: a stage3-like rootfs whose
/// `etc/rc.conf` and `etc/inittab` get the seed's sed edits, the seed's `hostname.tpl` and
/// `metadata.yaml` (with `when: [create, copy]`), `tar -caf`, `lxc image import --alias funtoo`,
/// then `lxc init funtoo c1` and `lxc ls`.
@Suite(.serialized, .enabled(if: containersAvailable))
struct SeedImageRecipeSerialTests {
    /// The seed's commands, verbatim from "Modifying the stage3 image" on (the download is
    /// replaced by a stage3-like tarball made from the busybox image).
    static let recipe = #"""
        set -eu
        mkdir lxd-images
        cd lxd-images
        mkdir rootfs
        tar -xaf ../stage3-latest.tar.xz -C rootfs/
        cd rootfs
        sed -i 's/^#rc_sys=""/rc_sys="lxc"/' etc/rc.conf
        sed -i '/^c[1-6]/s/^\(.*\)$/#\1/' etc/inittab
        cd ..
        mkdir templates
        echo hostname=\"{{ container.name }}\" > templates/hostname.tpl
        cat > metadata.yaml <<'META'
        architecture: x86_64
        creation_date: 20170907
        properties:
          architecture: x86_64
          description: Funtoo Current Generic Pure 64-bit
          name: funtoo-generic_64-pure64-funtoo-current-2016-12-10
          os: funtoo
          release: 1.0
          variant: current
        templates:
          /etc/conf.d/hostname:
            template: hostname.tpl
            when:
              - create
              - copy
        META
        tar -caf lxd-image.tar.xz metadata.yaml templates rootfs
        """#

    /// A stage3-like tarball: the busybox rootfs with an OpenRC-style `rc.conf` and an inittab
    /// whose console lines (`c1`..`c6`) the seed comments out.
    static let stage3 = #"""
        set -eu
        mkdir stage3 && cd stage3
        tar -xaf "$1" --strip-components=1 rootfs
        printf '# Global OpenRC configuration settings\n#rc_sys=""\nrc_logger="YES"\n' > etc/rc.conf
        printf '::sysinit:/etc/init.d/rcS\n' > etc/inittab
        for n in 1 2 3 4 5 6; do printf 'c%s::respawn:/sbin/getty 38400 tty%s\n' $n $n >> etc/inittab; done
        printf '::shutdown:/bin/umount -a -r\n' >> etc/inittab
        tar -caf ../stage3-latest.tar.xz --numeric-owner --owner=0 --group=0 .
        """#

    @Test func seedRecipeWorksAsWritten() async throws {
        guard HostArchitecture.name == "x86_64" else { return }  // the seed's metadata says x86_64
        try await DaemonFixture.with(withImage: false) { f in
            let work = f.directory + "/seed"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try runCommand("/bin/sh", ["-c", "cd '\(work)' && sh -c \"$0\" stage3 \"$1\"", Self.stage3, try TestImage.busybox()]).check()
            try runCommand("/bin/sh", ["-c", "cd '\(work)' && sh -c \"$0\"", Self.recipe]).check()
            let rootfs = work + "/lxd-images/rootfs"
            #expect(try String(contentsOfFile: rootfs + "/etc/rc.conf", encoding: .utf8).contains("rc_sys=\"lxc\""))
            #expect(try String(contentsOfFile: rootfs + "/etc/inittab", encoding: .utf8).contains("#c1::respawn"))

            let imported = try f.lxc(["image", "import", work + "/lxd-images/lxd-image.tar.xz", "--alias", "funtoo"]).check()
            #expect(imported.stdout.contains("Image imported with fingerprint: "))
            let list = try f.lxc(["image", "ls", "--format", "csv"]).check().stdout
            #expect(list.contains("funtoo,"))
            #expect(list.contains("Funtoo Current Generic Pure 64-bit"))

            try f.lxc(["init", "funtoo", "c1"]).check()
            #expect(try f.lxc(["ls", "--format", "csv", "-c", "ns"]).check().stdout.contains("c1,STOPPED"))
            try f.lxc(["start", "c1"]).check()
            #expect(try f.lxc(["exec", "c1", "--", "cat", "/etc/conf.d/hostname"]).check().stdout == "hostname=\"c1\"\n")
            let image = try f.get("/1.0/images/aliases/funtoo", as: ImageAliasesEntry.self)
            let details = try f.get("/1.0/images/\(image.target)", as: LXDAPIImage.self)
            #expect(details.properties["release"] == "1.0")
            #expect(details.properties["variant"] == "current")

            // `when: [create, copy]`: a copy (here of a snapshot, and of the running container)
            // gets its own name at its first start.
            try f.lxc(["snapshot", "c1", "clean"]).check()
            try f.lxc(["copy", "c1/clean", "c2"]).check()
            try f.lxc(["copy", "c1", "c3"], client: f.ourLXC).check()
            for name in ["c2", "c3"] {
                try f.lxc(["start", name]).check()
                #expect(try f.lxc(["exec", name, "--", "cat", "/etc/conf.d/hostname"]).check().stdout == "hostname=\"\(name)\"\n")
            }
            #expect(try f.lxc(["exec", "c1", "--", "cat", "/etc/conf.d/hostname"]).check().stdout == "hostname=\"c1\"\n")
        }
    }
}
