import Testing

@testable import LXDCLI

@Suite struct CommandSuggestionsTests {
    static let names = ["alias", "copy", "exec", "export", "launch", "list", "move", "publish", "snapshot"]

    /// Answers of Debian's lxc 5.0.2 for the same typos.
    @Test(arguments: [
        ("lauch", ["launch"]), ("lis", ["alias", "list"]), ("Lis", ["alias", "list"]), ("LIST", ["list"]), ("ex", ["exec", "export"]),
        ("mon", ["move"]), ("comp", ["copy"]), ("sanpshot", ["snapshot"]), ("xyzzy", []), ("la", ["launch"]),
    ])
    func suggestions(_ typed: String, _ expected: [String]) {
        #expect(CommandSuggestions.suggestions(for: typed, among: Self.names) == expected)
    }

    @Test(arguments: [("", "abc", 3), ("kitten", "sitting", 3), ("abc", "abc", 0), ("ab", "ba", 2), ("a", "", 1)])
    func editDistance(_ a: String, _ b: String, _ distance: Int) {
        #expect(CommandSuggestions.editDistance(a, b) == distance)
    }
}
