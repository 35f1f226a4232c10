import Foundation

/// One row's samples for one daemon: milliseconds, requests per second or MiB.
struct Samples: Sendable, Codable {
    var values: [Double] = []
    var failures = 0
    /// Set when the daemon answered that the operation is not implemented.
    var notImplemented = false

    var count: Int { values.count }
    var min: Double? { values.min() }
    var max: Double? { values.max() }

    /// The median (the mean of the middle two for an even count).
    var median: Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    mutating func add(_ value: Double) { values.append(value) }
}

/// What a row measures, which decides its unit and which way is better.
enum Unit: String, Sendable, Codable {
    case milliseconds = "ms"
    case requestsPerSecond = "req/s"
    case mebibytes = "MiB"
}

/// A row of the results table: one measurement, its samples per daemon (by target name).
struct Row: Sendable, Codable {
    var group: String
    var name: String
    var via: String
    var unit: Unit
    var samples: [String: Samples] = [:]
    /// The machine's 1-minute load average at each sample, whichever daemon it was for.
    var loads: [Double] = []
}

/// The ordered rows of one run.
struct Results: Sendable, Codable {
    var targets: [String] = []
    var rows: [Row] = []
    var notes: [String] = []
    /// The machine and the daemons, a line each, for the report's header.
    var machine: [String] = []

    mutating func record(_ group: String, _ name: String, via: String, unit: Unit, target: String, _ change: (inout Samples) -> Void) {
        let index: Int
        if let found = rows.firstIndex(where: { $0.group == group && $0.name == name && $0.via == via }) {
            index = found
        } else {
            rows.append(Row(group: group, name: name, via: via, unit: unit))
            index = rows.count - 1
        }
        change(&rows[index].samples[target, default: Samples()])
        if let load = LoadAverage.oneMinute() { rows[index].loads.append(load) }
    }

    mutating func add(_ group: String, _ name: String, via: String, unit: Unit, target: String, value: Double) {
        record(group, name, via: via, unit: unit, target: target) { $0.add(value) }
    }

    func row(_ group: String, _ name: String, via: String) -> Row? {
        rows.first { $0.group == group && $0.name == name && $0.via == via }
    }

    func median(_ group: String, _ name: String, via: String, target: String) -> Double? {
        row(group, name, via: via)?.samples[target]?.median
    }
}

/// The machine's load, recorded next to every sample: the machine is shared, and a figure
/// taken under load says so.
enum LoadAverage {
    static func oneMinute() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }
}
