/// A bidirectional byte transport under HTTP and WebSocket: a unix socket now, TLS over TCP later.
///
/// Implementations must allow `shutdown()` and `close()` from any thread while another thread is
/// blocked in `read(into:)` or `write(_:)`: that is how a websocket reader is unblocked.
public protocol ByteStream: AnyObject, Sendable {
    /// Reads at most `buffer.count` bytes; returns 0 at end of stream (also after `close()`).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Writes all of `bytes` or throws.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Waits until a read would not block (data, end of stream or an error); false on timeout.
    func waitReadable(timeoutMilliseconds: Int32) throws -> Bool
    /// Shuts both directions down: blocked readers see end of stream, the peer sees EOF.
    func shutdown()
    /// Shuts the sending direction down only (the peer reads EOF, we can still read).
    func shutdownWrite()
    /// Releases the transport; idempotent. Implies `shutdown()` for blocked users.
    func close()
}

extension ByteStream {
    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}
