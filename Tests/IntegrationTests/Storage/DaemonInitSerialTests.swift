import Foundation
import LXDAPI
import LXDOS
import LXDTestSupport
import Testing

/// `lxd init`: the seed's questions answered through a pty, `--auto` with its storage flags,
/// `--preseed` and `--dump`.
@Suite(.serialized, .enabled(if: containersAvailable))
struct DaemonInitSerialTests {
    /// Runs `lxd init` on a pty and answers each prompt (a line ending in ": ") with the next
    /// answer; returns everything the command wrote and its exit status.
    static func answer(_ f: DaemonFixture, _ answers: [String]) throws -> (output: String, status: Int32) {
        let pty = try PTY.open(width: 200, height: 50)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: f.lxd)
        process.arguments = ["init"]
        process.environment = f.environment
        let slave = FileHandle(fileDescriptor: pty.slave.rawValue, closeOnDealloc: false)
        process.standardInput = slave
        process.standardOutput = slave
        process.standardError = slave
        try process.run()
        try? pty.slave.close()
        defer { try? pty.master.close() }
        var output = ""
        var pending = answers[...]
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            var poller = pollfd(fd: pty.master.rawValue, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if ready > 0 {
                let count = read(pty.master.rawValue, &buffer, buffer.count)
                if count <= 0 { break }
                output += String(decoding: buffer[0..<count], as: UTF8.self)
                continue
            }
            // Quiet: a prompt waits for its answer (or the command has finished).
            if output.hasSuffix(": "), let next = pending.popFirst() {
                _ = next.withCString { write(pty.master.rawValue, $0, strlen($0)) }
                _ = write(pty.master.rawValue, "\n", 1)
            } else if !process.isRunning {
                break
            }
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (output.replacingOccurrences(of: "\r\n", with: "\n"), process.terminationStatus)
    }

    @Test func interactiveBtrfsOnALoopFileAsInTheSeed() async throws {
        try await DaemonFixture.with(withImage: false, initialize: false) { f in
            let pool = f.name("pool")
            let result = try Self.answer(f, ["", pool, "btrfs", "", "", "2", "", "no", "no", "", "maybe", "yes"])
            #expect(result.status == 0, "\(result.output)")
            let expected = [
                "Do you want to configure a new storage pool? (yes/no) [default=yes]: \n",
                "Name of the new storage pool [default=default]: \(pool)\n",
                "Name of the storage backend to use (dir, btrfs, lvm) [default=dir]: btrfs\n",
                "Create a new BTRFS pool? (yes/no) [default=yes]: \n",
                "Would you like to use an existing empty block device (e.g. a disk or partition)? (yes/no) [default=no]: \n",
                "Size in GiB of the new loop device (1GiB minimum) [default=",
                "Would you like the LXD server to be available over the network? (yes/no) [default=no]: \n",
                "Would you like stale cached images to be updated automatically? (yes/no) [default=yes]: no\n",
                "Would you like to create a new local network bridge? (yes/no) [default=yes]: no\n",
                "Would you like to configure LXD to use an existing bridge or host interface? (yes/no) [default=no]: \n",
                "Would you like a YAML \"lxd init\" preseed to be printed? (yes/no) [default=no]: maybe\nInvalid input, try again.\n\n",
                "storage_pools:\n- config:\n    size: 2GiB\n  description: \"\"\n  name: \(pool)\n  driver: btrfs\n",
            ]
            var rest = Substring(result.output)
            for line in expected {
                let found = rest.range(of: line)
                #expect(found != nil, "missing, in order: \(line)\nin: \(result.output)")
                if let found { rest = rest[found.upperBound...] }
            }
            let pools = try f.lxc(["storage", "list", "--format", "csv"]).check().stdout
            #expect(pools == "\(pool),btrfs,\(f.directory)/disks/\(pool).img,,1,CREATED\n")
            #expect(try f.lxc(["profile", "device", "get", "default", "root", "pool"]).check().stdout == "\(pool)\n")
            #expect(try f.lxc(["config", "get", "images.auto_update_interval"]).check().stdout == "0\n")
            #expect(try f.lxc(["storage", "info", pool]).check().stdout.contains("total space: 2.00GiB"))
        }
    }

    @Test func interactiveDefaultsMakeADirPool() async throws {
        try await DaemonFixture.with(withImage: false, initialize: false) { f in
            let result = try Self.answer(f, ["", "", "", "", "", "no", "", ""])
            #expect(result.status == 0, "\(result.output)")
            #expect(!result.output.contains("Create a new BTRFS pool"))
            #expect(try f.lxc(["storage", "list", "--format", "csv"]).check().stdout.hasPrefix("default,dir,"))
            #expect(try f.lxc(["profile", "show", "default"]).check().stdout.contains("pool: default"))
        }
    }

    /// A new bridge: in the daemon's own network namespace (the fixture's), never the host's.
    @Test func interactiveNewBridge() async throws {
        try await DaemonFixture.with(withImage: false, network: true, initialize: false) { f in
            let bridge = "br" + f.prefix.suffix(6)
            let result = try Self.answer(f, ["", "", "dir", "", "", "yes", bridge, "10.123.45.1/24", "none", ""])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("What should the new bridge be called? [default=lxdbr0]: \(bridge)\n"))
            #expect(try f.lxc(["network", "get", bridge, "ipv4.address"]).check().stdout == "10.123.45.1/24\n")
            #expect(try f.lxc(["profile", "device", "get", "default", "eth0", "network"]).check().stdout == "\(bridge)\n")
        }
    }

    /// `--auto` makes `lxdbr0` as LXD does: only in the fixture's own network namespace.
    @Test func autoPreseedAndDump() async throws {
        try await DaemonFixture.with(withImage: false, network: true, initialize: false) { f in
            try runCommand(
                f.lxd, ["init", "--auto", "--storage-backend", "btrfs", "--storage-create-loop", "1"], environment: f.environment
            )
            .check()
            #expect(try f.lxc(["storage", "get", "default", "size"]).check().stdout == "1GiB\n")
            let again = try runCommand(f.lxd, ["init", "--auto"], environment: f.environment)
            #expect(again.status == 1)
            #expect(again.stderr == "Error: Failed to create local member configuration: Storage has already been configured\n")

            let preseed = """
                config:
                  images.auto_update_interval: "12"
                storage_pools:
                - name: \(f.name("extra"))
                  driver: dir
                  config:
                    user.from: preseed
                profiles:
                - name: \(f.name("prof"))
                  devices:
                    root:
                      path: /
                      pool: \(f.name("extra"))
                      type: disk

                """
            try runCommand(f.lxd, ["init", "--preseed"], environment: f.environment, stdin: Data(preseed.utf8)).check()
            let dump = try runCommand(f.lxd, ["init", "--dump"], environment: f.environment).check().stdout
            // (A key at its default, "6", is not shown, as LXD 5.0.2 does.)
            #expect(dump.hasPrefix("config:\n  images.auto_update_interval: \"12\"\nnetworks:\n- config:\n"))
            #expect(dump.contains("  name: lxdbr0\n  type: bridge\n"))
            #expect(
                dump.contains(
                    "- config:\n    size: 1GiB\n    source: \(f.directory)/disks/default.img\n  description: \"\"\n  name: default\n  driver: btrfs\n"
                ))
            #expect(dump.contains("    user.from: preseed\n  description: \"\"\n  name: \(f.name("extra"))\n  driver: dir\n"))
            #expect(dump.contains("name: \(f.name("prof"))"))

            let bad = try runCommand(f.lxd, ["init", "--auto", "--storage-backend", "zfs"], environment: f.environment)
            #expect(bad.status == 1)
            let mixed = try runCommand(f.lxd, ["init", "--storage-backend", "dir"], environment: f.environment)
            #expect(mixed.stderr == "Error: Configuration flags require --auto\n")
        }
    }
}
