import Foundation
import Glibc

/// One run: memory, lifecycle through the REST API and the CLI, snapshot/copy, throughput at
/// each instance count. Every per-round step alternates the daemons' order (A B, B A, ...) so
/// that drift on the shared machine falls on both.
final class Benchmark {
    let options: BenchOptions
    var results = Results()
    private let scratch: String
    private var fingerprints: [String: String] = [:]
    /// Instances the run keeps running for the throughput and RSS steps, per target.
    private var fill: [String: [String]] = [:]
    /// Set once a target answered "not implemented" to a row's operation: skip it from then on.
    private var unsupported: Set<String> = []

    static let rest = "REST"
    static let cli = "lxc"

    init(options: BenchOptions) throws {
        self.options = options
        var template = Array("/tmp/swiftlxd-bench-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("mkdtemp failed") }
        scratch = String(cString: made)
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
        for target in options.targets {
            let rest = RESTDriver(target: target)
            fingerprints[target.name] = try rest.imageFingerprint(alias: options.image)
            let leftovers = try rest.instanceNames().filter { $0.hasPrefix(options.prefix + "-") }
            guard leftovers.isEmpty else {
                throw BenchError("\(target.name) already has instances named \(options.prefix)-*: \(leftovers.joined(separator: " "))")
            }
        }
        sampleMemory(label: "RSS idle (fresh daemon)")
        log("warm-up")
        for target in options.targets { _ = restCycle(target, name: "\(options.prefix)-warm", record: false) }
        log("lifecycle through the REST API, \(options.iterations) rounds")
        for round in 0..<options.iterations {
            for target in order(round) { _ = restCycle(target, name: "\(options.prefix)-r\(round)", record: true) }
        }
        if let lxc = options.lxc {
            log("lifecycle through \(lxc), \(options.cliIterations) rounds")
            for round in 0..<options.cliIterations {
                for target in order(round) { cliCycle(target, lxc: lxc, name: "\(options.prefix)-c\(round)") }
            }
        }
        snapshotsAndCopies()
        sampleMemory(label: "RSS idle (after the lifecycle rounds)")
        for count in options.instanceCounts {
            try populate(count)
            if count > 0 { sampleMemory(label: "RSS with \(count) running") }
            log("throughput with \(count) instances")
            throughput(instances: count)
        }
        cleanUp()
        results.notes.append(
            "Run took \(Int(Timing.milliseconds(started.duration(to: clock.now)) / 1000)) s on \(ProcessInfo.processInfo.activeProcessorCount) cores."
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
            log("\(target.name): \(name) failed: \(error)")
            return false
        }
    }

    /// init, start, exec (websockets), exec (no websocket), stop --force, delete.
    func restCycle(_ target: Target, name: String, record: Bool) -> Bool {
        let rest = RESTDriver(target: target)
        let group = "Lifecycle"
        let fingerprint = fingerprints[target.name] ?? ""
        defer { forceRemove(rest, name) }
        guard
            timed(
                group, "init (cached image)", via: Self.rest, target, record: record,
                { try rest.initInstance(name, fingerprint: fingerprint) }),
            timed(group, "start", via: Self.rest, target, record: record, { try rest.start(name) }),
            timed(
                group, "exec -- true (websockets: control + 0/1/2)", via: Self.rest, target, record: record,
                { try expectZero(rest.execWebSocket(name, ["true"])) }),
            timed(
                group, "exec -- true (no websocket, record-output=false)", via: Self.rest, target, record: record,
                { try expectZero(rest.execNoWebSocket(name, ["true"])) }),
            timed(group, "stop --force", via: Self.rest, target, record: record, { try rest.stopForce(name) }),
            timed(group, "delete", via: Self.rest, target, record: record, { try rest.delete(name) })
        else { return false }
        return true
    }

    /// The same through the CLI, one `lxc` process per step.
    func cliCycle(_ target: Target, lxc: String, name: String) {
        let cli = CLIDriver(target: target, lxc: lxc, scratch: scratch)
        let rest = RESTDriver(target: target)
        let group = "Lifecycle"
        defer { forceRemove(rest, name) }
        _ =
            timed(group, "init (cached image)", via: Self.cli, target, { try cli.run(["init", options.image, name]) })
            && timed(group, "start", via: Self.cli, target, { try cli.run(["start", name]) })
            && timed(group, "exec -- true", via: Self.cli, target, { try cli.run(["exec", name, "--", "true"]) })
            && timed(group, "stop --force", via: Self.cli, target, { try cli.run(["stop", "--force", name]) })
            && timed(group, "delete", via: Self.cli, target, { try cli.run(["delete", name]) })
    }

    /// `snapshot` of a stopped instance and `copy` (stopped, instance only), through both ways.
    func snapshotsAndCopies() {
        guard options.snapshotIterations > 0 else { return }
        log("snapshot and copy, \(options.snapshotIterations) rounds")
        let group = "Lifecycle"
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
                if timed(group, "snapshot (stopped)", via: Self.rest, target, { try rest.snapshot(source, as: "s\(round)") }) {
                    try? rest.deleteSnapshot(source, "s\(round)")
                }
                timed(group, "copy (stopped, instance only)", via: Self.rest, target, { try rest.copy(source, to: copy) })
                forceRemove(rest, copy)
                guard let lxc = options.lxc else { continue }
                let cli = CLIDriver(target: target, lxc: lxc, scratch: scratch)
                if timed(group, "snapshot (stopped)", via: Self.cli, target, { try cli.run(["snapshot", source, "c\(round)"]) }) {
                    try? rest.deleteSnapshot(source, "c\(round)")
                }
                timed(
                    group, "copy (stopped, instance only)", via: Self.cli, target,
                    { try cli.run(["copy", source, copy, "--instance-only"]) })
                forceRemove(rest, copy)
            }
        }
        for target in options.targets { forceRemove(RESTDriver(target: target), source) }
    }

    /// Grows each target's set of running instances to `count` (created alternately, untimed).
    func populate(_ count: Int) throws {
        let missing = count - (fill[options.targets[0].name]?.count ?? 0)
        guard missing > 0 else { return }
        log("starting instances up to \(count) per daemon")
        for _ in 0..<missing {
            let index = fill[options.targets[0].name]?.count ?? 0
            for target in order(index) {
                let rest = RESTDriver(target: target)
                let name = String(format: "%@-fill%03d", options.prefix, index)
                do {
                    try rest.initInstance(name, fingerprint: fingerprints[target.name] ?? "")
                    try rest.start(name)
                } catch {
                    forceRemove(rest, name)
                    throw BenchError("\(target.name): starting \(name): \(error)")
                }
                fill[target.name, default: []].append(name)
            }
        }
        // Let the containers' init settle before measuring.
        usleep(1_000_000)
    }

    /// GET /1.0 and GET /1.0/instances?recursion=2, `rounds` times per target, alternating.
    func throughput(instances count: Int) {
        let group = "Throughput, \(options.clients) clients"
        for path in ["/1.0", "/1.0/instances?recursion=2"] {
            for round in 0..<options.rounds {
                for target in order(round) {
                    let result = Throughput.measure(target, path: path, clients: options.clients, seconds: options.seconds)
                    let name = "GET \(path), \(count) instances"
                    results.add(group, name, via: Self.rest, unit: .requestsPerSecond, target: target.name, value: result.requestsPerSecond)
                    if result.failures > 0 {
                        results.record(group, name, via: Self.rest, unit: .requestsPerSecond, target: target.name) {
                            $0.failures += result.failures
                        }
                        log("\(target.name): \(path): \(result.failures) failed requests")
                    }
                }
            }
        }
    }

    /// Five samples of each daemon's VmRSS, 100 ms apart.
    func sampleMemory(label: String) {
        for sample in 0..<5 {
            for target in order(sample) {
                if let rss = Memory.rss(pid: target.pid) {
                    results.add("Memory", label, via: "VmRSS", unit: .mebibytes, target: target.name, value: rss)
                } else {
                    results.record("Memory", label, via: "VmRSS", unit: .mebibytes, target: target.name) { $0.failures += 1 }
                }
            }
            usleep(100_000)
        }
    }

    /// Stops and deletes everything this run created on every target.
    func cleanUp() {
        log("cleaning up")
        for target in options.targets {
            let rest = RESTDriver(target: target)
            for name in (try? rest.instanceNames()) ?? [] where name.hasPrefix(options.prefix + "-") {
                forceRemove(rest, name)
            }
        }
        fill = [:]
    }

    /// Best effort: stop --force and delete, ignoring errors (it may not exist).
    func forceRemove(_ rest: RESTDriver, _ name: String) {
        guard let status = try? rest.status(name) else { return }
        if status != "Stopped" { try? rest.stopForce(name) }
        try? rest.delete(name)
    }
}

private func expectZero(_ status: Int) throws {
    guard status == 0 else { throw BenchError("exit status \(status), expected 0") }
}
