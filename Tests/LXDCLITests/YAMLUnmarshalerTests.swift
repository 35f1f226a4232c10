import LXDAPI
import LXDCommandLine
import Testing

@testable import LXDCLI

@Suite struct YAMLUnmarshalerTests {
    /// The profile of the seed's "Profiles intermezzo", as the wiki shows it in the editor.
    static let seedProfile = """
        ### This is a yaml representation of the profile.
        ### Any line starting with a '# will be ignored.
        ###
        ### Note that the name is shown but cannot be changed

        config:
          raw.lxc: lxc.mount.auto = proc sys cgroup
        description: "LXD profile for Funtoo-based containers"
        devices:
          portage:
            path: var/git
            source: /var/git
            type: disk
        name: prf-funtoo
        used_by: []
        """

    @Test func seedProfileReadsWithTheHeaderIgnored() throws {
        let put = try YAMLUnmarshaler.profilePut(Self.seedProfile)
        #expect(put.config == ["raw.lxc": "lxc.mount.auto = proc sys cgroup"])
        #expect(put.description == "LXD profile for Funtoo-based containers")
        #expect(put.devices == ["portage": ["path": "var/git", "source": "/var/git", "type": "disk"]])
    }

    @Test func theEditorHeaderAloneIsAnEmptyProfile() throws {
        let put = try YAMLUnmarshaler.profilePut(ProfileEditCommand.header + "\n\n")
        #expect(put.config.isEmpty && put.devices.isEmpty && put.description.isEmpty)
    }

    @Test func anyScalarReadsAsItsText() throws {
        let put = try YAMLUnmarshaler.profilePut("config:\n  a: 12\n  b: yes\n  c: ~\n  d: 0x10\ndescription: 7\n")
        #expect(put.config == ["a": "12", "b": "yes", "c": "", "d": "0x10"])
        #expect(put.description == "7")
    }

    @Test func mismatchesAreCollectedWithTheirLines() {
        let text = "config:\n  - a\ndevices:\n  x: 5\n  y:\n    k: {a: 1}\ndescription: [1]\n"
        #expect(
            throws: UsageError(
                """
                yaml: unmarshal errors:
                  line 2: cannot unmarshal !!seq into map[string]string
                  line 4: cannot unmarshal !!int `5` into map[string]string
                  line 6: cannot unmarshal !!map into string
                  line 7: cannot unmarshal !!seq into string
                """)
        ) {
            try YAMLUnmarshaler.profilePut(text)
        }
    }

    @Test func longScalarsAreCutInErrors() {
        #expect(throws: UsageError("yaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `1234567...` into map[string]string")) {
            try YAMLUnmarshaler.profilePut("config: 1234567890123\n")
        }
        #expect(throws: UsageError("yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into api.ProfilePut")) {
            try YAMLUnmarshaler.profilePut("- a\n")
        }
    }

    @Test func instancePutKeepsVolatileKeysAndIgnoresReadOnlyFields() throws {
        let text = """
            architecture: x86_64
            config:
              volatile.idmap.base: "0"
              volatile.last_state.idmap: '[]'
            devices: {}
            ephemeral: false
            profiles:
            - default
            - prf-funtoo
            stateful: false
            description: ""
            created_at: 2026-12-04T07:00:53.559261233Z
            name: c1
            status: Stopped
            status_code: 102
            """
        let put = try YAMLUnmarshaler.instancePut(text)
        #expect(put.architecture == "x86_64")
        #expect(put.config == ["volatile.idmap.base": "0", "volatile.last_state.idmap": "[]"])
        #expect(put.profiles == ["default", "prf-funtoo"])
        #expect(!put.ephemeral)
    }

    @Test func instancePutBooleansFollowYAML11() throws {
        #expect(try YAMLUnmarshaler.instancePut("ephemeral: yes\n").ephemeral)
        #expect(try YAMLUnmarshaler.instancePut("profiles: []\n").profiles == [])
        #expect(try YAMLUnmarshaler.instancePut("{}\n").profiles == nil)
        #expect(throws: UsageError("yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `yes` into bool")) {
            try YAMLUnmarshaler.instancePut("ephemeral: \"yes\"\n")
        }
    }

    @Test func syntaxErrorsKeepYAMLv2Wording() {
        #expect {
            try YAMLUnmarshaler.profilePut("config: [\n")
        } throws: { error in
            String(describing: error) == "yaml: line 1: did not find expected node content"
        }
    }

    @Test func serverConfigReadsScalars() throws {
        #expect(try YAMLUnmarshaler.serverConfig("config:\n  images.auto_update_interval: 0\n") == ["images.auto_update_interval": "0"])
    }
}

@Suite struct KeyValueArgumentTests {
    @Test func twoArgumentsWithoutEqualsAreKeyAndValue() throws {
        let pairs = try KeyValueArguments.parse(["user.a", "b=c"])
        #expect(pairs.map(\.key) == ["user.a"] && pairs.map(\.value) == ["b=c"])
    }

    @Test func keyValuePairsSplitAtTheFirstEquals() throws {
        let pairs = try KeyValueArguments.parse(["a=1", "b=x=y", "c="])
        #expect(pairs.map(\.key) == ["a", "b", "c"])
        #expect(pairs.map(\.value) == ["1", "x=y", ""])
    }

    @Test func aLoneKeyIsRefused() {
        #expect(throws: UsageError("Invalid key=value configuration: user.x")) { try KeyValueArguments.parse(["user.x"]) }
        #expect(throws: UsageError("Invalid key=value configuration: c")) { try KeyValueArguments.parse(["a=b", "c"]) }
    }

    @Test(arguments: [
        (["c1", "user.a", "b"], false), (["c1", "user.b=1", "user.c=2"], false), (["c1", "user.x"], true),
        (["core.bogus", "1"], true), (["images.auto_update_interval=0"], true), (["c1", "a=b", "c"], false),
        (["c1", "user.a", ""], false), (["core.x", ""], true),
    ])
    func configSetAddressesTheServerAsLXDDoes(arguments: [String], isServer: Bool) {
        #expect(ConfigSetCommand.addressesServer(arguments) == isServer)
    }

    @Test func deviceListsAreSortedYAML() {
        let yaml = DeviceShowCommand.yaml(["b": ["type": "disk", "path": "/"], "a": ["type": "none"]])
        #expect(yaml.pairs?.map(\.key) == ["a", "b"])
        #expect(yaml["b"]?.pairs?.map(\.key) == ["path", "type"])
    }

    @Test func devicePropertiesNeedAValue() {
        #expect(throws: UsageError("No value found in \"source\"")) { try deviceProperties(["path=/a", "source"]) }
    }
}
