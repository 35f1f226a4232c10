import Foundation
import LXDHTTP
import Synchronization

/// Requests per second of one GET from several concurrent clients, each on its own thread,
/// each request on its own connection (our `HTTPClient` sends `Connection: close`; the same
/// client drives both daemons). Bodies are checked for a 200 but not decoded, so the client's
/// own work on the shared cores stays small.
enum Throughput {
    struct Result: Sendable {
        var requestsPerSecond: Double
        var failures: Int
    }

    static func measure(_ target: Target, path: String, clients: Int, seconds: Double) -> Result {
        let completed = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
        let http = target.http
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
        Threads.run(count: clients) { _ in
            while clock.now < deadline {
                do {
                    let response = try http.request("GET", path)
                    if response.status == 200, !response.body.isEmpty {
                        completed.add(1, ordering: .relaxed)
                    } else {
                        failed.add(1, ordering: .relaxed)
                    }
                } catch {
                    failed.add(1, ordering: .relaxed)
                }
            }
        }
        let elapsed = Timing.milliseconds(start.duration(to: clock.now)) / 1000
        return Result(requestsPerSecond: Double(completed.load(ordering: .relaxed)) / elapsed, failures: failed.load(ordering: .relaxed))
    }
}

/// Plain threads joined with a group: the benchmark blocks on sockets, never on Swift's pool.
enum Threads {
    static func run(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                body(index)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
    }
}
