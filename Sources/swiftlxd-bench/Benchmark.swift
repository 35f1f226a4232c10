import Foundation
import Glibc

/// One run: memory, lifecycle through the REST API and each client, snapshot/copy, the bare
/// liblxc floor, throughput at each instance count, parallel launches, and the peer tool
/// `lxd-benchmark`. Every per-round step alternates the daemons' order (A B, B A, ...) so
/// that drift on the shared machine falls on both.
final class Benchmark {
    let options: BenchOptions
    var results = Results()
    let scratch: String
    var fingerprints: [String: String] = [:]
    /// Instances the run keeps running for the throughput and RSS steps, per target.
    var fill: [String: [String]] = [:]
    /// Set once a target answered "not implemented" to a row's operation: skip it from then on.
    private var unsupported: Set<String> = []

    // Row names the report's target summary looks up.
    static let rest = "REST"
    static let lifecycle = "Lifecycle"
    static let initName = "init (cached image)"
    static let startName = "start"
    static let execName = "exec -- true"
    static let execNoWebSocketName = "exec -- true (no websocket, record-output=false)"
    static let stopName = "stop --force"
    static let snapshotName = "snapshot (stopped)"
    static let copyName = "copy (stopped, instance only)"
    static let deleteName = "delete"
    static let memory = "Memory"
    static let rssIdleFresh = "RSS idle (fresh daemon)"
    static let rssIdleAfter = "RSS idle (after the lifecycle rounds)"
    static let rssFloor = "floor: the daemon's binary idle (`waitready` on an empty LXD_DIR)"

    init(options: BenchOptions) throws {
        self.options = options
        var template = Array("/tmp/swiftlxd-bench-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("mkdtemp failed") }
        scratch = String(cString: made)
        chmod(scratch, 0o755)  // the floor's unprivileged container root must traverse it
        results.targets = options.targets.map(\.name)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// The targets in round `round`'s order.
    func order(_ round: Int) -> [Target] {
        round % 2 == 0 ? options.targets : options.targets.reversed()
    }

    func log(_ message: String) {
        FileHandle.standardError.write(Data("swiftlxd-bench: \(message)\n".utf8))
    }

    // MARK: The run

    func run() throws {
        let clock = ContinuousClock()
        let started = clock.now
        results.machine = Machine.describe(options.targets)
        for target in options.targets {
            let rest = RESTDriver(target: target)
            fingerprints[target.name] = try rest.imageFingerprint(alias: options.image)
            let leftovers = try rest.instanceNames().filter { $0.hasPrefix(options.prefix + "-") || $0.hasPrefix("benchmark-") }
            guard leftovers.isEmpty else {
                throw BenchError(
                    "\(target.name) already has instances named \(options.prefix)-* or benchmark-*: \(leftovers.joined(separator: " "))")
            }
        }
        sampleMemory(label: Self.rssIdleFresh)
        for target in options.targets {
            guard let binary = options.idleBinaries[target.name] else { continue }
            if let rss = Memory.idleRSS(binary: binary, scratch: scratch) {
                results.add(Self.memory, Self.rssFloor, via: "VmRSS", unit: .mebibytes, target: target.name, value: rss)
            } else {
                results.record(Self.memory, Self.rssFloor, via: "VmRSS", unit: .mebibytes, target: target.name) { $0.failures += 1 }
            }
        }
        log("warm-up")
        for target in options.targets { _ = restCycle(target, name: "\(options.prefix)-warm", record: false) }
        log("lifecycle through the REST API, \(options.iterations) rounds")
        for round in 0..<options.iterations {
            for target in order(round) { _ = restCycle(target, name: "\(options.prefix)-r\(round)", record: true) }
        }
        for client in options.clis {
            log("lifecycle through \(client.path), \(options.cliIterations) rounds")
            for round in 0..<options.cliIterations {
                for target in order(round) { cliCycle(target, client: client, name: "\(options.prefix)-c\(round)") }
            }
        }
        snapshotsAndCopies()
        floor()
        sampleMemory(label: Self.rssIdleAfter)
        for count in options.instanceCounts where count == 0 {
            log("throughput with 0 instances")
            throughput(instances: 0)
        }
        parallelLaunches()
        for count in options.instanceCounts where count > 0 {
            try populate(count)
            sampleMemory(label: "RSS with \(count) running")
            log("throughput with \(count) instances")
            throughput(instances: count)
        }
        cleanUp()
        peerTool()
        results.notes.append(
            "Run took \(Int(Timing.milliseconds(started.duration(to: clock.now)) / 1000)) s; load average (1, 5, 15 min) at the end: \(Machine.loadAverages())."
        )
    }

    // MARK: Steps

    /// Times `body` into row `name`; false (and a failure or "not implemented" mark) if it threw.
    @discardableResult
    func timed(_ group: String, _ name: String, via: String, _ target: Target, record: Bool = true, _ body: () throws -> Void) -> Bool {
        let key = "\(group)|\(name)|\(via)|\(target.name)"
        if unsupported.contains(key) { return false }
        do {
            let ((), milliseconds) = try Timing.measure(body)
            if record { results.add(group, name, via: via, unit: .milliseconds, target: target.name, value: milliseconds) }
            return true
        } catch let error as NotImplemented {
            unsupported.insert(key)
            results.record(group, name, via: via, unit: .milliseconds, target: target.name) { $0.notImplemented = true }
            log("\(target.name): \(name): not implemented (\(error))")
            return false
        } catch {
            if record { results.record(group, name, via: via, unit: .milliseconds, target: target.name) { $0.failures += 1 } }
            log("\(target.name): \(name) (\(via)) failed: \(error)")
            return false
        }
    }

    /// init, start, exec (websockets, as `lxc exec`), exec (no websocket), stop --force, delete.
    func restCycle(_ target: Target, name: String, record: Bool) -> Bool {
        let rest = RESTDriver(target: target)
        let group = Self.lifecycle
        let fingerprint = fingerprints[target.name] ?? ""
        defer { forceRemove(rest, name) }
        guard
            timed(group, Self.initName, via: Self.rest, target, record: record, { try rest.initInstance(name, fingerprint: fingerprint) }),
            timed(group, Self.startName, via: Self.rest, target, record: record, { try rest.start(name) }),
            timed(group, Self.execName, via: Self.rest, target, record: record, { try expectZero(rest.execWebSocket(name, ["true"])) }),
            timed(
                group, Self.execNoWebSocketName, via: Self.rest, target, record: record,
                { try expectZero(rest.execNoWebSocket(name, ["true"])) }),
            timed(group, Self.stopName, via: Self.rest, target, record: record, { try rest.stopForce(name) }),
            timed(group, Self.deleteName, via: Self.rest, target, record: record, { try rest.delete(name) })
        else { return false }
        return true
    }

    /// The row label of a client: "lxc (Debian)".
    static func via(_ client: BenchOptions.Client) -> String { "lxc (\(client.name))" }

    /// The same through a client binary, one process per step.
    func cliCycle(_ target: Target, client: BenchOptions.Client, name: String) {
        let cli = CLIDriver(target: target, lxc: client.path, scratch: scratch)
        let rest = RESTDriver(target: target)
        let group = Self.lifecycle
        let via = Self.via(client)
        defer { forceRemove(rest, name) }
        _ =
            timed(group, Self.initName, via: via, target, { try cli.run(["init", options.image, name]) })
            && timed(group, Self.startName, via: via, target, { try cli.run(["start", name]) })
            && timed(group, Self.execName, via: via, target, { try cli.run(["exec", name, "--", "true"]) })
            && timed(group, Self.stopName, via: via, target, { try cli.run(["stop", "--force", name]) })
            && timed(group, Self.deleteName, via: via, target, { try cli.run(["delete", name]) })
    }

    /// `snapshot` of a stopped instance and `copy` (stopped, instance only), through the REST API
    /// and each client.
    func snapshotsAndCopies() {
        guard options.snapshotIterations > 0 else { return }
        log("snapshot and copy, \(options.snapshotIterations) rounds")
        let group = Self.lifecycle
        let source = "\(options.prefix)-src"
        for target in options.targets {
            let rest = RESTDriver(target: target)
            do { try rest.initInstance(source, fingerprint: fingerprints[target.name] ?? "") } catch {
                log("\(target.name): cannot create \(source): \(error)")
            }
        }
        for round in 0..<options.snapshotIterations {
            for target in order(round) {
                let rest = RESTDriver(target: target)
                let copy = "\(options.prefix)-copy\(round)"
                if timed(group, Self.snapshotName, via: Self.rest, target, { try rest.snapshot(source, as: "s\(round)") }) {
                    try? rest.deleteSnapshot(source, "s\(round)")
                }
                timed(group, Self.copyName, via: Self.rest, target, { try rest.copy(source, to: copy) })
                forceRemove(rest, copy)
                for (index, client) in options.clis.enumerated() {
                    let cli = CLIDriver(target: target, lxc: client.path, scratch: scratch)
                    let via = Self.via(client)
                    let snapshot = "c\(index)r\(round)"
                    if timed(group, Self.snapshotName, via: via, target, { try cli.run(["snapshot", source, snapshot]) }) {
                        try? rest.deleteSnapshot(source, snapshot)
                    }
                    timed(group, Self.copyName, via: via, target, { try cli.run(["copy", source, copy, "--instance-only"]) })
                    forceRemove(rest, copy)
                }
            }
        }
        for target in options.targets { forceRemove(RESTDriver(target: target), source) }
    }

    /// The name of a throughput row.
    static func throughputName(_ path: String, instances: Int) -> String { "GET \(path), \(instances) instances" }
    static let throughputPaths = ["/1.0", "/1.0/instances?recursion=2"]
    var throughputGroup: String { "Throughput, \(options.clients) concurrent clients" }

    /// GET /1.0 and GET /1.0/instances?recursion=2, `rounds` times per target, alternating.
    func throughput(instances count: Int) {
        for path in Self.throughputPaths {
            for round in 0..<options.rounds {
                for target in order(round) {
                    let result = Throughput.measure(target, path: path, clients: options.clients, seconds: options.seconds)
                    let name = Self.throughputName(path, instances: count)
                    results.add(
                        throughputGroup, name, via: Self.rest, unit: .requestsPerSecond, target: target.name,
                        value: result.requestsPerSecond)
                    if result.failures > 0 {
                        results.record(throughputGroup, name, via: Self.rest, unit: .requestsPerSecond, target: target.name) {
                            $0.failures += result.failures
                        }
                        log("\(target.name): \(path): \(result.failures) failed requests")
                    }
                }
            }
        }
    }

    /// Five samples of each daemon's memory, 100 ms apart: the daemon process's VmRSS (the
    /// target figure) and, beside it, the `[lxc monitor]` processes of its containers and the
    /// daemon's own children (our spare helpers).
    func sampleMemory(label: String, only: Target? = nil) {
        for sample in 0..<5 {
            for target in order(sample) where only == nil || only?.name == target.name {
                if let rss = Memory.rss(pid: target.pid) {
                    results.add(Self.memory, label, via: Memory.daemonVia, unit: .mebibytes, target: target.name, value: rss)
                } else {
                    results.record(Self.memory, label, via: Memory.daemonVia, unit: .mebibytes, target: target.name) { $0.failures += 1 }
                }
                let monitors = Memory.monitorsRSS(lxcpath: target.directory + "/containers")
                if monitors.count > 0 {
                    results.add(
                        Self.memory, label, via: Memory.monitorsVia(monitors.count), unit: .mebibytes, target: target.name,
                        value: monitors.mebibytes)
                }
                let children = Memory.childrenRSS(parent: target.pid)
                if children.count > 0 {
                    results.add(
                        Self.memory, label, via: Memory.childrenVia(children.count), unit: .mebibytes, target: target.name,
                        value: children.mebibytes)
                }
            }
            usleep(100_000)
        }
    }

    /// Stops and deletes everything this run created on every target.
    func cleanUp() {
        log("cleaning up")
        for target in options.targets {
            let names = ((try? RESTDriver(target: target).instanceNames()) ?? []).filter { $0.hasPrefix(options.prefix + "-") }
            removeAll(target, names)
        }
        fill = [:]
    }

    /// Removes instances ten at a time (untimed).
    func removeAll(_ target: Target, _ names: [String]) {
        let rest = RESTDriver(target: target)
        for start in stride(from: 0, to: names.count, by: 10) {
            let batch = Array(names[start..<min(start + 10, names.count)])
            Threads.run(count: batch.count) { index in Benchmark.forceRemove(rest, batch[index]) }
        }
    }

    /// Best effort: stop --force and delete, ignoring errors (it may not exist).
    func forceRemove(_ rest: RESTDriver, _ name: String) { Self.forceRemove(rest, name) }

    static func forceRemove(_ rest: RESTDriver, _ name: String) {
        guard let status = try? rest.status(name) else { return }
        if status != "Stopped" { try? rest.stopForce(name) }
        try? rest.delete(name)
    }
}

func expectZero(_ status: Int) throws {
    guard status == 0 else { throw BenchError("exit status \(status), expected 0") }
}
