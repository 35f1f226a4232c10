import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// `lxc rename` / `lxc move` on one server: which mistake is reported first, as LXD 5.0.2 does.
@Suite(.serialized, .enabled(if: containersAvailable))
struct RenameSerialTests {
    @Test func renameMistakesAreReportedInLXDsOrder() async throws {
        try await DaemonFixture.with { f in
            let running = f.name("run")
            let stopped = f.name("stop")
            try f.lxc(["launch", f.imageAlias, running]).check()
            try f.lxc(["init", f.imageAlias, stopped]).check()
            for client in [f.ourLXC, "/usr/bin/lxc"] {
                // A name taken is a conflict even while the instance runs (LXD checks it first).
                let taken = try f.lxc(["rename", running, stopped], client: client)
                #expect(taken.status == 1 && taken.stderr == "Error: Name \"\(stopped)\" already in use\n", "\(client): \(taken)")
                // "/" belongs to snapshots.
                let slash = try f.lxc(["rename", stopped, "\(running)/snap"], client: client)
                #expect(
                    slash.status == 1 && slash.stderr == "Error: The character \"/\" is reserved for snapshots\n", "\(client): \(slash)")
                // A free name for a running instance: the instance must stop first.
                let busy = try f.lxc(["rename", running, f.name("free")], client: client)
                #expect(busy.status == 1 && busy.stderr == "Error: Renaming of running container not allowed\n", "\(client): \(busy)")
            }
            // The raw API: taken names are a synchronous 409, "/" a 400, an empty name means the same name.
            for (body, code) in [("{\"name\":\"\(stopped)\"}", 409), ("{\"name\":\"a/b\"}", 400), ("{\"name\":\"\"}", 409)] {
                let response = try f.http.request("POST", "/1.0/instances/\(running)", body: Data(body.utf8))
                let envelope = try JSONDecoder().decode(ErrorEnvelopeProbe.self, from: response.body)
                #expect(envelope.errorCode == code, "\(body): \(envelope)")
            }
            let list = try f.lxc(["list", "--format", "csv", "-c", "n"]).check().stdout
            #expect(list.split(separator: "\n").sorted() == [Substring(running), Substring(stopped)].sorted())
        }
    }

    struct ErrorEnvelopeProbe: Decodable {
        var errorCode: Int
        var error: String
        enum CodingKeys: String, CodingKey {
            case errorCode = "error_code"
            case error
        }
    }
}
