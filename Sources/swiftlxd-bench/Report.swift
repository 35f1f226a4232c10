import Foundation

/// The results as Markdown tables, one per group: n, min, median, max per daemon and the
/// ratio of the first daemon's median to the second's.
enum Report {
    static func markdown(_ results: Results, goals: [Goal]) -> String {
        var out = ""
        if !results.machine.isEmpty {
            out += "### Machine\n\n"
            for line in results.machine { out += "- \(line)\n" }
            out += "\n"
        }
        if !goals.isEmpty {
            out += "### Targets (ratio \(results.targets[0])/\(results.targets[1]) in this run)\n\n"
            out += "| Target | Figure | Met |\n|---|---|---|\n"
            for goal in goals {
                out += "| \(goal.target) | \(goal.figure) | \(goal.met.map { $0 ? "yes" : "**no**" } ?? "not measured") |\n"
            }
            out += "\n"
        }
        var groups: [String] = []
        for row in results.rows where !groups.contains(row.group) { groups.append(row.group) }
        for group in groups { out += table(group, results) }
        for note in results.notes { out += "- \(note)\n" }
        return out
    }

    /// One group's table: per label (the targets, then any other, e.g. "bare liblxc") n, min,
    /// median, max; the ratio of the first target's median to the second's; the load average
    /// range over the row's samples.
    private static func table(_ group: String, _ results: Results) -> String {
        let rows = results.rows.filter { $0.group == group }
        var labels = results.targets.filter { target in rows.contains { $0.samples[target] != nil } }
        for row in rows {
            for label in row.samples.keys.sorted() where !labels.contains(label) { labels.append(label) }
        }
        let targets = results.targets
        let hasRatio = targets.count >= 2 && labels.contains(targets[0]) && labels.contains(targets[1])
        var header = "| Measurement | Via | Unit |"
        var rule = "|---|---|---|"
        for label in labels {
            header += " \(label) n | \(label) min | \(label) median | \(label) max |"
            rule += "---:|---:|---:|---:|"
        }
        if hasRatio {
            header += " \(targets[0])/\(targets[1]) |"
            rule += "---:|"
        }
        header += " load |"
        rule += "---|"
        var out = "### \(group)\n\n" + header + "\n" + rule + "\n"
        for row in rows {
            var line = "| \(row.name) | \(row.via) | \(row.unit.rawValue) |"
            for label in labels { line += cells(row.samples[label], unit: row.unit) }
            if hasRatio { line += " \(ratio(row.samples[targets[0]], row.samples[targets[1]])) |" }
            if let low = row.loads.min(), let high = row.loads.max() {
                line += String(format: " %.1f–%.1f |", low, high)
            } else {
                line += " |"
            }
            out += line + "\n"
        }
        return out + "\n"
    }

    private static func cells(_ samples: Samples?, unit: Unit) -> String {
        guard let samples else { return " | | | |" }
        if samples.notImplemented && samples.count == 0 { return " – | not yet implemented | | |" }
        let n = samples.failures > 0 ? "\(samples.count) (\(samples.failures) failed)" : "\(samples.count)"
        guard let min = samples.min, let median = samples.median, let max = samples.max else { return " \(n) | | | |" }
        return " \(n) | \(format(min, unit)) | \(format(median, unit)) | \(format(max, unit)) |"
    }

    private static func ratio(_ first: Samples?, _ second: Samples?) -> String {
        guard let a = first?.median, let b = second?.median, b > 0 else { return "–" }
        return String(format: "%.2f", a / b)
    }

    static func format(_ value: Double, _ unit: Unit) -> String {
        switch unit {
        case .milliseconds: return value < 10 ? String(format: "%.2f", value) : String(format: "%.1f", value)
        case .requestsPerSecond: return value < 100 ? String(format: "%.1f", value) : String(format: "%.0f", value)
        case .mebibytes: return String(format: "%.1f", value)
        }
    }
}

/// The entry point: parse, run, print, write the files.
enum BenchMain {
    static func run(_ arguments: [String]) -> Int32 {
        let options: BenchOptions
        do {
            options = try BenchOptions.parse(arguments)
        } catch is BenchUsage {
            print(BenchOptions.usage)
            return 0
        } catch {
            FileHandle.standardError.write(Data("swiftlxd-bench: \(error)\n\n\(BenchOptions.usage)\n".utf8))
            return 2
        }
        do {
            let benchmark = try Benchmark(options: options)
            defer { benchmark.cleanUp() }
            do {
                try benchmark.run()
            } catch {
                benchmark.results.notes.append("Run aborted: \(error)")
                FileHandle.standardError.write(Data("swiftlxd-bench: \(error)\n".utf8))
                emit(benchmark.results, options)
                return 1
            }
            emit(benchmark.results, options)
            let failures = benchmark.results.rows.flatMap { $0.samples.values }.reduce(0) { $0 + $1.failures }
            if failures > 0 {
                FileHandle.standardError.write(Data("swiftlxd-bench: \(failures) failed measurements\n".utf8))
                return options.isSmoke ? 1 : 0
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("swiftlxd-bench: \(error)\n".utf8))
            return 1
        }
    }

    private static func emit(_ results: Results, _ options: BenchOptions) {
        let table = Report.markdown(results, goals: Goal.evaluate(results, options))
        print(table, terminator: "")
        if let path = options.markdown { _ = FileManager.default.createFile(atPath: path, contents: Data(table.utf8)) }
        if let path = options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(results) { _ = FileManager.default.createFile(atPath: path, contents: data) }
        }
    }
}
