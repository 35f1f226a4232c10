import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import LXDHTTP

/// `lxc copy` and `lxc move` between servers (LXD's `CopyInstance` with a migration source):
/// the source server offers the instance through a migration operation and the target pulls it
/// (default), or the target waits and the source pushes (`--mode push`), or both wait and this
/// client relays between them (`--mode relay`). A snapshot (`c1/snap0`) goes as an instance of
/// its own; `--refresh` brings an existing copy up to date.
enum RemoteTransfer {
    static func run(_ ctx: CLIContext, _ args: ParsedArguments, move: Bool) throws {
        let (sourceRemote, sourceName) = try ctx.resolveRemote(args.positional[0])
        var (targetRemote, targetName) = args.positional.count > 1 ? try ctx.resolveRemote(args.positional[1]) : (sourceRemote, "")
        guard !sourceName.isEmpty else { throw UsageError("You must specify a source instance name") }
        let snapshot = SnapshotArguments.split(sourceName)
        if targetName.isEmpty { targetName = snapshot?.instance ?? sourceName }
        if move && snapshot != nil { throw UsageError("Moving a snapshot to another server is not supported") }
        let mode = args.string("mode", default: "pull")
        guard ["pull", "push", "relay"].contains(mode) else { throw UsageError("Invalid mode: \(mode)") }
        let source = try ctx.server(remote: sourceRemote)
        let target = try ctx.server(remote: targetRemote)
        let entry = try source.getInstance(snapshot?.instance ?? sourceName)
        let isRunning = snapshot == nil && entry.statusCode == StatusCode.running.rawValue
        let stateful = !args.bool("stateless")
        let live = isRunning && stateful
        let instanceOnly = args.bool("instance-only")

        var options = InstanceCopyOptions(
            source: sourceName, destination: targetName, ephemeral: args.bool("ephemeral"), instanceOnly: instanceOnly,
            stateless: !stateful, allowInconsistent: args.bool("allow-inconsistent"))
        options.pool = args.string("storage")
        options.config = try InstanceOverrides.config(args.strings("config"))
        options.devices = try InstanceOverrides.deviceOverrides(args.strings("device"))
        if args.isSet("profile") {
            options.profiles = args.strings("profile")
        } else if args.bool("no-profiles") {
            options.profiles = []
        }
        // A move keeps the volatile keys (LXD's client), the copy gets fresh ones.
        options.keepVolatile = move
        options.keepEphemeral = move
        var post = try options.post(from: source)
        post.source.type = "migration"
        post.source.source = ""
        post.source.live = live
        post.source.instanceOnly = instanceOnly
        post.source.refresh = args.bool("refresh")

        let progress = ProgressRenderer(format: "Transferring instance: %s", quiet: ctx.isQuiet, out: ctx.stdout)
        defer { progress.finish() }
        let config = try ctx.clientConfig()
        let offer = {
            try snapshot.map { try source.migrateInstanceSnapshot($0.instance, snapshot: $0.snapshot) }
                ?? source.migrateInstance(sourceName, live: live, instanceOnly: instanceOnly)
        }
        if mode == "relay" {
            // Both servers wait for us: the source offers (pull), the target waits (push), and
            // this client carries every message between their websockets.
            let sourceOperation = try offer()
            post.source.mode = "push"
            let targetOperation: RemoteOperation
            do {
                targetOperation = try target.createInstance(post)
            } catch {
                source.cancelOperation(sourceOperation.id)
                throw error
            }
            do {
                let sourceSecrets = try sourceOperation.operation.metadata.decode([String: String].self)
                let targetSecrets = try targetOperation.operation.metadata.decode([String: String].self)
                let pairs = try targetSecrets.keys.sorted().compactMap { key -> (WebSocket, WebSocket)? in
                    guard let sourceSecret = sourceSecrets[key], let targetSecret = targetSecrets[key] else { return nil }
                    return (
                        try source.operationWebSocket(sourceOperation.id, secret: sourceSecret),
                        try target.operationWebSocket(targetOperation.id, secret: targetSecret)
                    )
                }
                WebSocketRelay.run(pairs)
                try targetOperation.wait { progress.update(operation: $0) }
                try sourceOperation.wait()
            } catch {
                source.cancelOperation(sourceOperation.id)
                target.cancelOperation(targetOperation.id)
                throw failure(error)
            }
        } else if mode == "pull" {
            let sourceOperation = try offer()
            post.source.mode = "pull"
            post.source.operation = try source.networkURL() + "/1.0/operations/" + sourceOperation.id
            post.source.certificate = try RemoteImageSource.pinnedCertificate(config, remote: sourceRemote, server: source)
            post.source.websockets = try sourceOperation.operation.metadata.decode([String: String].self)
            do {
                try target.createInstance(post).wait { progress.update(operation: $0) }
                // The source's operation ends after the sink's (a stateless source restarts its
                // instance first).
                try sourceOperation.wait()
            } catch {
                source.cancelOperation(sourceOperation.id)
                throw failure(error)
            }
        } else {
            post.source.mode = "push"
            let targetOperation = try target.createInstance(post)
            guard let secrets = try? targetOperation.operation.metadata.decode([String: String].self) else {
                // No websockets: the target refused at once (a name clash); its operation says why.
                do { try targetOperation.wait() } catch { throw failure(error) }
                throw LXDError(.internalServerError, "Failed instance creation: the target offered no migration websockets")
            }
            let push = InstancePostTarget(
                certificate: try RemoteImageSource.pinnedCertificate(config, remote: targetRemote, server: target),
                operation: try target.networkURL() + "/1.0/operations/" + targetOperation.id, websockets: secrets)
            do {
                let sourceOperation =
                    try snapshot.map { try source.migrateInstanceSnapshot($0.instance, snapshot: $0.snapshot, target: push) }
                    ?? source.migrateInstance(sourceName, live: live, instanceOnly: instanceOnly, target: push)
                try sourceOperation.wait { progress.update(operation: $0) }
                try targetOperation.wait()
            } catch {
                target.cancelOperation(targetOperation.id)
                throw failure(error)
            }
        }
        progress.finish()
        if move { try source.deleteInstanceForce(sourceName) }
        // As LXD's client: a stateless move of a running instance starts it again on the target.
        if move && isRunning && !stateful {
            try target.updateInstanceState(targetName, InstanceStatePut(action: "start", timeout: -1)).wait()
        }
    }

    /// LXD's client wording for a failed transfer.
    static func failure(_ error: any Error) -> LXDError {
        let message = (error as? LXDError)?.message ?? String(describing: error)
        return LXDError((error as? LXDError)?.status ?? .internalServerError, "Failed instance creation: \(message)")
    }
}

extension LXDServer {
    /// Stops (forcefully) if needed, then deletes; as `lxc delete --force`.
    func deleteInstanceForce(_ name: String) throws {
        let instance = try getInstance(name)
        if instance.statusCode != 0 && instance.statusCode != StatusCode.stopped.rawValue {
            try updateInstanceState(name, InstanceStatePut(action: "stop", timeout: -1, force: true)).wait()
        }
        try deleteInstance(name).wait()
    }
}
