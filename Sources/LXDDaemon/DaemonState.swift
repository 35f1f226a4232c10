import Foundation
import LXDAPI
import LXDCore

/// What handlers use: a small bundle of the daemon's subsystems (no god object).
struct DaemonState: Sendable {
    let paths: DaemonPaths
    let database: Database
    let events: EventHub
    let operations: OperationRegistry
    let images: ImageStore
    let instances: InstanceManager
    let networks: NetworkManager
    let host: HostInfo
    /// The TLS identity, the trusted certificates and the network listener (remotes).
    let serverCertificate: ServerCertificate
    let trust: TrustStore
    let https: HTTPSEndpoint
    let logger: Logger
    /// The pools (owned by the instance manager, which makes every instance volume through them).
    var storage: StorageManager { instances.storage }
    /// Asks the daemon to exit (after `PUT /internal/shutdown` answered).
    let requestExit: @Sendable () -> Void
}
