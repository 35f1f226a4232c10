import LXDCommandLine
import Testing

@Suite struct ArgumentParserTests {
    let flags: [Flag] = [
        Flag("config", short: "c", .stringArray, usage: "Config"),
        Flag("ephemeral", short: "e", usage: "Ephemeral"),
        Flag("force", short: "f", usage: "Force"),
        Flag("format", .string, usage: "Format"),
        Flag("timeout", .int, usage: "Timeout"),
        Flag("user", .uint, usage: "User"),
        Flag("console", .string, usage: "Console", noOptionDefault: "console"),
    ]

    @Test func flagsBeforeAndAfterArguments() throws {
        let parsed = try ArgumentParser.parse(["-e", "img", "name", "--format", "csv"], flags: flags)
        #expect(parsed.positional == ["img", "name"])
        #expect(parsed.bool("ephemeral"))
        #expect(parsed.string("format") == "csv")
    }

    @Test func repeatedArrayFlagsKeepOrder() throws {
        let parsed = try ArgumentParser.parse(["-c", "a=1", "--config=b=2", "-cc=3", "x"], flags: flags)
        #expect(parsed.strings("config") == ["a=1", "b=2", "c=3"])
        #expect(parsed.positional == ["x"])
    }

    @Test func doubleDashEndsFlags() throws {
        let parsed = try ArgumentParser.parse(["c1", "--", "ls", "-la", "--format"], flags: flags)
        #expect(parsed.positional == ["c1", "ls", "-la", "--format"])
        #expect(parsed.afterDashDash == 1)
        #expect(!parsed.isSet("format"))
    }

    @Test func combinedShorthandBooleans() throws {
        let parsed = try ArgumentParser.parse(["-ef"], flags: flags)
        #expect(parsed.bool("ephemeral") && parsed.bool("force"))
    }

    @Test func optionalValueFlag() throws {
        #expect(try ArgumentParser.parse(["--console"], flags: flags).string("console") == "console")
        #expect(try ArgumentParser.parse(["--console=vga"], flags: flags).string("console") == "vga")
    }

    @Test(arguments: [
        (["--bogus"], "unknown flag: --bogus"),
        (["-Z"], "unknown shorthand flag: 'Z' in -Z"),
        (["-eZ"], "unknown shorthand flag: 'Z' in -eZ"),
        (["-c"], "flag needs an argument: 'c' in -c"),
        (["--format"], "flag needs an argument: --format"),
        (["--timeout", "abc"], "invalid argument \"abc\" for \"--timeout\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax"),
        (["--user", "x"], "invalid argument \"x\" for \"--user\" flag: strconv.ParseUint: parsing \"x\": invalid syntax"),
    ])
    func errorsUseLXDWording(arguments: [String], message: String) {
        #expect(throws: UsageError(message)) { try ArgumentParser.parse(arguments, flags: flags) }
    }
}

@Suite struct HelpRendererTests {
    @Test func flagColumnAlignsAfterTheLongestFlag() {
        let text = HelpRenderer.flagUsages([
            Flag("all", usage: "Run against all instances"),
            Flag("console", .string, usage: "Immediately attach to the console", noOptionDefault: "console"),
            Flag("stateless", usage: "Ignore the instance state"),
        ])
        #expect(
            text == """
                      --all                   Run against all instances
                      --console[="console"]   Immediately attach to the console
                      --stateless             Ignore the instance state
                """)
    }

    @Test func groupUsageListsCommandsAndFooter() {
        let spec = CommandSpec(name: "alias", short: "Manage image aliases")
        let usage = HelpRenderer.usage(
            path: ["lxc", "image", "alias"], spec: spec,
            subcommands: [
                .init(name: "create", short: "Create aliases for existing images"), .init(name: "rename", short: "Rename aliases"),
            ])
        #expect(usage.hasPrefix("Usage:\n  lxc image alias [flags]\n  lxc image alias [command]\n\nAvailable Commands:\n"))
        #expect(usage.contains("\n  create      Create aliases for existing images\n"))
        #expect(usage.hasSuffix("\n\nUse \"lxc image alias [command] --help\" for more information about a command.\n"))
    }

    @Test func leafHelpHasDescriptionAliasesAndGlobalFlags() {
        let spec = CommandSpec(name: "delete", aliases: ["rm"], usage: "[<remote>:]<image>", short: "Delete images")
        let help = HelpRenderer.help(path: ["lxc", "image", "delete"], spec: spec, subcommands: [])
        #expect(
            help.hasPrefix(
                "Description:\n  Delete images\n\nUsage:\n  lxc image delete [<remote>:]<image> [flags]\n\nAliases:\n  delete, rm\n\nGlobal Flags:\n"
            ))
        #expect(help.hasSuffix("      --version        Print version number\n"))
    }
}
