import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// Server-side filtering (`api_filtering`): Debian's `lxc` sends `key=value` filters on fields
/// of the listed objects to the server as `?filter=key eq value` and shows what comes back.
@Suite(.serialized, .enabled(if: containersAvailable))
struct ListFilterSerialTests {
    @Test func debiansClientFiltersInstancesImagesAndVolumesOnTheServer() async throws {
        try await DaemonFixture.with { f in
            let running = f.name("up")
            let stopped = f.name("down")
            try f.lxc(["launch", f.imageAlias, running]).check()
            try f.lxc(["init", f.imageAlias, stopped]).check()
            for client in ["/usr/bin/lxc", f.ourLXC] {
                let names = { (filter: String) in
                    try f.lxc(["list", filter, "--format", "csv", "-c", "n"], client: client).check().stdout
                }
                #expect(try names("status=stopped") == "\(stopped)\n", "\(client)")
                #expect(try names("status=RUNNING") == "\(running)\n", "\(client)")
                #expect(try names("name=\(f.prefix)-d.*") == "\(stopped)\n", "\(client)")
                #expect(try names("type=virtual-machine") == "", "\(client)")
            }

            let fingerprint = try f.get("/1.0/images/aliases/\(f.imageAlias)", as: ImageAliasesEntry.self).target
            let shown = try f.lxc(["image", "list", "fingerprint=\(fingerprint)", "--format", "csv", "-c", "f"], client: "/usr/bin/lxc")
            #expect(try shown.check().stdout == "\(fingerprint.prefix(12))\n")
            let none = try f.lxc(["image", "list", "fingerprint=0000", "--format", "csv", "-c", "f"], client: "/usr/bin/lxc")
            #expect(try none.check().stdout == "")

            try f.lxc(["storage", "volume", "create", "default", "v1"]).check()
            try f.lxc(["storage", "volume", "create", "default", "v2"]).check()
            let volumes = try f.lxc(
                ["storage", "volume", "list", "default", "name=v1", "--format", "csv", "-c", "tn"], client: "/usr/bin/lxc")
            #expect(try volumes.check().stdout == "custom,v1\n")

            // A filter LXD cannot parse is its 500 "Invalid filter: ...".
            let bad = try f.http.request("GET", "/1.0/instances?filter=name+eq")
            #expect(bad.status == 500)
            #expect(String(decoding: bad.body, as: UTF8.self).contains("Invalid filter: clause has no value"))
        }
    }

    /// `M` (MEMORY USAGE%): the memory used as a share of `limits.memory`, blank without a limit.
    @Test func memoryUsagePercentColumn() async throws {
        try await DaemonFixture.with { f in
            let limited = f.name("lim")
            let free = f.name("free")
            try f.lxc(["launch", f.imageAlias, limited, "-c", "limits.memory=64MB"]).check()
            try f.lxc(["launch", f.imageAlias, free]).check()
            for client in ["/usr/bin/lxc", f.ourLXC] {
                let rows = try f.lxc(["list", "--format", "csv", "-c", "nM"], client: client).check().stdout.split(separator: "\n")
                #expect(rows.count == 2, "\(client): \(rows)")
                #expect(rows.contains("\(free),"), "\(client): \(rows)")
                let percent = try #require(rows.first { $0.hasPrefix(limited + ",") }).dropFirst(limited.count + 1)
                #expect(percent.hasSuffix("%") && Double(percent.dropLast()) != nil, "\(client): \(rows)")
            }
        }
    }
}
