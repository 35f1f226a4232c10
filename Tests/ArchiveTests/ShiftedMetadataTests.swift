import CShim
import Foundation
import Testing

@testable import Archive

/// ACL values and file capabilities as the kernel stores them, and their trip through an
/// image: published out of one container's range, unpacked into another's.
@Suite struct ShiftedMetadataTests {
    /// `system.posix_acl_access` bytes: version 2, then (tag, perm, id) entries.
    static func aclValue(_ entries: [(tag: UInt16, perm: UInt16, id: UInt32)]) -> [UInt8] {
        var bytes: [UInt8] = [2, 0, 0, 0]
        for entry in entries {
            withUnsafeBytes(of: entry.tag.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: entry.perm.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: entry.id.littleEndian) { bytes += $0 }
        }
        return bytes
    }

    static let undefined = UInt32.max
    static func acl(user: UInt32, group: UInt32) -> [UInt8] {
        aclValue([(1, 6, undefined), (2, 6, user), (4, 4, undefined), (8, 4, group), (0x10, 6, undefined), (0x20, 4, undefined)])
    }

    /// A revision 2 capability value with cap_net_raw (bit 13) permitted and effective.
    static let netRawV2: [UInt8] = [0x01, 0, 0, 0x02, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    static func v3(rootid: UInt32) -> [UInt8] {
        var bytes = netRawV2
        bytes[3] = 0x03
        withUnsafeBytes(of: rootid.littleEndian) { bytes += $0 }
        return bytes
    }

    static func withMap<R>(_ uids: [lxd_id_run], strict: Bool = false, _ body: (UnsafePointer<lxd_id_map>) -> R) -> R {
        uids.withUnsafeBufferPointer { runs in
            var map = lxd_id_map(
                uids: runs.baseAddress, nuids: runs.count, gids: runs.baseAddress, ngids: runs.count, strict: strict ? 1 : 0)
            return body(&map)
        }
    }

    static func mapCaps(_ value: [UInt8], _ uids: [lxd_id_run], strict: Bool = false) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 24)
        let size = withMap(uids, strict: strict) { map in
            out.withUnsafeMutableBytes { o in
                value.withUnsafeBytes { lxd_fs_map_caps_xattr($0.baseAddress, $0.count, map, o.baseAddress, o.count) }
            }
        }
        return size < 0 ? nil : Array(out.prefix(size))
    }

    @Test func aclIDsMoveAndOthersStay() {
        var value = Self.acl(user: 1000, group: 1001)
        let status = Self.withMap([lxd_id_run(from: 0, to: 100_000, count: 65536)]) { map in
            value.withUnsafeMutableBytes { lxd_fs_map_acl_xattr($0.baseAddress, $0.count, map) }
        }
        #expect(status == 0)
        #expect(value == Self.acl(user: 101_000, group: 101_001))
    }

    @Test func aclOutsideAStrictMapIsRefused() {
        var value = Self.acl(user: 70_000, group: 1)
        let status = Self.withMap([lxd_id_run(from: 0, to: 100_000, count: 65536)], strict: true) { map in
            value.withUnsafeMutableBytes { lxd_fs_map_acl_xattr($0.baseAddress, $0.count, map) }
        }
        #expect(status == -ERANGE)
    }

    @Test(arguments: [[], [2, 0, 0], [2, 0, 0, 0, 1], [1, 0, 0, 0, 2, 0, 6, 0, 0, 0, 0, 0]])
    func malformedACLsAreRefused(_ bytes: [UInt8]) {
        var value = bytes
        let status = Self.withMap([]) { map in value.withUnsafeMutableBytes { lxd_fs_map_acl_xattr($0.baseAddress, max(0, $0.count), map) }
        }
        #expect(status == -EINVAL)
    }

    @Test func hostRootCapabilityBecomesTheContainerRoots() {
        let shifted = Self.mapCaps(Self.netRawV2, [lxd_id_run(from: 0, to: 100_000, count: 65536)])
        #expect(shifted == Self.v3(rootid: 100_000))
        // And back: a root that lands on 0 is revision 2 again.
        #expect(Self.mapCaps(Self.v3(rootid: 100_000), [lxd_id_run(from: 100_000, to: 0, count: 65536)]) == Self.netRawV2)
        // From one container's range to another's.
        #expect(
            Self.mapCaps(Self.v3(rootid: 100_000), [lxd_id_run(from: 100_000, to: 1_065_536, count: 65536)])
                == Self.v3(rootid: 1_065_536))
        // A host-root capability with no run for 0 stays as it was.
        #expect(Self.mapCaps(Self.netRawV2, [lxd_id_run(from: 100_000, to: 0, count: 10)]) == Self.netRawV2)
    }

    @Test(arguments: [[UInt8](), [0, 0, 0, 2], Array(repeating: 0, count: 20), Array(netRawV2.prefix(19)), v3(rootid: 1) + [0]])
    func malformedCapabilitiesAreRefused(_ value: [UInt8]) {
        #expect(Self.mapCaps(value, []) == nil)
    }

    @Test func randomBytesNeverCrashTheParsers() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let count = Int.random(in: 0...40, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if count >= 4, Bool.random(using: &generator) { bytes[0] = 2; bytes[1] = 0; bytes[2] = 0; bytes[3] = 0 }
            _ = Self.withMap([lxd_id_run(from: 0, to: 5, count: 100)], strict: true) { map in
                bytes.withUnsafeMutableBytes { lxd_fs_map_acl_xattr($0.baseAddress, $0.count, map) }
            }
            _ = Self.mapCaps(bytes, [lxd_id_run(from: 0, to: 5, count: 100)], strict: true)
        }
    }

    static func xattr(_ path: String, _ name: String) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let size = buffer.withUnsafeMutableBytes { lgetxattr(path, name, $0.baseAddress, $0.count) }
        return size < 0 ? nil : Array(buffer.prefix(size))
    }

    static func setXattr(_ path: String, _ name: String, _ value: [UInt8]) -> Int32 {
        value.withUnsafeBytes { lsetxattr(path, name, $0.baseAddress, $0.count, 0) }
    }

    @Test(.enabled(if: isRoot, "file capabilities need root")) func publishAndUnpackCarryACLsAndCapabilities() throws {
        let temp = try TempDirectory()
        let source = try temp.sub("container/rootfs")
        try FileManager.default.createDirectory(atPath: source + "/shared", withIntermediateDirectories: true)
        try "x\n".write(toFile: source + "/shared/notes", atomically: false, encoding: .utf8)
        try "#!/bin/sh\n".write(toFile: source + "/ping", atomically: false, encoding: .utf8)
        for path in [source, source + "/shared", source + "/shared/notes", source + "/ping"] { chown(path, 100_000, 100_000) }
        chmod(source + "/ping", 0o755)
        // As a container whose range starts at 100000 has them on disk.
        #expect(Self.setXattr(source + "/shared/notes", "system.posix_acl_access", Self.acl(user: 101_000, group: 101_001)) == 0)
        #expect(Self.setXattr(source + "/shared", "system.posix_acl_default", Self.acl(user: 101_000, group: 101_001)) == 0)
        #expect(Self.setXattr(source + "/ping", "security.capability", Self.v3(rootid: 100_000)) == 0)

        let tarball = temp.path + "/image.tar"
        let writer = try ArchiveWriter(path: tarball)
        try writer.addTree(source, as: "rootfs", idShift: IDShift(uidBase: 100_000, gidBase: 100_000, range: 65536))
        try writer.close()

        // Unpacked into a range starting at 300000: the container's own ids again.
        let target = try temp.sub("unpacked")
        try ImageArchive.extract(tarball, prefix: "rootfs", to: target, idShift: IDShift(uidBase: 300_000, gidBase: 300_000, range: 65536))
        #expect(Self.xattr(target + "/shared/notes", "system.posix_acl_access") == Self.acl(user: 301_000, group: 301_001))
        #expect(Self.xattr(target + "/shared", "system.posix_acl_default") == Self.acl(user: 301_000, group: 301_001))
        #expect(Self.xattr(target + "/ping", "security.capability") == Self.v3(rootid: 300_000))

        // A remap (the container's map changed) moves them with the owners.
        var uids = lxd_id_run(from: 300_000, to: 500_000, count: 65536)
        var gids = uids
        #expect(lxd_fs_remap_tree(target, &uids, 1, &gids, 1) == 0)
        #expect(Stat(target + "/ping")?.uid == 500_000)
        #expect(Self.xattr(target + "/shared/notes", "system.posix_acl_access") == Self.acl(user: 501_000, group: 501_001))
        #expect(Self.xattr(target + "/shared", "system.posix_acl_default") == Self.acl(user: 501_000, group: 501_001))
        #expect(Self.xattr(target + "/ping", "security.capability") == Self.v3(rootid: 500_000))
    }

    @Test(.enabled(if: isRoot, "file capabilities need root")) func unpackRefusesACLsOutsideTheRange() throws {
        let temp = try TempDirectory()
        let source = try temp.sub("tree")
        try "x\n".write(toFile: source + "/file", atomically: false, encoding: .utf8)
        #expect(Self.setXattr(source + "/file", "system.posix_acl_access", Self.acl(user: 70_000, group: 1)) == 0)
        let tarball = temp.path + "/image.tar"
        let writer = try ArchiveWriter(path: tarball)
        try writer.addTree(source, as: "rootfs")
        try writer.close()
        let target = try temp.sub("unpacked")
        #expect(throws: ArchiveError.self) {
            try ImageArchive.extract(
                tarball, prefix: "rootfs", to: target, idShift: IDShift(uidBase: 300_000, gidBase: 300_000, range: 65536))
        }
    }
}
