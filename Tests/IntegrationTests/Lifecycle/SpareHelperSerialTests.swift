import Foundation
import Glibc
import LXDOS
import LXDTestSupport
import Testing

/// `lxd forkspare`: our built binary exec'd ahead of need and handed a helper's argv and fds.
/// `lxd forkexec` with too few arguments is the helper here: it needs no container, prints its
/// usage on the fd it was given as stderr and exits 1.
@Suite(.serialized, .enabled(if: containersAvailable))
struct SpareHelperSerialTests {
    static let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]

    /// Spare pids once `count` are waiting (they are exec'd in the background).
    static func waitingSpares(_ helpers: SpareHelpers, count: Int) async throws -> [Int32] {
        for _ in 0..<200 where helpers.waitingPIDs.count < count { try await Task.sleep(for: .milliseconds(25)) }
        let pids = helpers.waitingPIDs
        #expect(pids.count == count)
        return pids
    }

    /// Runs `arguments` through `helpers` with stderr on a pipe: (pid, exit status, stderr).
    static func run(_ helpers: SpareHelpers, _ arguments: [String], environment: [String] = environment) async throws -> (
        pid: Int32, status: LXDOS.ExitStatus, stderr: String
    ) {
        var pipe: [Int32] = [-1, -1]
        #expect(Glibc.pipe(&pipe) == 0)  // our spawns close every fd they were not given
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        let command = Command(path: helpers.path, arguments: arguments, environment: environment, fds: [devNull, devNull, pipe[1]])
        let pid = try helpers.spawn(command)
        close(pipe[1])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(pipe[0], &buffer, buffer.count)
            guard count > 0 else { break }
            output += buffer[0..<count]
        }
        close(pipe[0])
        let status = await ProcessSupervisor.shared.wait(pid: pid)
        return (pid, status, String(decoding: output, as: UTF8.self))
    }

    static let usage = "Usage: lxd forkexec NAME LXCPATH CONFIG CWD UID GID [KEY=VALUE ...] -- CMD [ARG ...]\n"

    @Test func aSpareBecomesTheHelperItIsHanded() async throws {
        let helpers = SpareHelpers(path: TestEnvironment.binaries + "/lxd", environment: Self.environment, count: 2)
        defer { helpers.retire() }
        helpers.refill()
        let spares = try await Self.waitingSpares(helpers, count: 2)
        for pid in spares {
            // A vfork'd spawn returns once the exec has replaced the child's memory, a moment
            // before the kernel has set up its arguments: until then its cmdline reads empty.
            var cmdline = ""
            for _ in 0..<200 {
                cmdline = try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)
                if !cmdline.isEmpty { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(cmdline == "lxd\0forkspare\0")
            // Nothing but 0, 1, 2 and its socket once it waits (while the loader still maps
            // libraries, their files are briefly open): no descriptor of ours reaches a spare.
            var fds: [String] = []
            for _ in 0..<200 {
                fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").sorted()
                if fds == ["0", "1", "2", "3"] { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(fds == ["0", "1", "2", "3"])
        }

        let handed = try await Self.run(helpers, ["lxd", "forkexec", "c1"])
        #expect(spares.contains(handed.pid))
        #expect(handed.status == LXDOS.ExitStatus.exited(1))
        #expect(handed.stderr == Self.usage)

        // The pool is topped up once the helper has exited.
        _ = try await Self.waitingSpares(helpers, count: 2)
        #expect(Set(helpers.waitingPIDs).subtracting(spares).count >= 1)
    }

    @Test func commandsASpareCannotRunAreSpawnedDirectly() async throws {
        let helpers = SpareHelpers(path: TestEnvironment.binaries + "/lxd", environment: Self.environment, count: 1)
        defer { helpers.retire() }
        helpers.refill()
        let spares = try await Self.waitingSpares(helpers, count: 1)

        // Another environment than the spares were exec'd with.
        let otherEnvironment = try await Self.run(helpers, ["lxd", "forkexec", "c1"], environment: ["PATH=/bin"])
        #expect(!spares.contains(otherEnvironment.pid))
        #expect(otherEnvironment.stderr == Self.usage)

        // A request larger than a spare takes (64 KiB).
        let long = String(repeating: "x", count: 70_000)
        let big = try await Self.run(helpers, ["lxd", "forkexec", long])
        #expect(!spares.contains(big.pid))
        #expect(big.stderr == Self.usage)
        #expect(helpers.waitingPIDs == spares)

        #expect(!helpers.canRun(Command(path: helpers.path, arguments: ["lxd", "forkspare"], environment: Self.environment)))
        #expect(!helpers.canRun(Command(path: "/bin/sh", arguments: ["lxd", "forkexec"], environment: Self.environment)))
        #expect(
            !helpers.canRun(Command(path: helpers.path, arguments: ["lxd", "forkexec"], environment: Self.environment, flags: .pdeathsig)))
    }

    @Test func aDeadSpareIsPassedOverAndRetiredSparesExit() async throws {
        let helpers = SpareHelpers(path: TestEnvironment.binaries + "/lxd", environment: Self.environment, count: 2)
        helpers.refill()
        let spares = try await Self.waitingSpares(helpers, count: 2)
        kill(spares[0], SIGKILL)
        _ = await ProcessSupervisor.shared.wait(pid: spares[0])

        let handed = try await Self.run(helpers, ["lxd", "forkexec", "c1"])
        #expect(handed.stderr == Self.usage)
        #expect(handed.pid != spares[0])

        let left = try await Self.waitingSpares(helpers, count: 2)
        helpers.retire()
        #expect(helpers.waitingPIDs.isEmpty)
        for pid in left {
            #expect(await ProcessSupervisor.shared.wait(pid: pid) == LXDOS.ExitStatus.exited(0))
        }
    }

    /// The daemon keeps spares as its children; they exit with it, even on SIGKILL.
    @Test func theDaemonsSparesExitWithIt() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            var spares: [Int32] = []
            for _ in 0..<200 {
                spares = Self.children(of: f.pid).filter { pid in
                    (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) == "lxd\0forkspare\0"
                }
                if spares.count == 2 { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(spares.count == 2)
            f.killDaemon()
            for pid in spares {
                var gone = false
                for _ in 0..<200 {
                    gone = !Self.isAlive(pid)
                    if gone { break }
                    try await Task.sleep(for: .milliseconds(25))
                }
                #expect(gone, "spare \(pid) outlived the daemon")
            }
        }
    }

    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }
    }

    /// Running (a zombie waiting for its new parent to reap it counts as gone).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return false
        }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }
}
