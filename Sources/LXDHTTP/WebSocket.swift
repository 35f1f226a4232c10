import Foundation
import Synchronization

/// A websocket message. An empty text message is meaningful (LXD's exec EOF marker).
public enum WebSocketMessage: Sendable, Equatable {
    case text(String)
    case binary(Data)
}

/// An RFC 6455 websocket over a `ByteStream` that it owns.
///
/// Sends are serialised by a mutex and may come from any thread; `receive()` is meant for one
/// reader thread at a time (a second reader waits for the first). `close()` from any thread
/// unblocks a reader, whose `receive()` then returns nil. No permessage-deflate, no subprotocols.
public final class WebSocket: Sendable {
    public enum Role: Sendable {
        /// Frames we send are unmasked; frames we receive must be masked.
        case server
        /// Frames we send are masked; frames we receive must not be.
        case client
    }

    private struct ReaderState {
        var buffer: InputBuffer
        var assembler: WebSocketMessageAssembler
        var isFinished = false
    }

    private struct SenderState {
        var isCloseSent = false
    }

    public let role: Role
    /// Largest message (reassembled) accepted from the peer.
    public let maxMessageSize: Int
    private let stream: any ByteStream
    private let reader: Mutex<ReaderState>
    private let sender = Mutex(SenderState())
    private let closed = Atomic<Bool>(false)

    /// Takes ownership of `stream`; `buffered` holds bytes already read past the handshake.
    public init(stream: some ByteStream, role: Role, buffered: [UInt8] = [], maxMessageSize: Int = 32 << 20) {
        self.stream = stream
        self.role = role
        self.maxMessageSize = maxMessageSize
        reader = Mutex(
            ReaderState(buffer: InputBuffer(bytes: buffered), assembler: WebSocketMessageAssembler(maxMessageSize: maxMessageSize)))
    }

    /// Takes ownership of a connected socket `fd`.
    public convenience init(fd: Int32, role: Role, buffered: [UInt8] = [], maxMessageSize: Int = 32 << 20) {
        self.init(stream: SocketStream(fd: fd), role: role, buffered: buffered, maxMessageSize: maxMessageSize)
    }

    deinit {
        stream.close()
    }

    // MARK: Sending

    public func sendText(_ text: String) throws {
        var text = text
        try text.withUTF8 { try send(.text, UnsafeRawBufferPointer($0)) }
    }

    public func sendBinary(_ data: Data) throws {
        try data.withUnsafeBytes { try send(.binary, $0) }
    }

    /// For pumping pipes without copying into a `Data` first.
    public func sendBinary(_ bytes: UnsafeRawBufferPointer) throws {
        try send(.binary, bytes)
    }

    public func sendPing(_ payload: [UInt8] = Array("keepalive".utf8)) throws {
        try payload.withUnsafeBytes { try send(.ping, UnsafeRawBufferPointer(rebasing: $0.prefix(125))) }
    }

    /// Sends a close frame (LXD peers never do; they just close the socket). Further sends throw.
    public func sendClose(code: UInt16 = 1000, reason: String = "") throws {
        var payload: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        payload.append(contentsOf: reason.utf8.prefix(123))
        try payload.withUnsafeBytes { try send(.close, $0) }
    }

    private func send(_ opcode: WebSocketFrame.Opcode, _ payload: UnsafeRawBufferPointer) throws {
        try sender.withLock { state in
            guard !state.isCloseSent, !closed.load(ordering: .acquiring) else { throw HTTPError.webSocketClosed }
            if opcode == .close { state.isCloseSent = true }
            switch role {
            case .client:
                var generator = SystemRandomNumberGenerator()
                let key = generator.next() as UInt32
                let mask = (UInt8(key >> 24), UInt8((key >> 16) & 0xFF), UInt8((key >> 8) & 0xFF), UInt8(key & 0xFF))
                try stream.write(WebSocketFrame.encode(opcode: opcode, payload: payload, mask: mask))
            case .server:
                if payload.count <= 64 << 10 {
                    try stream.write(WebSocketFrame.encode(opcode: opcode, payload: payload, mask: nil))
                } else {
                    try stream.write(WebSocketFrame.header(opcode: opcode, length: payload.count, mask: nil))
                    try stream.write(payload)
                }
            }
        }
    }

    // MARK: Receiving

    /// The next data message; nil when the peer closed the socket or sent a close frame, or after
    /// `close()`. Pings are answered with pongs, pongs are ignored. A protocol violation sends a
    /// close frame (best effort) and throws `HTTPError.webSocketProtocol`.
    public func receive() throws -> WebSocketMessage? {
        try reader.withLock { state -> WebSocketMessage? in
            while !state.isFinished {
                let decoded: (frame: WebSocketFrame, length: Int)?
                do {
                    decoded = try state.buffer.withReadable { bytes in
                        try WebSocketFrame.decode(bytes, requireMask: role == .server, maxPayload: maxMessageSize)
                    }
                } catch let error as WebSocketProtocolError {
                    state.isFinished = true
                    try? sendClose(code: error.code, reason: error.reason)
                    throw HTTPError.webSocketProtocol(error.reason)
                }
                guard let (frame, length) = decoded else {
                    let more: Bool
                    do {
                        more = try state.buffer.fill(from: stream, minimumFree: 64 << 10)
                    } catch {
                        state.isFinished = true
                        if closed.load(ordering: .acquiring) { return nil }
                        throw error
                    }
                    if !more {
                        state.isFinished = true
                        return nil
                    }
                    continue
                }
                state.buffer.consume(length)
                let event: WebSocketMessageAssembler.Event
                do {
                    event = try state.assembler.push(frame)
                } catch let error as WebSocketProtocolError {
                    state.isFinished = true
                    try? sendClose(code: error.code, reason: error.reason)
                    throw HTTPError.webSocketProtocol(error.reason)
                }
                switch event {
                case .message(let message):
                    state.buffer.shrink(ifLargerThan: 1 << 20)
                    return message
                case .ping(let payload):
                    try? payload.withUnsafeBytes { try send(.pong, $0) }
                case .pong, .pending:
                    continue
                case .close(let code):
                    state.isFinished = true
                    try? sendClose(code: code ?? 1000)
                    return nil
                }
            }
            return nil
        }
    }

    // MARK: Closing

    /// Ends our direction only (close_notify over TLS, then FIN): the peer reads the end of the
    /// stream and may still send, and a reader keeps receiving until the peer closes. Closing
    /// outright instead would answer the peer's late writes (a close frame) with a reset.
    public func shutdownSending() {
        let first = sender.withLock { state -> Bool in
            defer { state.isCloseSent = true }
            return !state.isCloseSent
        }
        if first, !closed.load(ordering: .acquiring) { stream.shutdownWrite() }
    }

    /// Shuts the socket down and closes it; idempotent. Unblocks a thread in `receive()`.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stream.shutdown()
        stream.close()
    }

    public var isClosed: Bool { closed.load(ordering: .acquiring) }
}
