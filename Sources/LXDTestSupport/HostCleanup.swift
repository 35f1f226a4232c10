import Foundation

/// Host-global things a test may leave under its folder (storage pools' mounts and loop
/// devices): released by path, never anything outside the folder.
public enum HostCleanup {
    /// Mount points at or below `folder`, deepest first (octal escapes of mountinfo decoded).
    public static func mounts(under folder: String) -> [String] {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        let points = text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            return String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
        }
        return points.filter { $0 == folder || $0.hasPrefix(folder + "/") }.sorted { $0.count > $1.count }
    }

    /// Loop devices whose backing file lies below `folder`.
    public static func loopDevices(under folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/block")) ?? []
        return names.filter { $0.hasPrefix("loop") }.sorted().compactMap { name in
            guard let backing = try? String(contentsOfFile: "/sys/block/\(name)/loop/backing_file", encoding: .utf8) else { return nil }
            let file = backing.trimmingCharacters(in: .whitespacesAndNewlines)
            return file.hasPrefix(folder + "/") ? "/dev/\(name)" : nil
        }
    }

    public static func release(under folder: String) {
        for mount in mounts(under: folder) { _ = try? runCommand("/bin/umount", ["-l", mount], timeout: 60) }
        for device in loopDevices(under: folder) { _ = try? runCommand("/sbin/losetup", ["-d", device], timeout: 60) }
    }
}
