/// Wall-clock timing on the monotonic clock.
enum Timing {
    /// Runs `body` and returns its result and duration in milliseconds.
    static func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let value = try body()
        return (value, milliseconds(start.duration(to: clock.now)))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
