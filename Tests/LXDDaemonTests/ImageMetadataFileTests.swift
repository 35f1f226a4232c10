import Foundation
import LXDAPI
import Testing

@testable import LXDDaemon

@Suite struct ImageMetadataFileTests {
    /// `metadata.yaml` as scripts/build-busybox-image.sh writes it.
    static func busybox(architecture: String = "x86_64") -> String {
        """
        architecture: \(architecture)
        creation_date: 1700000000
        properties:
          architecture: \(architecture)
          description: Busybox 1.35.0 (SwiftLXD test image)
          name: busybox-1.35.0
          os: busybox
          release: "1.35.0"
        templates:
          /etc/conf.d/hostname:
            template: hostname.tpl
            when:
              - create
              - copy
          /etc/hostname:
            template: etc-hostname.tpl
            when:
              - create
              - copy

        """
    }

    /// The seed's metadata.yaml (/work/shared/seed/lxd-funtoo-wiki.txt, "Metadata and templates").
    static let seed = """
        architecture: x86_64
        creation_date: 20170907
        properties:
          architecture: x86_64
          description: Funtoo Current Generic Pure 64-bit
          name: funtoo-generic_64-pure64-funtoo-current-2016-12-10
          os: funtoo
          release: 1.0
          variant: current
        templates:
          /etc/conf.d/hostname:
            template: hostname.tpl
            when:
              - create
              - copy

        """

    private func parseError(_ text: String) -> LXDError? {
        do {
            _ = try ImageMetadataFile.parse(text)
            return nil
        } catch {
            return error as? LXDError
        }
    }

    @Test func busyboxMetadataParses() throws {
        let metadata = try ImageMetadataFile.parse(Self.busybox())
        #expect(metadata.architecture == "x86_64")
        #expect(metadata.creationDate == 1_700_000_000)
        #expect(metadata.expiryDate == 0)
        #expect(
            metadata.properties == [
                "architecture": "x86_64", "description": "Busybox 1.35.0 (SwiftLXD test image)", "name": "busybox-1.35.0",
                "os": "busybox", "release": "1.35.0",
            ])
        #expect(
            metadata.templates == [
                "/etc/conf.d/hostname": .init(template: "hostname.tpl", when: ["create", "copy"], createOnly: false, properties: [:]),
                "/etc/hostname": .init(template: "etc-hostname.tpl", when: ["create", "copy"], createOnly: false, properties: [:]),
            ])
    }

    @Test(arguments: [
        ("x86_64", "x86_64"), ("amd64", "x86_64"), ("x64", "x86_64"), ("aarch64", "aarch64"), ("arm64", "aarch64"),
        ("i386", "i686"), ("i686", "i686"), ("armhf", "armv7l"), ("ppc64el", "ppc64le"), ("s390x", "s390x"),
        ("riscv64", "riscv64"),
    ])
    func architectureIsNormalised(raw: String, expected: String) throws {
        #expect(try ImageMetadataFile.parse(Self.busybox(architecture: raw)).architecture == expected)
    }

    @Test func seedMetadataParses() throws {
        let metadata = try ImageMetadataFile.parse(Self.seed)
        #expect(metadata.architecture == "x86_64")
        #expect(metadata.creationDate == 20_170_907)
        #expect(metadata.properties["release"] == "1.0")
        #expect(metadata.properties["variant"] == "current")
        #expect(metadata.properties["os"] == "funtoo")
        #expect(metadata.properties.count == 6)
        #expect(metadata.templates.count == 1)
        let hostname = try #require(metadata.templates["/etc/conf.d/hostname"])
        #expect(hostname.template == "hostname.tpl")
        #expect(hostname.when == ["create", "copy"])
        #expect(!hostname.createOnly)
    }

    @Test func unknownArchitectureIsRejected() throws {
        let error = try #require(parseError(Self.busybox(architecture: "sparc64")))
        #expect(error.status == .badRequest)
        #expect(error.message.contains("unknown architecture \"sparc64\""))
    }

    @Test(arguments: [
        "creation_date: 1\nproperties:\n  os: busybox\n",
        "architecture: \"\"\n",
        "architecture:\n",
        "architecture: [x86_64]\n",
    ])
    func missingArchitectureIsRejected(text: String) throws {
        let error = try #require(parseError(text))
        #expect(error.status == .badRequest)
        #expect(error.message.contains("architecture is missing"))
    }

    @Test(arguments: [
        ("creation_date: yesterday", "creation_date"),
        ("creation_date: \"1700000000\"", "creation_date"),
        ("creation_date: [1]", "creation_date"),
        ("creation_date: 1.5", "creation_date"),
        ("expiry_date: {a: 1}", "expiry_date"),
        ("properties: [os, busybox]", "properties"),
        ("properties: busybox", "properties"),
        ("properties:\n  os: [busybox]", "properties.os"),
        ("properties:\n  os: {name: busybox}", "properties.os"),
        ("templates: [hostname.tpl]", "templates"),
        ("templates: hostname.tpl", "templates"),
        ("templates:\n  /etc/hostname:\n    when: [create]", "/etc/hostname"),
        ("templates:\n  /etc/hostname:\n    template: [a.tpl]", "/etc/hostname"),
        ("templates:\n  /etc/hostname:\n    template: a.tpl\n    when: create", "when"),
        ("templates:\n  /etc/hostname:\n    template: a.tpl\n    when: {create: true}", "when"),
        ("templates:\n  /etc/hostname:\n    template: a.tpl\n    properties: [a]", "templates./etc/hostname.properties"),
    ])
    func wrongTypesAreRejected(line: String, mention: String) throws {
        let error = try #require(parseError("architecture: x86_64\n" + line + "\n"), "\(line)")
        #expect(error.status == .badRequest)
        #expect(error.message.hasPrefix("Invalid metadata.yaml: "))
        #expect(error.message.contains(mention))
    }

    @Test(arguments: ["- a\n- b\n", "just text\n", ""])
    func nonMappingIsRejected(text: String) throws {
        let error = try #require(parseError(text))
        #expect(error.status == .badRequest)
    }

    @Test func malformedYAMLIsRejected() throws {
        let error = try #require(parseError("architecture: [x86_64\n"))
        #expect(error.status == .badRequest)
        #expect(error.message.hasPrefix("Failed parsing metadata.yaml"))
    }

    @Test func templateEscapingTheTemplatesFolderIsRejected() throws {
        let error = try #require(parseError("architecture: x86_64\ntemplates:\n  /etc/shadow:\n    template: ../../etc/shadow\n"))
        #expect(error.status == .badRequest)
    }

    @Test func optionalFieldsMayBeNullOrAbsent() throws {
        let metadata = try ImageMetadataFile.parse(
            "architecture: x86_64\ncreation_date:\nexpiry_date: ~\nproperties:\ntemplates:\n")
        #expect(metadata.creationDate == 0)
        #expect(metadata.expiryDate == 0)
        #expect(metadata.properties.isEmpty)
        #expect(metadata.templates.isEmpty)
    }

    @Test func templateOptions() throws {
        let metadata = try ImageMetadataFile.parse(
            """
            architecture: amd64
            expiry_date: 1800000000
            properties:
              empty:
            templates:
              /etc/hosts:
                template: hosts.tpl
                create_only: true
                when:
                properties:
                  domain: lxd
                  count: 3

            """)
        #expect(metadata.expiryDate == 1_800_000_000)
        #expect(metadata.properties == ["empty": ""])
        let hosts = try #require(metadata.templates["/etc/hosts"])
        #expect(hosts.createOnly)
        #expect(hosts.when.isEmpty)
        #expect(hosts.properties == ["domain": "lxd", "count": "3"])
    }
}
