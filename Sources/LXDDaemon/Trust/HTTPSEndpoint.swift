import Foundation
import LXDAPI
import LXDHTTP
import Synchronization
import TLS

/// The network listener of `core.https_address`: the same API as the unix socket, over TLS.
/// Started, moved and stopped live when the key changes (LXD's `NetworkUpdateAddress`).
final class HTTPSEndpoint: Sendable {
    private struct State {
        var server: HTTPServer?
        var address = ""
        var handler: (@Sendable (HTTPServerConnection) -> Void)?
    }

    private let state = Mutex(State())
    let context: TLSContext

    init(context: TLSContext) {
        self.context = context
    }

    /// The request handler (the daemon's dispatcher), set once it exists.
    func setHandler(_ handler: @escaping @Sendable (HTTPServerConnection) -> Void) {
        state.withLock { $0.handler = handler }
    }

    /// Listens on `address` ("" stops listening). The old listener is closed only once the new
    /// one is bound, so that a bad address leaves the current one in place.
    func apply(_ address: String) throws {
        let (current, handler) = state.withLock { ($0.address, $0.handler) }
        guard address != current else { return }
        var replacement: HTTPServer?
        if !address.isEmpty {
            try Self.validate(address)
            guard let handler else { throw LXDError.internalError("The API handler is not ready") }
            do {
                replacement = try HTTPServer(tcpAddress: address, tls: context, handler: handler)
            } catch {
                throw LXDError.badRequest("Cannot listen on network HTTPS socket \"\(address)\": \(error)")
            }
            replacement?.start()
        }
        let old = state.withLock { state -> HTTPServer? in
            let old = state.server
            state.server = replacement
            state.address = address
            return old
        }
        old?.stop()
        old?.closeConnections()
    }

    /// LXD's checks of the address syntax before it tries to listen.
    static func validate(_ address: String) throws {
        guard let (_, port) = TCPSocket.split(address, defaultPort: TCPSocket.defaultPort) else {
            let portText = address.split(separator: ":").last.map(String.init) ?? address
            throw LXDError.badRequest("Cannot listen on network HTTPS socket \"\(address)\": listen tcp: address \(portText): invalid port")
        }
        _ = port
    }

    func stop() {
        let old = state.withLock { state -> HTTPServer? in
            defer {
                state.server = nil
                state.address = ""
            }
            return state.server
        }
        old?.stop()
        old?.closeConnections()
    }

    /// The bound address ("127.0.0.1:8443"), nil when not listening.
    var boundAddress: String? { state.withLock { $0.server?.address } }

    /// `environment.addresses`: the configured address with its port, or every address of the
    /// host for a wildcard one (LXD's `ListenAddresses`).
    var addresses: [String] {
        let configured = state.withLock { $0.server == nil ? "" : $0.address }
        guard !configured.isEmpty, let (host, port) = TCPSocket.split(configured) else { return [] }
        guard host.isEmpty || host == "::" || host == "0.0.0.0" || host == "[::]" else { return [TCPSocket.join(host: host, port: port)] }
        return Self.hostAddresses(includeIPv6: host != "0.0.0.0").map { TCPSocket.join(host: $0, port: port) }
    }

    private static func hostAddresses(includeIPv6: Bool) -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var result: [String] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || (includeIPv6 && family == AF_INET6) else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("fe80") || text.contains("%") { continue }  // link-local, as LXD skips them
            result.append(text)
        }
        return result
    }
}
