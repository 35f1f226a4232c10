import CShim
import Foundation
import LXDAPI
import LXDCore
import LXDOS

/// Runs a host tool (unsquashfs, ...) as a child of the daemon: no stdin, stdout and stderr
/// collected (bounded), every other fd closed by the spawn helper, reaped by the supervisor.
enum ExternalTool {
    struct Result: Sendable {
        let status: ExitStatus
        let output: String
    }

    static func run(_ path: String, _ arguments: [String], extraEnvironment: [String] = []) async throws -> Result {
        var fds: [Int32] = [-1, -1]
        guard lxd_os_pipe_cloexec(&fds) == 0 else { throw LXDError.internalError("Failed creating a pipe") }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let command = Command(
            path: path, arguments: [path] + arguments, environment: InstanceManager.helperEnvironment + extraEnvironment,
            fds: [devNull, fds[1], fds[1]])
        let pid: Int32
        do {
            pid = try command.spawn()
        } catch {
            close(devNull)
            close(fds[0])
            close(fds[1])
            throw LXDError.internalError("Failed running \(path): \(error)")
        }
        close(devNull)
        close(fds[1])
        let reader = fds[0]
        let output =
            (try? await Blocking.run("lxd-tool-output") { () -> String in
                defer { close(reader) }
                var collected = Data()
                FileDescriptorIO.readChunks(reader) { chunk in
                    if collected.count < 64 << 10 { collected.append(chunk) }
                    return true
                }
                return String(decoding: collected, as: UTF8.self)
            }) ?? ""
        return Result(status: await ProcessSupervisor.shared.wait(pid: pid), output: output)
    }
}
