import CShim
import Foundation
import LXDAPI
import LXDCore
import LXDOS

/// One rsync transfer over a migration `fs` stream, with the arguments LXD 5.0.2 uses on both
/// ends so that either side can be the real LXD. The sender runs `rsync -ar ... PATH
/// localhost:/tmp/foo -e CMD` whose remote-shell command just copies its stdin/stdout to two
/// pipes the daemon bridges to the websocket; the receiver runs `rsync --server` on pipes.
enum RsyncTransfer {
    static let rsync = "/usr/bin/rsync"

    /// LXD's `rsyncFeatureArgs`.
    static func featureArguments(_ features: MigrationRsyncFeatures) -> [String] {
        var args: [String] = []
        if features.xattrs { args += ["--xattrs", "--filter=-x security.selinux"] }
        if features.delete { args.append("--delete") }
        if features.compress { args += ["--compress", "--compress-level=2"] }
        return args
    }

    /// The sender's "remote shell": its stdin goes to fd 4, fd 3 comes out on its stdout. (A
    /// background command's stdin would be /dev/null without the explicit redirection.)
    static let remoteShell = "sh -c 'exec 5<&0; cat <&5 >&4 & exec cat <&3'"

    static func senderArguments(path: String, features: MigrationRsyncFeatures) -> [String] {
        ["-ar", "--devices", "--numeric-ids", "--partial", "--sparse"] + featureArguments(features) + [
            path.hasSuffix("/") ? path : path + "/", "localhost:/tmp/foo", "-e", remoteShell,
        ]
    }

    /// LXD's receiver, plus `--ignore-times`: snapshots arrive one after the other into the same
    /// volume, and a file rewritten at the same size within the same second (rsync's quick check
    /// compares whole seconds) would keep the previous snapshot's content. Every file goes through
    /// the delta check instead; unchanged blocks still do not travel.
    static func receiverArguments(path: String, features: MigrationRsyncFeatures) -> [String] {
        ["--server", "-vlogDtpre.iLsfx", "--ignore-times", "--numeric-ids", "--devices", "--partial", "--sparse"]
            + featureArguments(features) + [".", path.hasSuffix("/") ? path : path + "/"]
    }

    /// Sends the tree at `path`.
    static func send(path: String, over channel: MigrationChannel, features: MigrationRsyncFeatures) async throws {
        try await run(arguments: senderArguments(path: path, features: features), channel: channel, asServer: false)
    }

    /// Receives a tree into `path` (created if needed).
    static func receive(path: String, over channel: MigrationChannel, features: MigrationRsyncFeatures) async throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try await run(arguments: receiverArguments(path: path, features: features), channel: channel, asServer: true)
    }

    /// Spawns rsync with the websocket bridged to it (the receiver on stdin/stdout, the sender's
    /// remote shell on fds 3 and 4), pumps both directions on their own threads, and waits.
    private static func run(arguments: [String], channel: MigrationChannel, asServer: Bool) async throws {
        var toRsync: [Int32] = [-1, -1]
        var fromRsync: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard lxd_os_pipe_cloexec(&toRsync) == 0, lxd_os_pipe_cloexec(&fromRsync) == 0, lxd_os_pipe_cloexec(&errors) == 0 else {
            for fd in toRsync + fromRsync + errors where fd >= 0 { close(fd) }
            throw LXDError.internalError("Failed creating rsync pipes")
        }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        let fds =
            asServer
            ? [toRsync[0], fromRsync[1], errors[1]]
            : [devNull, devNull, errors[1], toRsync[0], fromRsync[1]]
        let command = Command(path: rsync, arguments: [rsync] + arguments, environment: InstanceManager.helperEnvironment, fds: fds)
        let pid: Int32
        do {
            pid = try command.spawn()
        } catch {
            for fd in toRsync + fromRsync + errors { close(fd) }
            close(devNull)
            throw LXDError.internalError("Failed running rsync: \(error)")
        }
        close(devNull)
        close(toRsync[0])
        close(fromRsync[1])
        close(errors[1])
        let input = toRsync[1]
        let output = fromRsync[0]
        let errorOutput = errors[0]

        // Websocket → rsync, until the peer's barrier.
        async let inbound: Bool = Blocking.run("lxd-rsync-in") {
            defer { close(input) }
            var ok = true
            let ended = try channel.readStream { data in
                if ok, !FileDescriptorIO.writeAll(input, data) { ok = false }
            }
            return ended
        }
        // rsync → websocket, then our barrier.
        async let outbound: Void = Blocking.run("lxd-rsync-out") {
            defer { close(output) }
            var failure: (any Error)?
            FileDescriptorIO.readChunks(output) { chunk in
                do {
                    try chunk.withUnsafeBytes { try channel.write($0) }
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
            if let failure { throw failure }
            try channel.sendBarrier()
        }
        let stderrText: String = try await Blocking.run("lxd-rsync-err") {
            defer { close(errorOutput) }
            var collected = Data()
            FileDescriptorIO.readChunks(errorOutput) { chunk in
                if collected.count < 64 << 10 { collected.append(chunk) }
                return true
            }
            return String(decoding: collected, as: UTF8.self)
        }
        let status = await ProcessSupervisor.shared.wait(pid: pid)
        var pumpError: (any Error)?
        do { try await outbound } catch { pumpError = error }
        do {
            let ended = try await inbound
            if !ended, pumpError == nil { pumpError = MigrationError("Migration connection closed during transfer") }
        } catch {
            if pumpError == nil { pumpError = error }
        }
        guard case .exited(0) = status else {
            let detail = stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            throw LXDError.internalError("Rsync \(asServer ? "receive" : "send") failed: \(status) (\(detail))")
        }
        if let pumpError { throw pumpError }
    }
}
