import CShim

/// One TLS connection over a socket fd the caller owns (an OpenSSL `SSL`). Not thread-safe:
/// the caller serialises every call (`TLSStream` holds a lock around each step and waits for
/// the socket outside it).
public final class TLSSession: @unchecked Sendable {
    // Every call happens under the owner's lock (see the type comment).
    /// What a step needs before it can go on.
    public enum Step: Equatable, Sendable {
        case done(Int)
        case wantRead
        case wantWrite
        case closed
    }

    private let pointer: UnsafeMutableRawPointer
    private let context: TLSContext

    /// Starts a session on `fd` as the context's role. `serverName` is sent as SNI by clients.
    public init(context: TLSContext, fd: Int32, serverName: String? = nil) throws {
        guard let pointer = lxd_ssl_new(context.pointer, fd, context.role == .server ? 1 : 0, serverName) else {
            throw TLSError.library("Failed creating TLS session: \(TLSError.lastError())")
        }
        self.pointer = pointer
        self.context = context
    }

    deinit { lxd_ssl_free(pointer) }

    /// One handshake step; `.done(0)` once the handshake is complete.
    public func handshakeStep() throws -> Step {
        try step(lxd_ssl_handshake_step(pointer), handshake: true)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Step {
        try step(lxd_ssl_read(pointer, buffer.baseAddress, Int32(clamping: buffer.count)), handshake: false)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws -> Step {
        try step(lxd_ssl_write(pointer, bytes.baseAddress, Int32(clamping: bytes.count)), handshake: false)
    }

    /// Bytes decrypted and buffered already (a poll on the socket would not see them).
    public var pending: Int { Int(lxd_ssl_pending(pointer)) }

    /// Sends close_notify, best effort.
    public func shutdown() { lxd_ssl_shutdown(pointer) }

    public var protocolVersion: String { String(cString: lxd_ssl_version(pointer)) }

    /// The peer's certificate (DER), if it sent one.
    public var peerCertificate: X509Certificate? {
        var buffer: UnsafeMutablePointer<UInt8>?
        let length = lxd_ssl_peer_certificate(pointer, &buffer)
        guard length > 0, let buffer else { return nil }
        defer { lxd_ssl_free_buffer(buffer) }
        return try? X509Certificate(der: Array(UnsafeBufferPointer(start: buffer, count: Int(length))))
    }

    private func step(_ result: Int32, handshake: Bool) throws -> Step {
        if result >= 0 { return .done(Int(result)) }
        switch result {
        case LXD_SSL_WANT_READ: return .wantRead
        case LXD_SSL_WANT_WRITE: return .wantWrite
        case LXD_SSL_CLOSED:
            if handshake { throw TLSError.handshake("connection closed by peer") }
            return .closed
        default:
            let message = TLSError.lastError()
            throw handshake ? TLSError.handshake(message) : TLSError.library(message)
        }
    }
}
