import Foundation
import LXDOS
import Testing

@Suite struct KernelFileTests {
    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "kernelfile-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    @Test func emptyFileIsEmptyText() throws {
        let path = try temporaryFile([])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(KernelFile.read(path) == "")
    }

    @Test func fileLargerThanOneReadIsWhole() throws {
        let bytes = (0..<100_000).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        let path = try temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(KernelFile.read(path) == String(decoding: bytes, as: UTF8.self))
    }

    @Test func procfsFileReportingSizeZeroIsRead() throws {
        let text = try #require(KernelFile.read("/proc/self/status"))
        #expect(text.contains("Pid:\t\(getpid())"))
    }

    @Test func missingFileAndDirectoryAreNil() {
        #expect(KernelFile.read("/nonexistent/kernelfile") == nil)
        #expect(KernelFile.read("/proc") == nil)
    }

    @Test func invalidUTF8IsReplaced() throws {
        let path = try temporaryFile([0x61, 0xFF, 0x62])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(KernelFile.read(path) == "a\u{FFFD}b")
    }

    @Test func bytesAreReadAsTheyAre() throws {
        let bytes: [UInt8] = [0x2F, 0x62, 0x69, 0x6E, 0x00, 0xFF, 0x00]
        let path = try temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(KernelFile.readBytes(path) == bytes)
        let empty = try temporaryFile([])
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(KernelFile.readBytes(empty) == [])
        #expect(KernelFile.readBytes("/nonexistent/kernelfile") == nil)
    }

    @Test func procfsCommandLineKeepsItsNULSeparators() throws {
        let bytes = try #require(KernelFile.readBytes("/proc/self/cmdline"))
        #expect(bytes.last == 0)
        #expect(bytes.split(separator: 0).count == CommandLine.arguments.count)
    }
}
