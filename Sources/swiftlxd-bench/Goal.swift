import Foundation

/// One of issue 5's targets, judged on one run (ratio first target / second target, medians).
struct Goal: Sendable {
    var target: String
    var figure: String
    /// nil when the run did not measure it.
    var met: Bool?

    /// The targets: every per-operation median ≤ 0.5× the reference's; `start` within 1.5× the
    /// bare `lxc-start` floor; listing the most instances measured ≥ 5× the reference's
    /// requests/s; parallel launches ≤ 0.5× its wall time; daemon RSS ≤ 0.25× its RSS.
    static func evaluate(_ results: Results, _ options: BenchOptions) -> [Goal] {
        guard results.targets.count >= 2 else { return [] }
        let ours = results.targets[0]
        let theirs = results.targets[1]
        var goals: [Goal] = []
        func ratio(_ row: Row) -> Double? {
            guard let a = row.samples[ours]?.median, let b = row.samples[theirs]?.median, b > 0 else { return nil }
            return a / b
        }
        func ratioGoal(_ target: String, _ row: Row?, limit: Double, atMost: Bool) {
            guard let row, let value = ratio(row) else {
                goals.append(Goal(target: target, figure: "–", met: nil))
                return
            }
            let unit = row.unit.rawValue
            let a = row.samples[ours]?.median.map { Report.format($0, row.unit) } ?? "?"
            let b = row.samples[theirs]?.median.map { Report.format($0, row.unit) } ?? "?"
            let figure = String(format: "%.2f (%@ %@ vs %@ %@)", value, a, unit, b, unit)
            goals.append(Goal(target: target, figure: figure, met: atMost ? value <= limit : value >= limit))
        }

        for row in results.rows where row.group == Benchmark.lifecycle {
            ratioGoal("\(row.name) (\(row.via)) median ≤ 0.5× \(theirs)", row, limit: 0.5, atMost: true)
        }

        let start = results.median(Benchmark.lifecycle, Benchmark.startName, via: Benchmark.rest, target: ours)
        let floor = results.median(Benchmark.floorGroup, Benchmark.floorStart, via: "liblxc", target: Benchmark.floorLabel)
        if let start, let floor, floor > 0 {
            let value = start / floor
            goals.append(
                Goal(
                    target: "start (REST) within 1.5× bare lxc-start",
                    figure: String(format: "%.2f× (%.1f ms vs %.1f ms)", value, start, floor), met: value <= 1.5))
        } else {
            goals.append(Goal(target: "start (REST) within 1.5× bare lxc-start", figure: "–", met: nil))
        }

        let throughput = results.rows.filter { $0.group.hasPrefix("Throughput") }
        let listing = "/1.0/instances?recursion=2"
        if let most = options.instanceCounts.max() {
            let name = Benchmark.throughputName(listing, instances: most)
            ratioGoal(
                "GET \(listing) with \(most) instances ≥ 5× \(theirs)'s req/s", throughput.first { $0.name == name }, limit: 5,
                atMost: false)
        }
        for batch in options.batchSizes where options.launches > 0 {
            let row = results.row(Benchmark.launchesGroup, Benchmark.launchesName(options.launches, batch: batch), via: Benchmark.rest)
            ratioGoal(
                "\(options.launches) parallel launches, batches of \(batch) ≤ 0.5× \(theirs)'s wall time", row, limit: 0.5, atMost: true)
        }
        for label in [Benchmark.rssIdleFresh, Benchmark.rssIdleAfter, Benchmark.rssLaunchedName(options.launches)] {
            let row = results.row(Benchmark.memory, label, via: Memory.daemonVia)
            if row == nil && label == Benchmark.rssLaunchedName(options.launches) && options.launches == 0 { continue }
            ratioGoal("daemon \(label) ≤ 0.25× \(theirs)'s", row, limit: 0.25, atMost: true)
        }
        return goals
    }
}
