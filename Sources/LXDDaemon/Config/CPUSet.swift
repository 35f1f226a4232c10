/// `limits.cpu`: either a count ("2": any two CPUs, LXD balances them) or an explicit set of
/// CPU ranges ("0-3", "0,2", "1,3-5"). Ranges stay ranges: a value like "1-3000000000" must not
/// become billions of numbers (LXD 5.0.2 allocates them all and exhausts the host's memory).
enum CPUSet: Equatable {
    case count(Int)
    /// Sorted, non-overlapping; a backwards range ("2-1") contributes nothing, as in LXD.
    case cpus([ClosedRange<Int>])

    static func parse(_ value: String) throws(ConfigValueError) -> CPUSet {
        let chunks = value.split(separator: ",", omittingEmptySubsequences: false)
        var ranges: [ClosedRange<Int>] = []
        for chunk in chunks {
            let bounds = chunk.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else {
                throw ConfigValueError("Invalid CPU limit syntax")
            }
            guard let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]) else {
                throw ConfigValueError("Invalid cpuset value: \(value)")
            }
            if low <= high { ranges.append(low...high) }
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        for (previous, next) in zip(ranges, ranges.dropFirst()) where next.lowerBound <= previous.upperBound {
            throw ConfigValueError("Cannot define CPU multiple times")
        }
        if chunks.count == 1, !value.contains("-"), let count = Int(value) { return .count(count) }
        return .cpus(ranges)
    }

    /// The cpuset list for a host with `hostCPUs` online CPUs: a count takes the first N (at
    /// most all); CPUs the host does not have are dropped; as in LXD 5.0.2, a count of 0 or a
    /// set with none of the host's CPUs left leaves the container on every CPU.
    func cpusetList(hostCPUs: Int) -> String {
        let host = 0...max(0, hostCPUs - 1)
        let chosen: [ClosedRange<Int>]
        switch self {
        case .count(let count): chosen = count > 0 ? [0...(min(count, hostCPUs) - 1)] : []
        case .cpus(let ranges): chosen = ranges.filter { $0.overlaps(host) }.map { $0.clamped(to: host) }
        }
        return Self.format(chosen.isEmpty ? [host] : chosen)
    }

    /// "0-3,5" from [0...1, 2...3, 5...5] (sorted, non-overlapping ranges).
    static func format(_ ranges: [ClosedRange<Int>]) -> String {
        var merged: [ClosedRange<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
    }
}

/// `limits.cpu.allowance`: a share of CPU time under load ("50%") or a hard quota per period
/// ("25ms/100ms").
enum CPUAllowance: Equatable {
    case percent(Int)
    case quota(quotaMicroseconds: Int64, periodMicroseconds: Int64)

    static func parse(_ value: String) throws(ConfigValueError) -> CPUAllowance {
        if value.hasSuffix("%") {
            let number = String(value.dropLast())
            guard let percent = Int(number) else { throw ConfigValueError(GoSyntax.parseIntError(number, function: "Atoi")) }
            return .percent(percent)
        }
        let fields = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard fields.count == 2 else { throw ConfigValueError("Invalid allowance: \(value)") }
        let quotaText = fields[0].hasSuffix("ms") ? String(fields[0].dropLast(2)) : String(fields[0])
        let periodText = fields[1].hasSuffix("ms") ? String(fields[1].dropLast(2)) : String(fields[1])
        guard let quota = Int64(quotaText) else { throw ConfigValueError(GoSyntax.parseIntError(quotaText, function: "Atoi")) }
        guard let period = Int64(periodText) else { throw ConfigValueError(GoSyntax.parseIntError(periodText, function: "Atoi")) }
        return .quota(quotaMicroseconds: quota * 1000, periodMicroseconds: period * 1000)
    }
}
