import Foundation
import LXDTestSupport
import Testing

/// Container suites run where the machine can run containers, and always under CI (where a
/// machine that cannot is a failure to report, not a reason to skip).
let containersAvailable = TestEnvironment.mustRunContainers

/// The first line of a file inside the test's temporary folder.
func firstLine(_ text: String) -> String {
    String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
}

/// The host uid of a process (`Uid:` in /proc/PID/status).
func hostUID(ofPID pid: Int) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("Uid:") {
        return line.split(separator: "\t").dropFirst().first.flatMap { Int($0) }
    }
    return nil
}

/// `PID: N` from `lxc info NAME`.
func infoPID(_ fixture: DaemonFixture, _ name: String) throws -> Int? {
    let info = try fixture.lxc(["info", name]).check().stdout
    return info.split(separator: "\n").first { $0.hasPrefix("PID: ") }.flatMap { Int($0.dropFirst(5)) }
}
