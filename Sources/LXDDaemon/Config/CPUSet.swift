/// `limits.cpu`: either a count ("2": any two CPUs, LXD balances them) or an explicit set of
/// CPU numbers ("0-3", "0,2", "1,3-5").
enum CPUSet: Equatable {
    case count(Int)
    case cpus([Int])

    static func parse(_ value: String) throws(ConfigValueError) -> CPUSet {
        let chunks = value.split(separator: ",", omittingEmptySubsequences: false)
        var cpus: [Int] = []
        for chunk in chunks {
            let bounds = chunk.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else {
                throw ConfigValueError("Invalid CPU limit syntax")
            }
            guard let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]) else {
                throw ConfigValueError("Invalid cpuset value: \(value)")
            }
            if low <= high { cpus += Array(low...high) }
        }
        guard Set(cpus).count == cpus.count else { throw ConfigValueError("Cannot define CPU multiple times") }
        if chunks.count == 1, !value.contains("-"), let count = Int(value) { return .count(count) }
        return .cpus(cpus.sorted())
    }

    /// The cpuset list for a host with `hostCPUs` online CPUs: a count takes the first N
    /// (at least one, at most all); CPUs the host does not have are dropped.
    func cpusetList(hostCPUs: Int) -> String {
        let chosen: [Int]
        switch self {
        case .count(let count): chosen = Array(0..<max(1, min(count, hostCPUs)))
        case .cpus(let cpus): chosen = cpus.filter { $0 < hostCPUs }
        }
        return Self.format(chosen.isEmpty ? [0] : chosen)
    }

    /// "0-3,5" from [0, 1, 2, 3, 5].
    static func format(_ cpus: [Int]) -> String {
        var ranges: [String] = []
        var index = 0
        let sorted = cpus.sorted()
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            ranges.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
            index = end + 1
        }
        return ranges.joined(separator: ",")
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
