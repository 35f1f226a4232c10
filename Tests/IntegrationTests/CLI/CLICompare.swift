import Foundation
import LXDTestSupport
import Testing

/// Runs the same command through Debian's `lxc` and ours on one daemon (ours, or the real LXD).
/// `@` in an argument becomes a per-client instance name (`<prefix>-d-<base>` / `<prefix>-o-<base>`),
/// which the normalised output shows as `NAME`; progress lines (`\r...`) are dropped, since their
/// speeds differ.
struct ClientPair {
    /// Runs a client binary with the arguments and stdin against the daemon under test.
    typealias Runner = (_ client: String, _ arguments: [String], _ stdin: Data?) throws -> CommandResult

    let prefix: String
    private let runner: Runner

    init(fixture: DaemonFixture) {
        prefix = fixture.prefix
        runner = { client, arguments, stdin in try fixture.lxc(arguments, stdin: stdin, client: client) }
    }

    /// Both clients against the real LXD 5.0.2.
    init(reference: ReferenceDaemon, prefix: String) {
        self.prefix = prefix
        runner = { client, arguments, stdin in try reference.lxc(arguments, stdin: stdin, client: client) }
    }

    func name(_ client: String, _ base: String) -> String { "\(prefix)-\(client)-\(base)" }

    func run(_ arguments: [String], base: String = "x", stdin: Data? = nil) throws -> (debian: CommandResult, ours: CommandResult) {
        let debian = try runner(TestEnvironment.debianLXC, arguments.map { $0.replacingOccurrences(of: "@", with: name("d", base)) }, stdin)
        let ours = try runner(TestEnvironment.ourLXC, arguments.map { $0.replacingOccurrences(of: "@", with: name("o", base)) }, stdin)
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

    /// Runs `arguments` through both clients and expects the same status, stdout and stderr
    /// once normalised; `sortBlock` names an indented block (e.g. `Properties:`) whose lines
    /// Debian's client prints in Go's random map order, compared sorted.
    func expectSame(
        _ arguments: [String], base: String = "x", stdin: Data? = nil, sortBlock: String? = nil, maskNumbers: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let (debian, ours) = try run(arguments, base: base, stdin: stdin)
        let clean = { (text: String) in
            var normalised = normalise(text, base: base)
            // Live figures (memory, CPU seconds, counters) move between the two runs.
            if maskNumbers { normalised = normalised.replacingOccurrences(of: #"\d+(\.\d+)?"#, with: "N", options: .regularExpression) }
            return sortBlock.map { Self.sortingBlock($0, in: normalised) } ?? normalised
        }
        #expect(ours.status == debian.status, "\(arguments)", sourceLocation: sourceLocation)
        #expect(clean(ours.stdout) == clean(debian.stdout), "\(arguments)", sourceLocation: sourceLocation)
        #expect(clean(ours.stderr) == clean(debian.stderr), "\(arguments)", sourceLocation: sourceLocation)
    }

    /// The indented lines under `header` sorted.
    static func sortingBlock(_ header: String, in text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: header) else { return text }
        var end = start + 1
        while end < lines.count, lines[end].hasPrefix("    ") { end += 1 }
        lines.replaceSubrange((start + 1)..<end, with: lines[(start + 1)..<end].sorted())
        return lines.joined(separator: "\n")
    }
}
