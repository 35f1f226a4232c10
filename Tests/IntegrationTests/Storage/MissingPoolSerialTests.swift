import Foundation
import LXDTestSupport
import Testing

/// A volume command naming a pool that does not exist: LXD 5.0.2 reports the pool.
@Suite(.serialized, .enabled(if: containersAvailable))
struct MissingPoolSerialTests {
    @Test func volumeCommandsOnAMissingPoolNameThePool() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let commands: [[String]] = [
                ["show", "nopool", "v1"], ["delete", "nopool", "v1"], ["set", "nopool", "v1", "user.a", "b"],
                ["rename", "nopool", "v1", "v2"], ["snapshot", "nopool", "v1"], ["info", "nopool", "v1"], ["get", "nopool", "v1", "size"],
            ]
            for client in [f.ourLXC, "/usr/bin/lxc"] {
                for command in commands {
                    let result = try f.lxc(["storage", "volume"] + command, client: client)
                    #expect(result.status == 1 && result.stderr == "Error: Storage pool not found\n", "\(client) \(command): \(result)")
                }
            }
            // The volume is still the one reported missing on a pool that exists.
            let missing = try f.lxc(["storage", "volume", "show", "default", "nosuch"])
            #expect(missing.stderr == "Error: Storage pool volume not found\n")
        }
    }
}
