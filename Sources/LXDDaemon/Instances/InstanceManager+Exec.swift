import CShim
import Foundation
import LXDAPI
import LXDCore
import LXDOS

extension InstanceManager {
    /// Checks that an exec can run (before the 202) and returns the environment the command
    /// gets: LXD's defaults, then `environment.*` keys, then the request's. The instance's row is
    /// read once, and liblxc's state call runs while its profiles are read.
    func prepareExec(_ name: String, _ post: InstanceExecPost) async throws -> [String: String] {
        let record = try await record(name)
        async let state = status(name)
        let expanded = try await expanded(record)
        guard await state == .running else { throw LXDError.badRequest("Instance is not running") }
        guard !post.command.isEmpty else { throw LXDError.badRequest("Command is required") }
        var environment = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "USER": "root",
            "LANG": "C.UTF-8",
        ]
        environment.merge(Self.environment(expanded.config)) { _, new in new }
        environment.merge(post.environment) { _, new in new }
        return environment
    }

    /// Runs the command through `lxd forkexec` and returns the operation's final metadata.
    /// With a session the stdio goes to its websockets; otherwise to files (`record-output`) or /dev/null.
    func exec(
        _ name: String, _ post: InstanceExecPost, environment: [String: String], session: ExecSession?, metadata: [String: JSONValue],
        operationID: String, timer: StepTimer
    ) async throws -> JSONValue {
        var timer = timer
        timer.mark("operation")
        if let session { await session.waitForSockets() }
        timer.mark("websockets")
        events.lifecycle(
            "instance-exec", source: "/1.0/instances/\(name)", context: ["command": .array(post.command.map { .string($0) })])

        var childFDs: [Int32] = []
        var parentCloses: [Int32] = []
        var streams = ExecSession.Streams()
        var flags: Int32 = 0
        var output: [String: JSONValue] = [:]
        func pipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            let status = lxd_os_pipe_cloexec(&fds)
            guard status == 0 else { throw LXDError.internalError("Failed creating pipe: \(String(cString: strerror(-status)))") }
            return (fds[0], fds[1])
        }
        if let session, session.interactive {
            // The pty comes from the container's own devpts, so that `tty` inside names it.
            let devpts = FileDescriptor(rawValue: try await lxc.devptsFD(name))
            defer { try? devpts.close() }
            let pty: PTY
            do {
                pty = try PTY.open(
                    devpts: devpts, width: UInt16(clamping: post.width), height: UInt16(clamping: post.height),
                    owner: (UInt32(idmap.uidBase), UInt32(idmap.gidBase)))
            } catch {
                throw LXDError.internalError("Failed opening a pty in the instance: \(error)")
            }
            streams.ptyMaster = pty.master.rawValue
            childFDs = [pty.slave.rawValue, pty.slave.rawValue, pty.slave.rawValue]
            parentCloses = [pty.slave.rawValue]
            flags = Int32(LXD_SPAWN_SETSID | LXD_SPAWN_SETCTTY)
        } else if session != nil {
            let stdin = try pipe()
            let stdout = try pipe()
            let stderr = try pipe()
            streams.stdinWrite = stdin.write
            streams.stdoutRead = stdout.read
            streams.stderrRead = stderr.read
            childFDs = [stdin.read, stdout.write, stderr.write]
            parentCloses = childFDs
        } else {
            let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
            var out = devNull
            var err = devNull
            if post.recordOutput {
                let folder = paths.instanceLogs(name)
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let base = "exec_\(operationID)"
                out = open(folder + "/\(base).stdout", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                err = open(folder + "/\(base).stderr", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                output = [
                    "1": .string("/1.0/instances/\(name)/logs/\(base).stdout"),
                    "2": .string("/1.0/instances/\(name)/logs/\(base).stderr"),
                ]
            }
            childFDs = [devNull, out, err]
            parentCloses = Array(Set(childFDs))
        }
        let status = try pipe()
        childFDs.append(status.write)
        parentCloses.append(status.write)
        timer.mark("stdio")

        var arguments = [
            "lxd", "forkexec", name, paths.containers, paths.instanceLXCConfig(name), post.cwd.isEmpty ? "/root" : post.cwd,
            String(post.user), String(post.group),
        ]
        arguments += environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        arguments.append("--")
        arguments += post.command
        let command = Command(
            path: executable, arguments: arguments, environment: Self.helperEnvironment, fds: childFDs,
            flags: SpawnFlags(rawValue: flags))
        let pid: Int32
        do {
            pid = try helpers.spawn(command)
        } catch {
            for fd in parentCloses { close(fd) }
            close(status.read)
            session?.abandon()
            throw LXDError.internalError("Failed running forkexec: \(error)")
        }
        for fd in parentCloses { close(fd) }
        timer.mark("spawn")
        let ready = streams
        let report = await Self.readStatus(status.read) { commandPID in session?.processStarted(ready, pid: commandPID) }
        if report.pid == nil { session?.processStarted(ready, pid: pid) }
        timer.mark("helper")
        let exitStatus = await ProcessSupervisor.shared.wait(pid: pid)
        timer.mark("exit")
        let drained = await session?.processExited() ?? true
        timer.mark("output")
        timer.log()
        if !drained {
            logger.warning(
                "Exec output still open after the command ended, closing its sockets",
                ["instance": name, "command": post.command.joined(separator: " ")])
        }
        let code = exitStatus.shellCode

        var final = metadata
        final["return"] = .number(Double(code))
        if !output.isEmpty { final["output"] = .object(output) }
        if report.execFailed && code == ForkExec.commandNotFound {
            throw OperationFailure(message: "Command not found", metadata: .object(final))
        }
        return .object(final)
    }

    /// What `forkexec` reports on its status pipe: the command's host pid as soon as it exists,
    /// then `exec-failed ERRNO` if it could not be executed; EOF once it has exec'd.
    struct ForkExecStatus: Sendable {
        var pid: Int32?
        var execFailed = false
    }

    private static func readStatus(_ fd: Int32, onPID: @escaping @Sendable (Int32) -> Void) async -> ForkExecStatus {
        (try? await Blocking.run("lxd-exec-status") { () -> ForkExecStatus in
            defer { close(fd) }
            var status = ForkExecStatus()
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while true {
                let count = read(fd, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { break }
                guard byte == UInt8(ascii: "\n") else {
                    if line.count < 128 { line.append(byte) }
                    continue
                }
                let text = String(decoding: line, as: UTF8.self)
                line.removeAll()
                if let pid = Int32(text), status.pid == nil {
                    status.pid = pid
                    onPID(pid)
                } else if text.hasPrefix("exec-failed") {
                    status.execFailed = true
                }
            }
            return status
        }) ?? ForkExecStatus()
    }
}

/// Exit codes `lxd forkexec` reserves.
enum ForkExec {
    /// The command could not be executed (LXD's "Command not found").
    static let commandNotFound: Int32 = 127
}
