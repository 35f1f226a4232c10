import Foundation

/// The peer tool: LXD's own `lxd-benchmark` (Debian's `lxd-tools`), which drives a daemon
/// through LXD's Go client and the legacy `/1.0/containers` endpoints. Each target in turn:
/// `launch --count N --parallel P IMAGE`, `stop`, `start`, `delete`, its CSV report
/// (`--report-file`) kept, and its elapsed times copied into our table.
extension Benchmark {
    var peerGroup: String {
        "lxd-benchmark \(options.peerCount) containers, --parallel \(options.peerParallel) (its own timings, wall time)"
    }

    func peerTool() {
        guard let tool = options.peerTool, options.peerCount > 0 else { return }
        log("lxd-benchmark: \(options.peerCount) containers, --parallel \(options.peerParallel)")
        let report = options.peerReport ?? scratch + "/lxd-benchmark.csv"
        let output = scratch + "/lxd-benchmark.log"
        for (round, action) in ["launch", "stop", "start", "delete"].enumerated() {
            for target in order(round) {
                var environment = ProcessInfo.processInfo.environment
                environment["LXD_DIR"] = target.directory
                environment["LXD_SOCKET"] = nil
                var arguments = [tool, action, "--parallel", String(options.peerParallel)]
                arguments += ["--report-file", report, "--report-label", "\(target.name) \(action)"]
                if action == "launch" { arguments += ["--count", String(options.peerCount), fingerprints[target.name] ?? options.image] }
                do {
                    let status = try Spawn.run(arguments, environment: environment, output: output)
                    let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                    guard status == 0, let elapsed = Self.peerElapsed(report: report, label: "\(target.name) \(action)") else {
                        throw BenchError("lxd-benchmark \(action) exited \(status): \(text.suffix(400))")
                    }
                    results.add(peerGroup, action, via: "lxd-benchmark", unit: .milliseconds, target: target.name, value: elapsed)
                } catch {
                    results.record(peerGroup, action, via: "lxd-benchmark", unit: .milliseconds, target: target.name) { $0.failures += 1 }
                    log("\(target.name): lxd-benchmark \(action) failed: \(error)")
                }
            }
        }
        results.notes.append("lxd-benchmark's own report (CSV: timeStamp, elapsed ms, label, ...): \(report).")
        for target in options.targets {
            let leftovers = ((try? RESTDriver(target: target).instanceNames()) ?? []).filter { $0.hasPrefix("benchmark-") }
            removeAll(target, leftovers)
        }
    }

    /// The elapsed milliseconds of the last report line with `label`.
    static func peerElapsed(report: String, label: String) -> Double? {
        guard let text = try? String(contentsOfFile: report, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n").reversed() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count >= 5, fields[2] == label { return fields[4] == "true" ? Double(fields[1]) : nil }
        }
        return nil
    }
}
