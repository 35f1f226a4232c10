import Foundation
import LXDTestSupport

/// Runs the same command through Debian's `lxc` and ours on one daemon. `@` in an argument
/// becomes a per-client instance name (`<prefix>-d-<base>` / `<prefix>-o-<base>`), which the
/// normalised output shows as `NAME`; progress lines (`\r...`) are dropped, since their speeds differ.
struct ClientPair {
    let fixture: DaemonFixture

    func name(_ client: String, _ base: String) -> String { fixture.name("\(client)-\(base)") }

    func run(_ arguments: [String], base: String = "x", stdin: Data? = nil) throws -> (debian: CommandResult, ours: CommandResult) {
        let debian = try fixture.lxc(arguments.map { $0.replacingOccurrences(of: "@", with: name("d", base)) }, stdin: stdin)
        let ours = try fixture.lxc(
            arguments.map { $0.replacingOccurrences(of: "@", with: name("o", base)) }, stdin: stdin, client: fixture.ourLXC)
        return (debian, ours)
    }

    func normalise(_ text: String, base: String = "x") -> String {
        // Each progress update is "\r<text>" and is later blanked; keep what precedes the first
        // \r and what follows the last one.
        var out = text
        let segments = text.components(separatedBy: "\r")
        if segments.count > 1 { out = segments[0] + (segments.last ?? "") }
        return out.replacingOccurrences(of: name("d", base), with: "NAME").replacingOccurrences(of: name("o", base), with: "NAME")
    }
}
