import Foundation
import LXDTestSupport
import TLS
import Testing

/// `lxc storage edit`, `lxc storage volume edit` (volumes and their snapshots), `lxc config trust
/// edit` and `lxc network edit`, through Debian's client and ours: on a terminal the object opens in
/// `$EDITOR` under LXD's header and a text that fails is reported and reopened; without one the YAML
/// comes from stdin. Both clients must show the same text, print the same and leave the same state.
@Suite(.serialized, .enabled(if: containersAvailable && TerminalEditor.isAvailable))
struct ObjectEditorSerialTests {
    /// One editable object per client: how to make it, the edit command, a bad value the daemon
    /// refuses, a good edit and how to read the result back.
    struct Case {
        var make: (String) throws -> Void
        var edit: (String) -> [String]
        var badValue: String
        var good: (String) -> String
        var show: (String) -> [String]
    }

    /// What differs between the two clients' objects by design (certificates), masked before
    /// their texts are compared.
    final class Masks: @unchecked Sendable {  // used on the test's thread only
        var byName: [String: [String]] = [:]
        var fingerprints: [String: String] = [:]
        func apply(_ text: String, _ name: String) -> String {
            (byName[name] ?? []).reduce(text.replacingOccurrences(of: name, with: "NAME")) {
                $0.replacingOccurrences(of: $1, with: "MASKED")
            }
        }
    }

    static let answersPrefix = ["config: [\n"]

    func runCases(_ f: DaemonFixture, _ cases: [String: Case], masks: Masks = Masks()) throws {
        for (label, test) in cases.sorted(by: { $0.key < $1.key }) {
            var shownBy: [String: [String]] = [:]
            var outputBy: [String: String] = [:]
            var resultBy: [String: String] = [:]
            for (client, tag) in [(TestEnvironment.debianLXC, "d"), (f.ourLXC, "o")] {
                let name = f.name(label + tag)
                try test.make(name)
                let answers = Self.answersPrefix + [test.badValue, test.good(name)]
                let (output, shown) = try TerminalEditor.edit(
                    scratch: f.directory, environment: f.environment, client: client, test.edit(name), answers: answers)
                #expect(shown.count == 3, "\(label) \(client)")
                #expect(shown.count == 3 && shown[1] == answers[0] && shown[2] == answers[1], "\(label) \(client)")
                shownBy[client] = shown.map { masks.apply($0, name) }
                outputBy[client] = masks.apply(output, name)
                resultBy[client] = masks.apply(try f.lxc(test.show(name)).check().stdout, name)
                #expect(output.contains("Config parsing error: yaml: line 1: did not find expected node content"), "\(label)")

                // Without a terminal: stdin, and a failure changes nothing.
                let before = try f.lxc(test.show(name)).check().stdout
                for bad in ["config: [\n", "description:\n  - a\n", test.badValue] {
                    let theirs = try f.lxc(test.edit(name), stdin: Data(bad.utf8))
                    let ours = try f.lxc(test.edit(name), stdin: Data(bad.utf8), client: f.ourLXC)
                    #expect(theirs.status == 1 && ours.status == 1, "\(label) \(bad)")
                    #expect(ours.stderr == theirs.stderr, "\(label) \(bad)")
                }
                #expect(try f.lxc(test.show(name)).check().stdout == before, "\(label)")
            }
            #expect(shownBy[TestEnvironment.debianLXC] == shownBy[f.ourLXC], "\(label)")
            #expect(outputBy[TestEnvironment.debianLXC] == outputBy[f.ourLXC], "\(label)")
            #expect(resultBy[TestEnvironment.debianLXC] == resultBy[f.ourLXC], "\(label)")
            #expect(shownBy[f.ourLXC]?.first?.hasPrefix("### This is a YAML representation of ") == true, "\(label)")
        }
    }

    @Test func storagePoolVolumeSnapshotAndTrustEdits() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let certificates = f.directory + "/certificates"
            try FileManager.default.createDirectory(atPath: certificates, withIntermediateDirectories: true)
            let masks = Masks()
            let cases: [String: Case] = [
                "pool": Case(
                    make: { name in
                        try f.lxc(["storage", "create", name, "dir"]).check()
                        f.addCleanup { _ = try? f.lxc(["storage", "delete", name]) }
                        masks.byName[name] = [f.directory]
                    },
                    edit: { ["storage", "edit", $0] }, badValue: "config:\n  bogus: 1\n",
                    good: { "config:\n  source: \(f.directory)/storage-pools/\($0)\n  user.edited: \"1\"\ndescription: edited\n" },
                    show: { ["storage", "show", $0] }),
                "vol": Case(
                    make: { name in try f.lxc(["storage", "volume", "create", "default", name]).check() },
                    edit: { ["storage", "volume", "edit", "default", $0] }, badValue: "config:\n  bogus: 1\n",
                    good: { _ in "config:\n  user.edited: yes\ndescription: edited\n" },
                    show: { ["storage", "volume", "show", "default", $0] }),
                "snap": Case(
                    make: { name in
                        try f.lxc(["storage", "volume", "create", "default", name]).check()
                        try f.lxc(["storage", "volume", "snapshot", "default", name, "s1"]).check()
                    },
                    edit: { ["storage", "volume", "edit", "default", $0 + "/s1"] }, badValue: "expires_at: tomorrow\n",
                    good: { _ in "description: edited snapshot\nexpires_at: 2100-01-02T03:04:05Z\n" },
                    show: { ["storage", "volume", "show", "default", $0 + "/s1"] }),
                "trust": Case(
                    make: { name in
                        let pair = try X509Certificate.generate(purpose: .client, commonName: name + "@test", altNames: nil)
                        let file = certificates + "/\(name).crt"
                        try Data(pair.certificatePEM.utf8).write(to: URL(fileURLWithPath: file))
                        try f.lxc(["config", "trust", "add", file]).check()
                        let fingerprint = try X509Certificate(pem: pair.certificatePEM).fingerprint
                        masks.fingerprints[name] = fingerprint
                        let body = pair.certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
                        masks.byName[name] = [fingerprint] + body
                    },
                    edit: { ["config", "trust", "edit", String((masks.fingerprints[$0] ?? $0).prefix(12))] }, badValue: "type: metrics\n",
                    good: { "name: \($0)-renamed\ntype: client\nrestricted: false\nprojects: []\n" },
                    show: { ["config", "trust", "show", masks.fingerprints[$0] ?? $0] }),
            ]
            try runCases(f, cases, masks: masks)
            // The good edits took: a pool's and a volume's config and description, a snapshot's
            // expiry, a certificate's name.
            let pool = try f.lxc(["storage", "show", f.name("poolo")]).check().stdout
            #expect(pool.contains("user.edited: \"1\"") && pool.contains("description: edited"))
            let volume = try f.lxc(["storage", "volume", "show", "default", f.name("volo")]).check().stdout
            #expect(volume.contains("user.edited: \"yes\"") && volume.contains("description: edited"))
            let snapshot = try f.lxc(["storage", "volume", "show", "default", f.name("snapo") + "/s1"]).check().stdout
            #expect(snapshot.contains("expires_at: 2100-01-02T03:04:05Z") && snapshot.contains("description: edited snapshot"))
            let certificate = try f.lxc(["config", "trust", "show", masks.fingerprints[f.name("trusto")] ?? ""]).check().stdout
            #expect(certificate.hasPrefix("name: \(f.name("trusto"))-renamed\n"))
        }
    }

    @Test func networkEdit() async throws {
        try await DaemonFixture.with(withImage: false, network: true) { f in
            let cases: [String: Case] = [
                "net": Case(
                    make: { name in try f.lxc(["network", "create", name, "ipv4.address=none", "ipv6.address=none"]).check() },
                    edit: { ["network", "edit", $0] }, badValue: "config:\n  bogus.key: 1\n",
                    good: { _ in "config:\n  ipv4.address: none\n  ipv6.address: none\n  user.edited: \"1\"\ndescription: edited\n" },
                    show: { ["network", "show", $0] })
            ]
            try runCases(f, cases)
            #expect(try f.lxc(["network", "get", f.name("neto"), "user.edited"]).check().stdout == "1\n")
        }
    }
}

/// Our client's editors against the real LXD 5.0.2 show what Debian's shows there.
@Suite(.serialized, .enabled(if: containersAvailable && TerminalEditor.isAvailable && ReferenceDaemon.isInstalled))
struct ObjectEditorOnLXDSerialTests {
    @Test func editorsShowTheSameTextAsDebiansClient() async throws {
        try await ReferenceDaemon.with { lxd in
            try lxd.lxc(["storage", "volume", "create", "default", "ev"]).check()
            try lxd.lxc(["storage", "volume", "snapshot", "default", "ev", "s1"]).check()
            for arguments in [
                ["storage", "edit", "default"], ["storage", "volume", "edit", "default", "ev"],
                ["storage", "volume", "edit", "default", "ev/s1"],
            ] {
                try TerminalEditor.expectSameSaveUnchanged(on: lxd, arguments)
            }
        }
    }
}
