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
        out = out.replacingOccurrences(of: name("d", base), with: "NAME").replacingOccurrences(of: name("o", base), with: "NAME")
        // Debian's client adds this hint to a failed state change only some of the time (a race in
        // its operation wait); ours always does, so the comparison leaves it out.
        out = out.replacingOccurrences(of: #"\nTry `lxc info --show-log [^`]*` for more info"#, with: "", options: .regularExpression)
        // Live figures (memory, CPU time, counters) move between the two calls.
        out = out.replacingOccurrences(
            of: #"("(usage|usage_peak|bytes_received|bytes_sent|packets_received|packets_sent)":|(usage|usage_peak): )\d+"#,
            with: "$1N", options: .regularExpression)
        // Creation and use times differ between the two instances by design.
        return out.replacingOccurrences(of: #"\d{4}/\d{2}/\d{2} \d{2}:\d{2} [A-Z]+"#, with: "DATE", options: .regularExpression)
    }
}
