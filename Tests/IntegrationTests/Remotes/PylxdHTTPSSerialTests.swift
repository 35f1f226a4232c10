import Foundation
import LXDTestSupport
import TLS
import Testing

/// pylxd comes from `scripts/setup-host.sh` (pip); CI must have it.
let pylxdAvailable = TestEnvironment.isCI || (try? runCommand("/usr/bin/env", ["python3", "-c", "import pylxd"]).status) == 0

/// pylxd (PyPI) over HTTPS with a client certificate: trust by password, then instances,
/// images and exec websockets through the TLS listener.
@Suite(.serialized, .enabled(if: containersAvailable && pylxdAvailable))
struct PylxdHTTPSSerialTests {
    @Test func pylxdOverHTTPS() async throws {
        try await DaemonFixture.with { f in
            let address = try f.listenHTTPS(password: "pylxd-pw")
            let pair = try X509Certificate.generate(purpose: .client, commonName: "pylxd@test", altNames: nil)
            let certificate = f.directory + "/pylxd.crt"
            let key = f.directory + "/pylxd.key"
            try Data(pair.certificatePEM.utf8).write(to: URL(fileURLWithPath: certificate))
            try Data(pair.keyPEM.utf8).write(to: URL(fileURLWithPath: key))
            let name = f.name("py")
            let script = """
                import sys, pylxd
                client = pylxd.Client(endpoint="https://\(address)", cert=("\(certificate)", "\(key)"), verify="\(f.directory)/server.crt")
                print("trusted-before", client.trusted)
                client.authenticate("pylxd-pw")
                print("trusted-after", client.trusted)
                print("images", [i.aliases[0]["name"] for i in client.images.all() if i.aliases])
                inst = client.instances.create({"name": "\(name)", "source": {"type": "image", "alias": "\(f.imageAlias)"}}, wait=True)
                inst.start(wait=True)
                result = inst.execute(["cat", "/etc/hostname"])
                print("exec", result.exit_code, result.stdout.strip())
                print("names", [i.name for i in client.instances.all()])
                inst.stop(force=True, wait=True)
                inst.delete(wait=True)
                print("after-delete", [i.name for i in client.instances.all()])
                """
            // requests replaces pylxd's pinned certificate with a CA bundle named in the environment.
            var environment = ProcessInfo.processInfo.environment
            for key in ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"] { environment[key] = nil }
            let result = try runCommand("/usr/bin/env", ["python3", "-c", script], environment: environment, timeout: 180)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.contains("trusted-before False"))
            #expect(lines.contains("trusted-after True"))
            #expect(lines.contains("images ['\(f.imageAlias)']"))
            #expect(lines.contains("exec 0 \(name)"), "\(f.daemonLogTail())")
            #expect(lines.contains("names ['\(name)']"))
            #expect(lines.contains("after-delete []"))
        }
    }
}
