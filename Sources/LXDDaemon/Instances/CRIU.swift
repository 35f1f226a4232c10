import Foundation
import LXDAPI
import LXDCore

/// CRIU, which stateful snapshots, stops and migrations need. LXD finds out only when a dump
/// fails; we ask `criu check` first and name the reason, so that nothing is half made.
enum CRIU {
    static let searchPath = ["/usr/sbin/criu", "/usr/bin/criu", "/sbin/criu", "/bin/criu", "/usr/local/sbin/criu"]

    static var binary: String? { searchPath.first { FileManager.default.isExecutableFile(atPath: $0) } }

    /// Throws LXD's "CRIU isn't installed", or the reason `criu check` gives, for `action`
    /// ("create a stateful snapshot").
    static func checkAvailable(for action: String) async throws {
        guard let binary else { throw LXDError.badRequest("Unable to \(action). CRIU isn't installed") }
        let result = try await ExternalTool.run(binary, ["check"])
        guard case .exited(0) = result.status else {
            throw LXDError.badRequest("Unable to \(action). CRIU check failed on this host: \(reason(result.output))")
        }
    }

    /// The last `Error (...)` line of `criu check` without its source location, else its last line.
    static func reason(_ output: String) -> String {
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let line = lines.last(where: { $0.contains("Error (") }) ?? lines.last else { return "no output" }
        if let close = line.range(of: "): ") { return String(line[close.upperBound...]) }
        return line
    }
}
