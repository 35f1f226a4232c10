import LXDAPI
import LXDHTTP
import Testing

@testable import LXDClient

@Suite struct ConnectErrorTests {
    /// Go's wording, as Debian's `lxc` prints it when no daemon listens: the dial error once.
    @Test func aMissingUnixSocketIsDescribedOnce() {
        let socket = "/nonexistent-swiftlxd-qa/unix.socket"
        #expect(
            throws: LXDError(
                .internalServerError, "Get \"http://unix.socket/1.0\": dial unix \(socket): connect: no such file or directory")
        ) {
            _ = try LXDServer.query(HTTPClient(unixSocketPath: socket), "GET", "/1.0", body: nil)
        }
    }
}
