import Glibc
import LXDOS
import Testing

@Suite struct ProcessSupervisorTests {
    @Test func twentyConcurrentWaits() async throws {
        let results = try await withThrowingTaskGroup(of: (Int32, LXDOS.ExitStatus).self) { group in
            for index in Int32(0)..<20 {
                let pid = try Command(path: "/bin/sh", arguments: ["/bin/sh", "-c", "sleep 0.0\(index % 10); exit \(index)"]).spawn()
                group.addTask { (index, await ProcessSupervisor.shared.wait(pid: pid)) }
            }
            var results: [Int32: LXDOS.ExitStatus] = [:]
            for try await (index, status) in group { results[index] = status }
            return results
        }
        #expect(results.count == 20)
        for (index, status) in results {
            #expect(status == .exited(index))
        }
    }

    /// Both waits are registered while the child runs (it sleeps long enough even on a loaded machine).
    @Test func twoWaitersForOnePidBothResume() async throws {
        let pid = try Command(path: "/bin/sh", arguments: ["/bin/sh", "-c", "sleep 1; exit 7"]).spawn()
        async let first = ProcessSupervisor.shared.wait(pid: pid)
        async let second = ProcessSupervisor.shared.wait(pid: pid)
        let statuses = await [first, second]
        #expect(statuses == [.exited(7), .exited(7)])
    }

    @Test func anAlreadyExitedChildIsReported() async throws {
        let pid = try Command(path: "/bin/true").spawn()
        usleep(50_000)  // a zombie by now
        #expect(await ProcessSupervisor.shared.wait(pid: pid) == .exited(0))
    }

    @Test func aPidThatIsNotOurChild() async {
        #expect(await ProcessSupervisor.shared.wait(pid: 1) == .exited(-1))
    }
}
