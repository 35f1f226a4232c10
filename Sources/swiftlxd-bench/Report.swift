import Foundation

/// The results as Markdown tables, one per group: n, min, median, max per daemon and the
/// ratio of the first daemon's median to the second's.
enum Report {
    static func markdown(_ results: Results) -> String {
        let targets = results.targets
        var out = ""
        var groups: [String] = []
        for row in results.rows where !groups.contains(row.group) { groups.append(row.group) }
        for group in groups {
            out += "### \(group)\n\n"
            var header = "| Measurement | Via | Unit |"
            var rule = "|---|---|---|"
            for target in targets {
                header += " \(target) n | \(target) min | \(target) median | \(target) max |"
                rule += "---:|---:|---:|---:|"
            }
            if targets.count >= 2 {
                header += " \(targets[0])/\(targets[1]) |"
                rule += "---:|"
            }
            out += header + "\n" + rule + "\n"
            for row in results.rows where row.group == group {
                var line = "| \(row.name) | \(row.via) | \(row.unit.rawValue) |"
                for target in targets {
                    line += cells(row.samples[target], unit: row.unit)
                }
                if targets.count >= 2 {
                    line += " \(ratio(row.samples[targets[0]], row.samples[targets[1]])) |"
                }
                out += line + "\n"
            }
            out += "\n"
        }
        for note in results.notes { out += "- \(note)\n" }
        return out
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
        let table = Report.markdown(results)
        print(table, terminator: "")
        if let path = options.markdown { _ = FileManager.default.createFile(atPath: path, contents: Data(table.utf8)) }
        if let path = options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(results) { _ = FileManager.default.createFile(atPath: path, contents: data) }
        }
    }
}
