import Foundation
import Glibc
import Testing

@testable import LXDHTTP

/// Upgrades and echoes every message back until the peer goes away.
@Sendable func echoWebSocket(_ connection: HTTPServerConnection) {
    guard let socket = try? connection.upgradeToWebSocket() else { return }
    defer { socket.close() }
    while let message = try? socket.receive() {
        switch message {
        case .text(let text): try? socket.sendText(text)
        case .binary(let data): try? socket.sendBinary(data)
        }
    }
}

let handshake =
    "GET /1.0/events HTTP/1.1\r\nHost: lxd\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

@Suite struct WebSocketTests {
    @Test func acceptKeyMatchesRFC() throws {
        #expect(try WebSocketHandshake.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(WebSocketHandshake.isValidKey(WebSocketHandshake.newKey()))
        #expect(!WebSocketHandshake.isValidKey("c2hvcnQ="))
    }

    @Test func echoTextBinaryAndEmptyText() throws {
        try withServer(echoWebSocket) { server in
            let socket = try server.client.webSocket("/1.0/operations/x/websocket?secret=abc")
            defer { socket.close() }
            try socket.sendText("hello")
            #expect(try socket.receive() == .text("hello"))
            try socket.sendBinary(Data([0, 1, 2, 255]))
            #expect(try socket.receive() == .binary(Data([0, 1, 2, 255])))
            try socket.sendText("")
            #expect(try socket.receive() == .text(""))
            try socket.sendText("héllo ✓")
            #expect(try socket.receive() == .text("héllo ✓"))
            try socket.sendBinary(Data())
            #expect(try socket.receive() == .binary(Data()))
        }
    }

    @Test(arguments: [125, 126, 65_535, 65_536, 1 << 20])
    func echoLargeBinary(size: Int) throws {
        try withServer(echoWebSocket) { server in
            let socket = try server.client.webSocket("/ws")
            defer { socket.close() }
            let payload = Data(randomBytes(size, seed: UInt64(size)))
            try socket.sendBinary(payload)
            #expect(try socket.receive() == .binary(payload))
        }
    }

    @Test func fragmentedFramesWrittenRaw() throws {
        try withServer(echoWebSocket) { server in
            let connection = try server.connect()
            try connection.write(handshake)
            let response = try connection.read(until: "\r\n\r\n")
            #expect(response.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
            #expect(response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
            // "Hel" + ping in between + "lo" + "" (empty final fragment), all in one write.
            var bytes = clientFrame(.text, Array("Hel".utf8), fin: false)
            bytes += clientFrame(.ping, Array("p1".utf8))
            bytes += clientFrame(.continuation, Array("lo".utf8), fin: false)
            bytes += clientFrame(.continuation, [], fin: true)
            bytes += clientFrame(.binary, [1, 2], fin: false)
            bytes += clientFrame(.continuation, [3], fin: true)
            try connection.write(bytes)
            #expect(try connection.readFrame() == WebSocketFrame(fin: true, opcode: .pong, payload: Array("p1".utf8)))
            #expect(try connection.readFrame() == WebSocketFrame(fin: true, opcode: .text, payload: Array("Hello".utf8)))
            #expect(try connection.readFrame() == WebSocketFrame(fin: true, opcode: .binary, payload: [1, 2, 3]))
        }
    }

    @Test func framesSentWithTheHandshakeAreKept() throws {
        try withServer(echoWebSocket) { server in
            let connection = try server.connect()
            try connection.write(Array(handshake.utf8) + clientFrame(.text, Array("early".utf8)))
            _ = try connection.read(until: "\r\n\r\n")
            #expect(try connection.readFrame()?.payload == Array("early".utf8))
        }
    }

    @Test func pingIsAnsweredWithPong() throws {
        try withServer(echoWebSocket) { server in
            let connection = try server.connect()
            try connection.write(handshake)
            _ = try connection.read(until: "\r\n\r\n")
            try connection.write(clientFrame(.ping, Array("keepalive".utf8)))
            #expect(try connection.readFrame() == WebSocketFrame(fin: true, opcode: .pong, payload: Array("keepalive".utf8)))
            // Pongs are ignored, the next message still arrives.
            try connection.write(clientFrame(.pong, []) + clientFrame(.text, Array("after".utf8)))
            #expect(try connection.readFrame()?.payload == Array("after".utf8))
        }
    }

    @Test func clientAnswersServerPing() throws {
        let (a, b) = try socketPair()
        let server = WebSocket(stream: a, role: .server)
        let client = WebSocket(stream: b, role: .client)
        defer {
            server.close()
            client.close()
        }
        try server.sendPing()
        try server.sendText("x")
        #expect(try client.receive() == .text("x"))  // answered the ping on the way
        try client.sendText("y")
        #expect(try server.receive() == .text("y"))  // the pong was skipped
    }

    @Test func peerJustClosingGivesNil() throws {
        try withServer({ connection in
            guard let socket = try? connection.upgradeToWebSocket() else { return }
            try? socket.sendText("bye")
            socket.close()  // no close frame, as LXD does
        }) { server in
            let socket = try server.client.webSocket("/ws")
            defer { socket.close() }
            #expect(try socket.receive() == .text("bye"))
            #expect(try socket.receive() == nil)
            #expect(try socket.receive() == nil)
        }
    }

    @Test func closeFrameIsAnsweredAndEndsReceive() throws {
        let (a, b) = try socketPair()
        let server = WebSocket(stream: a, role: .server)
        defer { server.close() }
        let raw = RawConnection(stream: b)
        try raw.write(clientFrame(.close, [0x03, 0xE8]))
        #expect(try server.receive() == nil)
        #expect(try raw.readFrame()?.opcode == .close)
        #expect(throws: HTTPError.self) { try server.sendText("late") }
    }

    @Test func serverRejectsUnmaskedFrames() throws {
        let (a, b) = try socketPair()
        let server = WebSocket(stream: a, role: .server)
        defer { server.close() }
        let raw = RawConnection(stream: b)
        try raw.write(WebSocketFrame.encode(opcode: .text, payload: Array("x".utf8), mask: nil))
        #expect(throws: HTTPError.self) { try server.receive() }
        let close = try #require(try raw.readFrame())
        #expect(close.opcode == .close)
        #expect(close.payload.prefix(2) == [0x03, 0xEA])  // 1002
    }

    @Test func clientRejectsMaskedFrames() throws {
        let (a, b) = try socketPair()
        let client = WebSocket(stream: a, role: .client)
        defer { client.close() }
        let raw = RawConnection(stream: b)
        try raw.write(clientFrame(.text, Array("x".utf8)))
        #expect(throws: HTTPError.self) { try client.receive() }
    }

    @Test func clientFramesAreMaskedServerFramesAreNot() throws {
        let (a, b) = try socketPair()
        let client = WebSocket(stream: a, role: .client)
        let server = WebSocket(stream: b, role: .server)
        defer {
            client.close()
            server.close()
        }
        let (c, d) = try socketPair()
        let rawClientSide = WebSocket(stream: c, role: .client)
        defer { rawClientSide.close() }
        let raw = RawConnection(stream: d)
        try rawClientSide.sendText("masked")
        let bytes = try raw.readSome()
        #expect(bytes[1] & 0x80 != 0)
        #expect(!bytes.starts(with: [0x81, 0x86] + Array("masked".utf8)))
        // And the server side writes unmasked frames that the client accepts.
        try server.sendText("plain")
        #expect(try client.receive() == .text("plain"))
    }

    @Test func reservedBitsAndOpcodesAreRejected() throws {
        for first: UInt8 in [0xC1, 0xA1, 0x91, 0x83, 0x8B] {
            let (a, b) = try socketPair()
            let server = WebSocket(stream: a, role: .server)
            let raw = RawConnection(stream: b)
            var frame = clientFrame(.text, Array("x".utf8))
            frame[0] = first
            try raw.write(frame)
            #expect(throws: HTTPError.self) { try server.receive() }
            #expect(try raw.readFrame()?.opcode == .close)
            server.close()
        }
    }

    @Test func messageSizeCap() throws {
        let (a, b) = try socketPair()
        let server = WebSocket(stream: a, role: .server, maxMessageSize: 1000)
        defer { server.close() }
        let raw = RawConnection(stream: b)
        try raw.write(
            clientFrame(.binary, [UInt8](repeating: 1, count: 600), fin: false)
                + clientFrame(.continuation, [UInt8](repeating: 2, count: 600)))
        #expect(throws: HTTPError.self) { try server.receive() }
        #expect(try raw.readFrame()?.payload.prefix(2) == [0x03, 0xF1])  // 1009
    }

    @Test func closeUnblocksReceive() throws {
        let (a, b) = try socketPair()
        let socket = WebSocket(stream: a, role: .client)
        let reader = Background { () -> String in
            do {
                let message = try socket.receive()
                return message == nil ? "nil" : "message"
            } catch {
                return "error: \(error)"
            }
        }
        usleep(100_000)
        let start = ContinuousClock.now
        socket.close()
        socket.close()
        let result = reader.wait()
        #expect(result == "nil")
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(throws: HTTPError.self) { try socket.sendText("closed") }
        b.close()
    }

    @Test func concurrentSendersDoNotInterleave() throws {
        try withServer(echoWebSocket) { server in
            let socket = try server.client.webSocket("/ws")
            defer { socket.close() }
            let payload = Data(repeating: 7, count: 100_000)
            let senders = (0..<4).map { _ in
                Background { () -> Bool in
                    for _ in 0..<10 { guard (try? socket.sendBinary(payload)) != nil else { return false } }
                    return true
                }
            }
            var received = 0
            while received < 40, let message = try socket.receive() {
                #expect(message == .binary(payload))
                received += 1
            }
            #expect(received == 40)
            for sender in senders { #expect(sender.wait() == true) }
        }
    }

    @Test func badHandshakeGets400() throws {
        try withServer(echoWebSocket) { server in
            let connection = try server.connect()
            try connection.write(
                "GET /ws HTTP/1.1\r\nHost: lxd\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
            )
            let all = try connection.readToEOF()
            #expect(all.hasPrefix("HTTP/1.1 400 "))
            #expect(all.contains("Sec-WebSocket-Version: 13"))
        }
    }

    @Test func clientSurfacesNon101Status() throws {
        try withServer({ connection in
            try? connection.send(status: 403, headers: ["Content-Type": "application/json"], body: #"{"error":"not authorized"}"#)
        }) { server in
            do {
                _ = try server.client.webSocket("/ws")
                Issue.record("handshake must fail")
            } catch let HTTPError.unexpectedStatus(status, body) {
                #expect(status == 403)
                #expect(String(decoding: body, as: UTF8.self) == #"{"error":"not authorized"}"#)
            }
        }
    }

    @Test func longLivedSocketAfterHandlerReturns() throws {
        // The handler hands the socket to another thread and returns at once (like the events hub).
        try withServer({ connection in
            guard let socket = try? connection.upgradeToWebSocket() else { return }
            _ = Background { () -> Bool in
                defer { socket.close() }
                while let message = try? socket.receive() {
                    if case .text(let text) = message { try? socket.sendText(text.uppercased()) }
                }
                return true
            }
        }) { server in
            let socket = try server.client.webSocket("/ws")
            defer { socket.close() }
            try socket.sendText("abc")
            #expect(try socket.receive() == .text("ABC"))
        }
    }
}

@Suite struct HTTPServerShutdownTests {
    @Test func closeConnectionsEndsLongLivedHandlers() throws {
        let server = try TestServer(handler: echoWebSocket)
        let socket = try server.client.webSocket("/1.0/events")
        defer { socket.close() }
        try socket.sendText("ping")
        #expect(try socket.receive() == .text("ping"))
        #expect(server.server.activeConnections == 1)
        server.server.closeConnections()
        #expect(try socket.receive() == nil)  // the server side went away
        server.shutdown()
    }
}
