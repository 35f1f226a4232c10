import CShim
import Foundation
import LXDAPI
import LXDCore

extension InstanceManager {
    /// Attaches `session` to the running container's console once its sockets are there, and
    /// detaches (freeing the console for the next client) when the session ends.
    func attachConsole(_ name: String, session: ConsoleSession, width: Int, height: Int) async throws {
        await session.waitForSockets()
        let console: (socket: Int32, ptx: Int32)
        do {
            console = try await lxc.console(name)
        } catch {
            session.abandon()
            throw LXDError.internalError("\(error)")
        }
        defer {
            close(console.ptx)
            close(console.socket)
        }
        if width > 0 && height > 0 {
            _ = lxd_os_set_winsize(console.ptx, UInt16(clamping: width), UInt16(clamping: height))
        }
        events.lifecycle("instance-console", source: "/1.0/instances/\(name)", context: ["type": .string("console")])
        await session.run(ptx: console.ptx)
    }

    /// The console log: the ring buffer of a running container (liblxc also writes everything
    /// to `console.log`), the `console.log` file of a stopped one.
    func consoleLog(_ name: String) async throws -> (bytes: [UInt8]?, file: String) {
        _ = try await record(name)
        let file = paths.instanceLogs(name) + "/console.log"
        guard await status(name) != .stopped else { return (nil, file) }
        let bytes = try await lxc.consoleLog(name, clear: false, read: true) ?? []
        events.lifecycle("instance-console-retrieved", source: "/1.0/instances/\(name)")
        return (bytes, file)
    }

    /// Empties the ring buffer of a running container, truncates `console.log` of a stopped one.
    func clearConsoleLog(_ name: String) async throws {
        _ = try await record(name)
        if await status(name) != .stopped {
            _ = try await lxc.consoleLog(name, clear: true, read: false)
            events.lifecycle("instance-console-reset", source: "/1.0/instances/\(name)")
            return
        }
        let file = paths.instanceLogs(name) + "/console.log"
        var info = stat()
        guard lstat(file, &info) == 0 else { throw LXDError.notFound("stat \(file): no such file or directory") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw LXDError.internalError("The console log is not a regular file") }
        guard truncate(file, 0) == 0 else { throw LXDError.internalError("truncate \(file): \(String(cString: strerror(errno)))") }
    }
}
