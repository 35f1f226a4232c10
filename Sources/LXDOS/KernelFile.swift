import Glibc

/// Whole-file reads of small files: kernel files (procfs, sysfs, cgroupfs), which report a size
/// of 0 and are generated on read, and the daemon's own small files (templates, pid files,
/// leases). Foundation's `String(contentsOfFile:)` and `Data(contentsOf:)` leak their 4 KiB
/// buffer on every empty file (swift-foundation's readBytesFromFile, seen with valgrind here):
/// the daemon reads such files (a container's empty `/proc/PID/net/if_inet6`, an empty leases
/// file or template) again and again.
public enum KernelFile {
    /// The file's bytes as UTF-8 text (invalid bytes replaced), or nil when it cannot be opened
    /// or read. Reads until EOF, however large.
    public static func read(_ path: String) -> String? {
        readBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The file's bytes, or nil when it cannot be opened or read. Reads until EOF.
    public static func readBytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }
}
