import Foundation
import Glibc
import Synchronization
import Testing

@testable import LXDHTTP

/// A server on a unix socket in a fresh /tmp directory; `shutdown()` stops it, waits for its
/// connection threads to end and removes the directory.
final class TestServer {
    let directory: String
    let socketPath: String
    let server: HTTPServer
    let client: HTTPClient

    init(handler: @escaping @Sendable (HTTPServerConnection) -> Void) throws {
        directory = try makeTempDirectory()
        socketPath = directory + "/unix.socket"
        server = try HTTPServer(unixSocketPath: socketPath, handler: handler)
        server.start()
        client = HTTPClient(unixSocketPath: socketPath)
    }

    func shutdown() {
        server.closeConnections()
        server.stop()
        let deadline = ContinuousClock.now + .seconds(5)
        while server.activeConnections > 0, ContinuousClock.now < deadline { usleep(2_000) }
        #expect(server.activeConnections == 0, "connection threads left behind")
        #expect(access(socketPath, F_OK) != 0, "socket file left behind")
        try? FileManager.default.removeItem(atPath: directory)
    }

    func connect() throws -> RawConnection {
        RawConnection(stream: try UnixSocket.connect(path: socketPath))
    }
}

func withServer(_ handler: @escaping @Sendable (HTTPServerConnection) -> Void, _ body: (TestServer) throws -> Void) throws {
    let server = try TestServer(handler: handler)
    defer { server.shutdown() }
    try body(server)
}

func makeTempDirectory() throws -> String {
    var template = Array("/tmp/lxdhttp-test-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress.map { mkdtemp($0) != nil } ?? false
    }
    guard made else { throw HTTPError.io(operation: "mkdtemp", errno: errno) }
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A raw client connection for writing hand-made bytes and reading what comes back.
final class RawConnection {
    let stream: SocketStream
    var pending: [UInt8] = []

    init(stream: SocketStream) {
        self.stream = stream
    }

    deinit { stream.close() }

    func write(_ text: String) throws { try stream.write(Array(text.utf8)) }
    func write(_ bytes: [UInt8]) throws { try stream.write(bytes) }

    /// Reads once (waiting up to `timeout` ms); empty at EOF or timeout.
    func readSome(timeout: Int32 = 5000) throws -> [UInt8] {
        guard try stream.waitReadable(timeoutMilliseconds: timeout) else { return [] }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        return Array(buffer[0..<n])
    }

    /// Reads until EOF (or a 5 s stall).
    func readToEOF() throws -> String {
        var out = pending
        pending = []
        while true {
            let piece = try readSome()
            if piece.isEmpty { break }
            out += piece
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads until the received text contains `marker`; returns everything up to and including it.
    func read(until marker: String) throws -> String {
        let needle = Array(marker.utf8)
        while true {
            if let range = pending.firstRange(of: needle) {
                let head = Array(pending[..<range.upperBound])
                pending.removeSubrange(..<range.upperBound)
                return String(decoding: head, as: UTF8.self)
            }
            let piece = try readSome()
            if piece.isEmpty { return String(decoding: pending, as: UTF8.self) }
            pending += piece
        }
    }

    /// Reads one websocket frame sent by a server (unmasked).
    func readFrame() throws -> WebSocketFrame? {
        while true {
            if let (frame, length) = try pending.withUnsafeBytes({ try WebSocketFrame.decode($0, requireMask: false, maxPayload: 64 << 20) }
            ) {
                pending.removeFirst(length)
                return frame
            }
            let piece = try readSome()
            if piece.isEmpty { return nil }
            pending += piece
        }
    }
}

/// An in-memory ByteStream: reads come from `input` (in pieces of at most `readSize`), writes
/// are collected.
final class MemoryStream: ByteStream {
    private struct State {
        var input: [UInt8]
        var offset = 0
        var output: [UInt8] = []
    }

    private let state: Mutex<State>
    private let readSize: Int

    init(_ input: [UInt8], readSize: Int = 4096) {
        state = Mutex(State(input: input))
        self.readSize = max(1, readSize)
    }

    var output: [UInt8] { state.withLock { $0.output } }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        state.withLock { state in
            let n = min(buffer.count, readSize, state.input.count - state.offset)
            guard n > 0 else { return 0 }
            state.input.withUnsafeBytes { all in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[state.offset..<(state.offset + n)]))
            }
            state.offset += n
            return n
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        state.withLock { $0.output.append(contentsOf: bytes) }
    }

    func waitReadable(timeoutMilliseconds: Int32) throws -> Bool { true }
    func shutdown() {}
    func shutdownWrite() {}
    func close() {}
}

/// Two connected unix sockets (close-on-exec), as SocketStreams.
func socketPair() throws -> (SocketStream, SocketStream) {
    var fds: [Int32] = [-1, -1]
    let rc = fds.withUnsafeMutableBufferPointer {
        socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, $0.baseAddress)
    }
    guard rc == 0 else { throw HTTPError.io(operation: "socketpair", errno: errno) }
    return (SocketStream(fd: fds[0]), SocketStream(fd: fds[1]))
}

/// Deterministic PRNG for fuzzing and test data (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// FNV-1a, enough to compare megabytes of test data.
struct FNV1a {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        for b in bytes {
            value ^= UInt64(b)
            value = value &* 0x0000_0100_0000_01B3
        }
    }
}

func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    var out = [UInt8](repeating: 0, count: count)
    var i = 0
    while i < count {
        var word = rng.next()
        for _ in 0..<8 where i < count {
            out[i] = UInt8(word & 0xFF)
            word >>= 8
            i += 1
        }
    }
    return out
}

/// Masks and frames a payload the way a client must.
func clientFrame(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
    WebSocketFrame.encode(opcode: opcode, fin: fin, payload: payload, mask: (0x12, 0x34, 0x56, 0x78))
}

/// Runs `body` on a new thread; `wait` returns its result or nil after `timeout`.
final class Background<T: Sendable>: Sendable {
    private let result = Mutex<T?>(nil)
    private let done = Atomic<Bool>(false)

    init(_ body: @escaping @Sendable () -> T) {
        let thread = Thread { [self] in
            let value = body()
            result.withLock { $0 = value }
            done.store(true, ordering: .releasing)
        }
        thread.start()
    }

    func wait(timeout: Duration = .seconds(5)) -> T? {
        let deadline = ContinuousClock.now + timeout
        while !done.load(ordering: .acquiring), ContinuousClock.now < deadline { usleep(1_000) }
        return result.withLock { $0 }
    }
}
