import LXDAPI
import Testing

@testable import LXDDaemon

@Suite struct NetworkNameTests {
    /// LXD 5.0.2's interface name rule: 2 to 15 characters from [-_a-zA-Z0-9.]; anything else
    /// could reach nft, ip and dnsmasq arguments and file paths.
    @Test(arguments: [
        ("a;b", "Network interface contains invalid characters"), ("bad_name!", "Network interface contains invalid characters"),
        ("é", "Network interface contains invalid characters"), ("a b", "Network interface contains invalid characters"),
        ("a/b", "Network interface contains invalid characters"), ("..", "Network interface contains invalid characters"),
        (".", "Network interface is too short (minimum 2 characters)"), ("x", "Network interface is too short (minimum 2 characters)"),
        ("averyveryverylongname", "Network interface is too long (maximum 15 characters)"), ("", "No name provided"),
    ])
    func refused(_ name: String, _ message: String) {
        #expect(throws: LXDError.badRequest(message)) { try NetworkManager.validateName(name) }
    }

    @Test(arguments: ["lxdbr0", "a.b", "ab-", "a_b", "br-0.1", "abcdefghijklmno"])
    func accepted(_ name: String) throws {
        try NetworkManager.validateName(name)
    }
}
