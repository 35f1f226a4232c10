import Foundation
import LXDTestSupport
import Testing

/// `lxc query` through Debian's `lxc` 5.0.2 and ours against our daemon: the same output.
@Suite(.serialized, .enabled(if: containersAvailable))
struct QuerySerialTests {
    @Test func queriesPrintAsDebiansClient() async throws {
        try await DaemonFixture.with { f in
            let pair = ClientPair(fixture: f)
            let name = f.name("q")
            try f.lxc(["launch", f.imageAlias, name]).check()
            let cases: [[String]] = [
                ["query", "--help"], ["query"], ["query", "a", "b"], ["query", "1.0"], ["query", "/"], ["query", "/1.0/instances"],
                ["query", "--raw", "/1.0/instances"], ["query", "/1.0/instances/\(name)?recursion=0&x=a:b"], ["query", "/1.0/nope"],
                ["query", "nosuch:/1.0"], ["query", "local:/1.0/profiles/default"], ["query", "--project", "p", "/1.0"],
                ["query", "/1.0/instances/\(name)/files?path=/etc/hostname"], ["query", "/1.0/instances/\(name)/files?path=/etc"],
                ["query", "--raw", "/1.0/instances/\(name)/files?path=/nope"], ["query", "-X", "DELETE", "/1.0/instances/\(name)"],
                ["query", "/1.0/instances/\(name)/logs"], ["query", "-X", "PUT", "/1.0"],
            ]
            for arguments in cases { try pair.expectSame(arguments) }
            // Operations: the same, once their ids and times are masked.
            let masks = [#""(id|created_at|updated_at)": "[^"]*""#, #"/1.0/operations/[0-9a-f-]+"#]
            func masked(_ text: String) -> String {
                masks.reduce(text) { $0.replacingOccurrences(of: $1, with: "MASKED", options: .regularExpression) }
            }
            for arguments in [
                ["query", "-X", "PATCH", "-d", #"{"config":{"user.note":"<a&b>"}}"#, "/1.0/instances/\(name)"],
                ["query", "-X", "PUT", "-d", #"{"action":"restart","force":true}"#, "--wait", "/1.0/instances/\(name)/state"],
            ] {
                let (debian, ours) = try pair.run(arguments)
                #expect(debian.status == 0 && ours.status == 0)
                #expect(masked(ours.stdout) == masked(debian.stdout))
                #expect(ours.stderr.isEmpty)
                if arguments.contains("--wait") { #expect(ours.stdout.contains("\"status\": \"Success\"")) }
            }
            // The PATCH went through, with <, & and > as they were.
            #expect(try f.lxc(["query", "/1.0/instances/\(name)"], client: f.ourLXC).check().stdout.contains(#""user.note": "<a&b>""#))
        }
    }
}
