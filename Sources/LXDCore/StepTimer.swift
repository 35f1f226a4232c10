import Glibc

/// Times the steps of one multi-step action (a start, a delete) and writes them as one
/// debug-level log line: `msg="Start timings" steps="record=0.41 status=0.20 ..." total=...`
/// (milliseconds). Costs two clock reads per step when debug logging is off, nothing else.
public struct StepTimer: Sendable {
    private let logger: Logger
    private let message: String
    private let context: [String: String]
    /// Debug logging is on (the clock is read only then).
    public let isEnabled: Bool
    private let started: UInt64
    private var last: UInt64
    private var steps: [(String, UInt64)] = []

    public init(_ logger: Logger, _ message: String, _ context: [String: String] = [:]) {
        self.logger = logger
        self.message = message
        self.context = context
        isEnabled = logger.sink.level <= .debug
        started = isEnabled ? Self.nanoseconds() : 0
        last = started
    }

    /// Ends the step called `name` here; the next step starts now.
    public mutating func mark(_ name: String) {
        guard isEnabled else { return }
        let now = Self.nanoseconds()
        steps.append((name, now - last))
        last = now
    }

    /// Writes the line (once the last step is marked).
    public func log() {
        guard isEnabled else { return }
        var context = self.context
        context["steps"] = steps.map { "\($0.0)=\(Self.milliseconds($0.1))" }.joined(separator: " ")
        context["total"] = Self.milliseconds(last - started)
        logger.debug(message, context)
    }

    public static func milliseconds(_ nanoseconds: UInt64) -> String {
        let hundredths = (nanoseconds + 5000) / 10000
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    private static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
