import Foundation
import LXDCore
import Testing

@Suite struct StepTimerTests {
    @Test(arguments: [
        (UInt64(0), "0.00"), (4_999, "0.00"), (5_000, "0.01"), (1_000_000, "1.00"), (1_234_567, "1.23"),
        (42_095_000, "42.10"), (1_500_000_000, "1500.00"),
    ])
    func millisecondsHaveTwoDecimals(nanoseconds: UInt64, text: String) {
        #expect(StepTimer.milliseconds(nanoseconds) == text)
    }

    @Test func debugLoggingGetsOneLineWithEveryStep() throws {
        let path = NSTemporaryDirectory() + "steptimer-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var timer = StepTimer(
            Logger(label: "test", sink: LogSink(level: .debug, path: path, toStderr: false)), "Start timings", ["instance": "c1"])
        #expect(timer.isEnabled)
        timer.mark("record")
        usleep(2000)
        timer.mark("forkstart")
        timer.log()
        let line = try String(contentsOfFile: path, encoding: .utf8)
        #expect(line.split(separator: "\n").count == 1)
        #expect(line.contains("level=debug msg=\"Start timings\" instance=\"c1\" steps=\"record="))
        #expect(line.contains(" forkstart="))
        let total = try #require(line.split(separator: "total=\"").last?.split(separator: "\"").first.flatMap { Double($0) })
        #expect(total >= 2)
    }

    @Test func offBelowDebug() throws {
        let path = NSTemporaryDirectory() + "steptimer-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var timer = StepTimer(Logger(label: "test", sink: LogSink(level: .info, path: path, toStderr: false)), "Start timings")
        #expect(!timer.isEnabled)
        timer.mark("record")
        timer.log()
        #expect(try String(contentsOfFile: path, encoding: .utf8).isEmpty)
    }
}
