import Foundation
import Synchronization

/// Parallel launches (init + start through the REST API) and the running instances the
/// throughput and memory steps need.
extension Benchmark {
    static let launchesGroup = "Parallel launches (init + start through the REST API, wall time)"

    static func launchesName(_ count: Int, batch: Int) -> String { "\(count) launches, batches of \(batch)" }

    static func rssLaunchedName(_ count: Int) -> String { "RSS with \(count) running (after the parallel launches)" }

    /// For each batch size and target (alternating): `launches` instances launched `batch` at a
    /// time, each batch waited for before the next (lxd-benchmark's `--parallel`), timed as a
    /// whole; then the daemon's memory with them running; then they are deleted (untimed).
    func parallelLaunches() {
        guard options.launches > 0 else { return }
        for (round, batch) in options.batchSizes.enumerated() {
            log("\(options.launches) parallel launches in batches of \(batch)")
            for target in order(round) {
                let names = (0..<options.launches).map { String(format: "%@-p%03d", options.prefix, $0) }
                let name = Self.launchesName(options.launches, batch: batch)
                timed(Self.launchesGroup, name, via: Self.rest, target) { try launch(target, names, batch: batch) }
                usleep(1_000_000)  // let the containers' init settle
                sampleMemory(label: Self.rssLaunchedName(options.launches), only: target)
                removeAll(target, names)
            }
        }
    }

    /// Creates and starts `names` on `target`, `batch` at a time; the first failure throws (after
    /// its batch finished).
    func launch(_ target: Target, _ names: [String], batch: Int) throws {
        let rest = RESTDriver(target: target)
        let fingerprint = fingerprints[target.name] ?? ""
        let firstError = Mutex<String?>(nil)
        for start in stride(from: 0, to: names.count, by: batch) {
            let slice = Array(names[start..<min(start + batch, names.count)])
            Threads.run(count: slice.count) { index in
                do {
                    try rest.initInstance(slice[index], fingerprint: fingerprint)
                    try rest.start(slice[index])
                } catch {
                    firstError.withLock { $0 = $0 ?? "\(slice[index]): \(error)" }
                }
            }
            if let error = firstError.withLock({ $0 }) { throw BenchError(error) }
        }
    }

    /// Grows each target's set of running instances to `count`, ten at a time (untimed).
    func populate(_ count: Int) throws {
        log("starting instances up to \(count) per daemon")
        for target in options.targets {
            let have = fill[target.name]?.count ?? 0
            guard count > have else { continue }
            let names = (have..<count).map { String(format: "%@-fill%03d", options.prefix, $0) }
            do {
                try launch(target, names, batch: 10)
            } catch {
                throw BenchError("\(target.name): starting instances: \(error)")
            }
            fill[target.name, default: []] += names
        }
        usleep(1_000_000)  // let the containers' init settle before measuring
    }
}
