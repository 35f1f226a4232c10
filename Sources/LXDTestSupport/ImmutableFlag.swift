import Foundation

/// The filesystem's immutable flag (`chattr +i`): a file that even root cannot unlink, for tests
/// of what happens when a removal fails.
public enum ImmutableFlag {
    /// Root, `chattr`, and a temporary folder on a filesystem that keeps the flag (ext4 here).
    public static let isSupported: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("immutable-probe-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: probe, contents: nil) else { return false }
        defer { unlink(probe) }
        guard set(probe, true) else { return false }
        return set(probe, false)
    }()

    /// Sets or clears the flag; whether `chattr` succeeded.
    @discardableResult
    public static func set(_ path: String, _ on: Bool) -> Bool {
        (try? runCommand("/usr/bin/chattr", [on ? "+i" : "-i", path]))?.status == 0
    }
}
