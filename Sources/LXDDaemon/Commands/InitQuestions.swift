import Foundation
import LXDAPI
import LXDHTTP

/// `lxd init`'s questions, in the seed's order with LXD 5.0.2's wording and defaults: the storage
/// pool (name, backend, new or existing btrfs/lvm pool, block device or loop size), the server on
/// the network, image auto-update, the bridge, and the preseed printout.
struct InitQuestions {
    let client: HTTPClient
    let paths: DaemonPaths
    let asker: InitAsker
    var print: (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }

    static let backends = ["dir", "btrfs", "lvm"]

    func ask() throws -> InitConfig {
        var setup = InitConfig()
        var profile = InitConfig.Profile(name: "default")
        if try asker.askBool("Do you want to configure a new storage pool? (yes/no) [default=yes]: ", default: true) {
            let pool = try askPool()
            setup.pools.append(pool)
            profile.devices["root"] = ["type": "disk", "path": "/", "pool": pool.name]
        }
        if try asker.askBool("Would you like the LXD server to be available over the network? (yes/no) [default=no]: ", default: false) {
            let address = try asker.askString("Address to bind LXD to (not including port) [default=all]: ", default: "all")
            let port = try asker.askString("Port to bind LXD to [default=8443]: ", default: "8443") { text in
                Int(text).map { (1...65535).contains($0) } == true ? nil : "Invalid port number"
            }
            let host = address == "all" ? "[::]" : (address.contains(":") && !address.hasPrefix("[") ? "[\(address)]" : address)
            setup.config["core.https_address"] = "\(host):\(port)"
            setup.config["core.trust_password"] = try asker.askPassword("Trust password for new clients: ")
        }
        if !(try asker.askBool("Would you like stale cached images to be updated automatically? (yes/no) [default=yes]: ", default: true)) {
            setup.config["images.auto_update_interval"] = "0"
        }
        try askNetwork(&setup, &profile)
        setup.profiles.append(profile)
        if try asker.askBool("Would you like a YAML \"lxd init\" preseed to be printed? (yes/no) [default=no]: ", default: false) {
            print(setup.yaml + "\n")
        }
        return setup
    }

    private func askPool() throws -> InitConfig.Pool {
        let existing: [String] = (try? DaemonInit.call(client, "GET", "/1.0/storage-pools")) ?? []
        let name = try asker.askString("Name of the new storage pool [default=default]: ", default: "default") { name in
            existing.contains("/1.0/storage-pools/\(name)") ? "The requested storage pool \"\(name)\" already exists" : nil
        }
        let onBtrfs = BtrfsDriver.unavailableReason() == nil && HostStorage.isOnBtrfs(paths.root)
        let defaultBackend = onBtrfs ? "btrfs" : "dir"
        let backend = try asker.askChoice(
            "Name of the storage backend to use (\(Self.backends.joined(separator: ", "))) [default=\(defaultBackend)]: ",
            choices: Self.backends,
            default: defaultBackend)
        var pool = InitConfig.Pool(name: name, driver: backend)
        guard backend != "dir" else { return pool }
        if backend == "btrfs" && onBtrfs {
            let question = "Would you like to create a new btrfs subvolume under \(paths.root)? (yes/no) [default=yes]: "
            if try asker.askBool(question, default: true) {
                pool.config["source"] = paths.pool(name)
                return pool
            }
        }
        let label = backend == "btrfs" ? "BTRFS" : "LVM"
        if try asker.askBool("Create a new \(label) pool? (yes/no) [default=yes]: ", default: true) {
            if try asker.askBool(
                "Would you like to use an existing empty block device (e.g. a disk or partition)? (yes/no) [default=no]: ", default: false)
            {
                pool.config["source"] = try asker.askString("Path to the existing block device: ", default: nil) { path in
                    var info = stat()
                    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFBLK ? nil : "'\(path)' is not a block device"
                }
            } else {
                let size = BtrfsDriver.defaultLoopSize(for: paths.root)
                let answer = try asker.askString("Size in GiB of the new loop device (1GiB minimum) [default=\(size)]: ", default: size) {
                    text in
                    let number = text.hasSuffix("GiB") ? String(text.dropLast(3)) : text
                    return Int(number).map { $0 >= 1 } == true ? nil : "Invalid size (a number of GiB, at least 1)"
                }
                pool.config["size"] = answer.hasSuffix("GiB") ? answer : answer + "GiB"
            }
        } else {
            pool.config["source"] = try asker.askString("Name of the existing \(label) pool or dataset: ", default: nil)
        }
        return pool
    }

    /// A new bridge (its name and addresses) and an `eth0` NIC on it in the default profile, or
    /// an existing bridge or host interface as the NIC's parent.
    private func askNetwork(_ setup: inout InitConfig, _ profile: inout InitConfig.Profile) throws {
        if try asker.askBool("Would you like to create a new local network bridge? (yes/no) [default=yes]: ", default: true) {
            let name = try asker.askString("What should the new bridge be called? [default=lxdbr0]: ", default: "lxdbr0")
            let cidr: (String) -> String? = { text in
                text == "auto" || text == "none" || text.contains("/") ? nil : "Not a CIDR subnet, \"auto\" or \"none\""
            }
            let ipv4 = try asker.askString(
                "What IPv4 address should be used? (CIDR subnet notation, “auto” or “none”) [default=auto]: ", default: "auto",
                validate: cidr)
            let ipv6 = try asker.askString(
                "What IPv6 address should be used? (CIDR subnet notation, “auto” or “none”) [default=auto]: ", default: "auto",
                validate: cidr)
            setup.networks.append(InitConfig.Network(name: name, config: ["ipv4.address": ipv4, "ipv6.address": ipv6]))
            profile.devices["eth0"] = ["name": "eth0", "network": name, "type": "nic"]
            return
        }
        let question = "Would you like to configure LXD to use an existing bridge or host interface? (yes/no) [default=no]: "
        if try asker.askBool(question, default: false) {
            let parent = try asker.askString("Name of the existing bridge or host interface: ", default: nil) { name in
                FileManager.default.fileExists(atPath: "/sys/class/net/\(name)") ? nil : "The requested interface doesn't exist"
            }
            let isBridge = FileManager.default.fileExists(atPath: "/sys/class/net/\(parent)/bridge")
            profile.devices["eth0"] = ["name": "eth0", "nictype": isBridge ? "bridged" : "macvlan", "parent": parent, "type": "nic"]
        }
    }
}
