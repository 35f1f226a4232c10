import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import YAML

/// `lxc init` and `lxc launch` (LXD's init.go / launch.go): create from an image, and start.
struct InitCommand: LXCCommand {
    let launch: Bool

    init(launch: Bool) { self.launch = launch }

    var spec: CommandSpec {
        var flags: [Flag] = [
            Flag("config", short: "c", .stringArray, usage: "Config key/value to apply to the new instance"),
            Flag("device", short: "d", .stringArray, usage: "New key/value to apply to a specific device"),
            Flag("empty", usage: "Create an empty instance"),
            Flag("ephemeral", short: "e", usage: "Ephemeral instance"),
            Flag("network", short: "n", .string, usage: "Network name"),
            Flag("no-profiles", usage: "Create the instance with no profiles applied"),
            Flag("profile", short: "p", .stringArray, usage: "Profile to apply to the new instance"),
            Flag("storage", short: "s", .string, usage: "Storage pool name"),
            Flag("target", .string, usage: "Cluster member name"),
            Flag("type", short: "t", .string, usage: "Instance type"),
            Flag("vm", usage: "Create a virtual machine"),
        ]
        if launch {
            flags.append(Flag("console", .string, usage: "Immediately attach to the console", noOptionDefault: "console"))
            return CommandSpec(
                name: "launch", usage: "[<remote>:]<image> [<remote>:][<name>]", short: "Create and start instances from images",
                example: """
                    lxc launch ubuntu:22.04 u1

                    lxc launch ubuntu:22.04 u1 < config.yaml
                        Create and start a container with configuration from config.yaml

                    lxc launch ubuntu:22.04 v1 --vm
                        Create and start a virtual machine
                    """, flags: flags)
        }
        return CommandSpec(
            name: "init", usage: "[<remote>:]<image> [<remote>:][<name>]", short: "Create instances from images",
            example: """
                lxc init ubuntu:22.04 u1

                lxc init ubuntu:22.04 u1 < config.yaml
                    Create the instance with configuration from config.yaml
                """, flags: flags)
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        if !launch && args.positional.isEmpty && !args.bool("empty") {
            ctx.showUsage()
            return
        }
        if launch {
            guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        } else if args.positional.count > 2 {
            ctx.showHelp()
            throw UsageError("Invalid number of arguments")
        }
        let target = args.positional.count > 1 ? try ctx.resolveRemote(args.positional[1]).remote : try ctx.clientConfig().defaultRemote
        let server = try ctx.server(remote: target)
        let name = try create(ctx, server, args)
        guard launch else { return }
        if !ctx.isQuiet { ctx.print("Starting \(name)") }
        _ = try? server.getInstance(name)
        let progress = ProgressRenderer(quiet: ctx.isQuiet, out: ctx.stdout)
        let operation = try server.updateInstanceState(name, InstanceStatePut(action: "start", timeout: -1))
        do {
            try operation.throwIfAlreadyFailed()
        } catch {
            progress.finish()
            throw error
        }
        do {
            try operation.wait { progress.update(operation: $0) }
        } catch let error as LXDError {
            progress.finish()
            // As LXD's client: the hint names the instance with its remote ("local:c1").
            throw LXDError(error.status, "\(error.message)\nTry `lxc info --show-log \(target):\(name)` for more info")
        }
        progress.finish()
    }

    /// Creates the instance; returns its name.
    func create(_ ctx: CLIContext, _ server: LXDServer, _ args: ParsedArguments) throws -> String {
        var post = InstancesPost()
        post.type = args.bool("vm") ? "virtual-machine" : "container"
        post.instanceType = args.string("type")
        post.put.ephemeral = args.bool("ephemeral")
        // A YAML document on stdin (when it is not a terminal) gives the base config.
        if isatty(0) == 0, let data = try? FileHandle.standardInput.readToEnd(), !data.isEmpty {
            let node = try YAML.parse(String(decoding: data, as: UTF8.self))
            for (key, value) in node["config"]?.pairs ?? [] { post.put.config[key] = value.string ?? "" }
            for (device, body) in node["devices"]?.pairs ?? [] {
                var entries: [String: String] = [:]
                for (key, value) in body.pairs ?? [] { entries[key] = value.string ?? "" }
                post.put.devices[device] = entries
            }
            if let profiles = node["profiles"]?.array { post.put.profiles = profiles.compactMap(\.string) }
            if let description = node["description"]?.string { post.put.description = description }
        }
        var name = args.positional.count > 1 ? try ctx.resolveRemote(args.positional[1]).name : ""
        if !ctx.isQuiet { ctx.print(name.isEmpty ? "Creating the instance" : "Creating \(name)") }
        for entry in args.strings("config") {
            guard let equals = entry.firstIndex(of: "=") else { throw UsageError("Bad key=value pair: \(entry)") }
            post.put.config[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        if args.isSet("profile") {
            post.put.profiles = args.strings("profile")
        } else if args.bool("no-profiles") {
            post.put.profiles = []
        }
        if let network = args.values["network"]?.last, !network.isEmpty {
            post.put.devices["eth0"] = ["name": "eth0", "type": "nic", "network": network]
        }
        if let pool = args.values["storage"]?.last, !pool.isEmpty {
            post.put.devices["root"] = ["type": "disk", "path": "/", "pool": pool]
        }
        if args.bool("empty") || args.positional.isEmpty {
            post.source.type = "none"
        } else {
            let (imageRemote, image) = try ctx.resolveRemote(args.positional[0])
            post.source.type = "image"
            if (try? ctx.server(remote: imageRemote)) === server {
                post.source.fingerprint = try resolveImage(server, image).fingerprint
            } else {
                post.source = try RemoteImageSource.make(ctx, remote: imageRemote, image: image)
            }
        }
        post.name = name
        let progress = ProgressRenderer(format: "Retrieving image: %s", quiet: ctx.isQuiet, out: ctx.stdout)
        let final: LXDAPI.Operation
        do {
            final = try server.createInstance(post).wait { progress.update(operation: $0) }
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        if name.isEmpty {
            let url = final.resources?["instances"]?.first ?? ""
            name = String(url.split(separator: "/").last ?? "")
            if !ctx.isQuiet { ctx.print("Instance name is: \(name)") }
        }
        // The hint LXD prints when nothing gives the instance a network.
        if let instance = try? server.getInstance(name), !instance.expandedDevices.values.contains(where: { $0["type"] == "nic" }) {
            ctx.stderr.write(
                "\nThe instance you are starting doesn't have any network attached to it.\n"
                    + "  To create a new network, use: lxc network create\n"
                    + "  To attach a network to an instance, use: lxc network attach\n\n")
        }
        return name
    }
}
