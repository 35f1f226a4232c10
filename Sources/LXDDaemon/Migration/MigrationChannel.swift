import Foundation
import LXDAPI
import LXDHTTP

/// One migration websocket as LXD uses it: protobuf messages as binary frames on `control`;
/// byte streams on `fs`, each ended by an empty text frame (the "barrier" of LXD's
/// `WebsocketIO.Close`) so that several transfers can follow each other on one socket.
struct MigrationChannel: Sendable {
    let socket: WebSocket

    func send(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try socket.sendBinary($0) }
    }

    /// The next binary message (protobuf); text frames are a protocol error here.
    func receive() throws -> [UInt8] {
        guard let message = try socket.receive() else { throw MigrationError("Migration control connection closed") }
        guard case .binary(let data) = message else { throw MigrationError("Only binary messages allowed") }
        return [UInt8](data)
    }

    func sendHeader(_ header: MigrationHeader) throws { try send(header.encoded()) }
    func receiveHeader() throws -> MigrationHeader { try MigrationHeader(try receive()) }

    func sendControl(_ error: (any Error)?) {
        let message = error.map { ($0 as? LXDError)?.message ?? String(describing: $0) } ?? ""
        try? send(MigrationControl(success: error == nil, message: message).encoded())
    }

    func receiveControl() throws -> MigrationControl { try MigrationControl(try receive()) }

    // MARK: Streams

    func write(_ bytes: UnsafeRawBufferPointer) throws { try socket.sendBinary(bytes) }

    /// Ends the current stream in this direction.
    func sendBarrier() throws { try socket.sendText("") }

    /// Reads one stream: binary frames until the barrier. False when the socket ended instead.
    @discardableResult
    func readStream(_ consume: (Data) throws -> Void) throws -> Bool {
        while let message = try socket.receive() {
            switch message {
            case .binary(let data): try consume(data)
            case .text: return true
            }
        }
        return false
    }

    func close() { socket.close() }
}

/// A failure in the migration protocol, reported as LXD words it.
struct MigrationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
