import Foundation
import Testing

@testable import LXDDaemon

@Suite struct MigrationMessagesTests {
    @Test func headerRoundTrips() throws {
        var header = MigrationHeader()
        header.fs = .rsync
        header.criu = MigrationCRIUType.none
        header.idmap = [
            MigrationIDMap(isUID: true, isGID: false, hostID: 100_000, nsID: 0, range: 65536),
            MigrationIDMap(isUID: false, isGID: true, hostID: 100_000, nsID: 0, range: 65536),
        ]
        header.snapshotNames = ["snap0", "snap1"]
        var snapshot = MigrationSnapshot(name: "snap0")
        snapshot.config = ["limits.memory": "64MB", "image.os": "busybox"]
        snapshot.profiles = ["default"]
        snapshot.devices = ["root": ["type": "disk", "path": "/", "pool": "default"]]
        snapshot.architecture = 2
        snapshot.creationDate = 1_764_800_000
        snapshot.expiryDate = 0
        header.snapshots = [snapshot, MigrationSnapshot(name: "snap1")]
        header.rsyncFeatures = .supported
        header.refresh = false
        header.volumeSize = -1
        header.indexHeaderVersion = 1
        #expect(try MigrationHeader(header.encoded()) == header)
    }

    /// Bytes as Go's protobuf writes them for `{fs: RSYNC, snapshotNames: ["s0"]}` and a
    /// control message: the field numbers are the protocol.
    @Test func wireBytesMatchProtobuf() throws {
        var header = MigrationHeader()
        header.snapshotNames = ["s0"]
        #expect(header.encoded() == [0x08, 0x00, 0x22, 0x02, 0x73, 0x30])
        #expect(MigrationControl(success: false, message: "no").encoded() == [0x08, 0x00, 0x12, 0x02, 0x6E, 0x6F])
        #expect(try MigrationControl([0x08, 0x01]) == MigrationControl(success: true, message: nil))
        // A negative int64 is a ten-byte varint.
        var negative = MigrationHeader()
        negative.volumeSize = -1
        #expect(negative.encoded() == [0x08, 0x00, 0x58] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    @Test func unknownFieldsAreSkippedAndMissingRequiredOnesRefused() throws {
        // fs, then an unknown varint field 99 and an unknown bytes field 100.
        let bytes: [UInt8] = [0x08, 0x00, 0x98, 0x06, 0x05, 0xA2, 0x06, 0x01, 0x41]
        #expect(try MigrationHeader(bytes).fs == .rsync)
        #expect(throws: ProtoError.self) { try MigrationHeader([]) }
        #expect(throws: ProtoError.self) { try MigrationControl([0x12, 0x00]) }
        #expect(throws: ProtoError.self) { try MigrationHeader([0x08, 0x07]) }
    }

    /// Random and truncated input never crashes the decoder.
    @Test func fuzzedInputThrowsOrDecodes() {
        var generator = SystemRandomNumberGenerator()
        var valid = MigrationHeader()
        valid.snapshotNames = ["a", "b"]
        valid.snapshots = [MigrationSnapshot(name: "a")]
        let good = valid.encoded()
        for length in 0..<good.count { _ = try? MigrationHeader(Array(good.prefix(length))) }
        for _ in 0..<2000 {
            let count = Int.random(in: 0...64, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? MigrationHeader(bytes)
            _ = try? MigrationControl(bytes)
        }
    }

    @Test func rsyncArgumentsAreLXDs() {
        let features = MigrationRsyncFeatures(xattrs: true, delete: true, compress: true, bidirectional: true)
        #expect(
            RsyncTransfer.receiverArguments(path: "/v", features: features) == [
                "--server", "-vlogDtpre.iLsfx", "--ignore-times", "--numeric-ids", "--devices", "--partial", "--sparse", "--xattrs",
                "--filter=-x security.selinux", "--delete", "--compress", "--compress-level=2", ".", "/v/",
            ])
        #expect(
            Array(RsyncTransfer.senderArguments(path: "/v", features: MigrationRsyncFeatures()).prefix(7)) == [
                "-ar", "--devices", "--numeric-ids", "--partial", "--sparse", "/v/", "localhost:/tmp/foo",
            ])
        #expect(features.intersection(MigrationRsyncFeatures(xattrs: true)).names == ["xattrs"])
    }

    @Test func architecturesUseLXDsNumbers() {
        #expect(MigrationArchitecture.id("x86_64") == 2)
        #expect(MigrationArchitecture.name(4) == "aarch64")
        #expect(MigrationArchitecture.name(99) == nil)
    }
}
