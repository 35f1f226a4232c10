import Foundation

/// The floor: what bare liblxc costs on this machine for the first target's own container.
/// An instance is created and started once through the daemon (templates applied, `lxc.conf`
/// written), stopped, and then its rootfs is started with liblxc's own tools and the daemon's
/// `lxc.conf` minus the daemon's hooks (unprivileged: the same idmap), in a private lxcpath:
/// `lxc-start` (daemonized, returns once the container runs), `lxc-attach -- true`,
/// `lxc-stop --kill`. Also `init`'s floors: unpacking the image and copying a rootfs.
extension Benchmark {
    static let floorGroup = "Floor: bare liblxc on our rootfs and lxc.conf (no daemon)"
    static let floorLabel = "bare liblxc"
    static let floorStart = "lxc-start (daemonized)"
    static let floorAttach = "lxc-attach -- true"
    static let floorStop = "lxc-stop --kill"
    static let floorUnpack = "unpack the image (tar -xpf, the daemon's export)"
    static let floorCopy = "cp -a of the unpacked rootfs"

    func floor() {
        guard options.floorIterations > 0, let lxcStart = options.lxcStart, let target = options.targets.first else { return }
        log("floor: bare liblxc, \(options.floorIterations) rounds")
        let tools = (lxcStart as NSString).deletingLastPathComponent
        let rest = RESTDriver(target: target)
        let name = "\(options.prefix)-floor"
        defer { forceRemove(rest, name) }
        let lxcpath = scratch + "/floor"
        let config = lxcpath + "/\(name).conf"
        do {
            try rest.initInstance(name, fingerprint: fingerprints[target.name] ?? "")
            try rest.start(name)
            try rest.stopForce(name)
            try FileManager.default.createDirectory(atPath: lxcpath + "/\(name)", withIntermediateDirectories: true)
            let daemonConfig = try String(contentsOfFile: target.directory + "/logs/\(name)/lxc.conf", encoding: .utf8)
            try Self.bareConfig(daemonConfig, logDirectory: lxcpath).write(toFile: config, atomically: true, encoding: .utf8)
        } catch {
            results.record(Self.floorGroup, Self.floorStart, via: "liblxc", unit: .milliseconds, target: Self.floorLabel) {
                $0.failures += 1
            }
            log("floor: cannot prepare \(name): \(error)")
            return
        }
        let base = ["-n", name, "-P", lxcpath]
        let label = Target(name: Self.floorLabel, directory: target.directory, pid: 0)
        let output = scratch + "/floor.log"
        func run(_ tool: String, _ arguments: [String]) throws {
            let path = tool.hasPrefix("/") ? tool : tools + "/" + tool
            let status = try Spawn.run([path] + arguments, environment: ProcessInfo.processInfo.environment, output: output)
            guard status == 0 else {
                let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                throw BenchError("\(tool) exited \(status): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
        for _ in 0..<options.floorIterations {
            guard timed(Self.floorGroup, Self.floorStart, via: "liblxc", label, { try run("lxc-start", base + ["-f", config]) }) else {
                break
            }
            timed(Self.floorGroup, Self.floorAttach, via: "liblxc", label, { try run("lxc-attach", base + ["--", "true"]) })
            guard timed(Self.floorGroup, Self.floorStop, via: "liblxc", label, { try run("lxc-stop", base + ["--kill"]) }) else { break }
        }
        // init's floors: unpacking the image (what a `dir` pool without a cached volume does for
        // each instance, LXD's too) and copying an unpacked rootfs (what one with a cache does).
        let image = scratch + "/floor-image"
        do {
            let response = try target.http.request("GET", "/1.0/images/\(fingerprints[target.name] ?? "")/export")
            guard response.status == 200, FileManager.default.createFile(atPath: image, contents: response.body) else {
                throw BenchError("HTTP \(response.status)")
            }
        } catch {
            log("floor: cannot export the image: \(error)")
            return
        }
        for round in 0..<options.floorIterations {
            let unpacked = scratch + "/floor-unpacked\(round)"
            let copy = scratch + "/floor-copy\(round)"
            try? FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
            timed(
                Self.floorGroup, Self.floorUnpack, via: "GNU tar", label,
                { try run("/bin/tar", ["--numeric-owner", "-xpf", image, "-C", unpacked]) })
            timed(Self.floorGroup, Self.floorCopy, via: "coreutils", label, { try run("/bin/cp", ["-a", unpacked + "/rootfs", copy]) })
            try? FileManager.default.removeItem(atPath: copy)
            try? FileManager.default.removeItem(atPath: unpacked)
        }
    }

    /// The daemon's `lxc.conf` without its hooks (they call back into the daemon) and with the
    /// logs in `logDirectory`.
    static func bareConfig(_ config: String, logDirectory: String) throws -> String {
        var lines: [String] = []
        var hasRootfs = false
        for line in config.split(separator: "\n", omittingEmptySubsequences: false) {
            let key = line.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            switch key {
            case _ where key.hasPrefix("lxc.hook."): continue
            case "lxc.log.file": lines.append("lxc.log.file = \(logDirectory)/lxc.log")
            case "lxc.console.logfile": lines.append("lxc.console.logfile = \(logDirectory)/console.log")
            case "lxc.rootfs.path":
                hasRootfs = true
                lines.append(String(line))
            default: lines.append(String(line))
            }
        }
        guard hasRootfs else { throw BenchError("no lxc.rootfs.path in the daemon's lxc.conf") }
        return lines.joined(separator: "\n")
    }
}
