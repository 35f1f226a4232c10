import Foundation
import Glibc
import Synchronization
import TLS
import Testing

@testable import LXDHTTP

/// HTTP and websockets over TLS on loopback: the same stack as the unix socket, the client's
/// certificate reaching the handler, the server's reaching the client's check.
@Suite struct TLSServerTests {
    let serverPair: (certificatePEM: String, keyPEM: String)
    let clientPair: (certificatePEM: String, keyPEM: String)

    init() throws {
        serverPair = try X509Certificate.generate(purpose: .server, commonName: "root@test", altNames: "DNS:test,IP:127.0.0.1")
        clientPair = try X509Certificate.generate(purpose: .client, commonName: "client@test", altNames: nil)
    }

    func makeServer(_ handler: @escaping @Sendable (HTTPServerConnection) -> Void) throws -> HTTPServer {
        let context = try TLSContext(role: .server, certificatePEM: serverPair.certificatePEM, keyPEM: serverPair.keyPEM)
        let server = try HTTPServer(tcpAddress: "127.0.0.1:0", tls: context, handler: handler)
        server.start()
        return server
    }

    func makeClient(
        _ server: HTTPServer, withCertificate: Bool = true, verify: @escaping @Sendable (X509Certificate?) throws -> Void = { _ in }
    )
        throws -> HTTPClient
    {
        let context = try TLSContext(
            role: .client, certificatePEM: withCertificate ? clientPair.certificatePEM : nil,
            keyPEM: withCertificate ? clientPair.keyPEM : nil)
        let (host, port) = try #require(TCPSocket.split(server.address))
        return HTTPClient(transport: .tls(host: host, port: port, context: context, verifyPeer: verify))
    }

    @Test func requestCarriesTheClientCertificate() throws {
        let clientFingerprint = try X509Certificate(pem: clientPair.certificatePEM).fingerprint
        let server = try makeServer { connection in
            let seen = connection.peerCertificate?.fingerprint ?? "none"
            try? connection.send(status: 200, body: "\(connection.isTLS) \(seen)")
        }
        defer { server.stop() }
        let serverFingerprint = try X509Certificate(pem: serverPair.certificatePEM).fingerprint
        let seenServer = Mutex<String>("")
        let client = try makeClient(server) { certificate in seenServer.withLock { $0 = certificate?.fingerprint ?? "" } }
        let response = try client.request("GET", "/1.0")
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "true \(clientFingerprint)")
        #expect(seenServer.withLock { $0 } == serverFingerprint)
        let anonymous = try makeClient(server, withCertificate: false)
        #expect(String(decoding: try anonymous.request("GET", "/").body, as: UTF8.self) == "true none")
    }

    @Test func refusedServerCertificateClosesTheConnection() throws {
        let server = try makeServer { connection in try? connection.send(status: 200, body: "ok") }
        defer { server.stop() }
        struct Refused: Error {}
        let client = try makeClient(server) { _ in throw Refused() }
        #expect(throws: Refused.self) { try client.request("GET", "/") }
    }

    @Test func largeBodiesBothWays() throws {
        let server = try makeServer { connection in
            guard let body = try? connection.readBody(limit: 64 << 20) else { return }
            try? connection.send(status: 200, body: body + body)
        }
        defer { server.stop() }
        let client = try makeClient(server)
        var payload = Data(count: 3 << 20)
        for index in stride(from: 0, to: payload.count, by: 4096) { payload[index] = UInt8(truncatingIfNeeded: index / 4096) }
        let response = try client.request("POST", "/echo", body: payload)
        #expect(response.body == payload + payload)
    }

    /// A websocket over TLS read on one thread while another writes (exec's pattern).
    @Test func webSocketReadsAndWritesConcurrently() throws {
        let server = try makeServer { connection in
            guard let socket = try? connection.upgradeToWebSocket() else { return }
            while let message = try? socket.receive() {
                guard case .binary(let data) = message else { break }
                try? socket.sendBinary(data)
            }
            socket.close()
        }
        defer { server.stop() }
        let client = try makeClient(server)
        let socket = try client.webSocket("/ws")
        let count = 200
        let writer = Thread {
            for index in 0..<count { try? socket.sendBinary(Data(repeating: UInt8(index % 256), count: 1000 + index)) }
        }
        writer.start()
        var received = 0
        while received < count, let message = try socket.receive() {
            guard case .binary(let data) = message else { break }
            #expect(data.count == 1000 + received)
            received += 1
        }
        #expect(received == count)
        socket.close()
    }

    @Test func connectionRefusedHasGoWording() throws {
        let context = try TLSContext(role: .client, certificatePEM: nil, keyPEM: nil)
        let client = HTTPClient(transport: .tls(host: "127.0.0.1", port: 1, context: context, verifyPeer: { _ in }))
        #expect(throws: HTTPError.self) { try client.request("GET", "/") }
        do {
            _ = try client.request("GET", "/")
        } catch {
            #expect(String(describing: error) == "dial tcp 127.0.0.1:1: connect: connection refused")
        }
    }

    @Test(arguments: [
        ("127.0.0.1:8443", "127.0.0.1", 8443), ("[::1]:9000", "::1", 9000), (":8443", "", 8443), ("host", "host", 8443),
        ("::1", "::1", 8443),
    ])
    func addressSplitting(_ text: String, _ host: String, _ port: Int) throws {
        let split = try #require(TCPSocket.split(text))
        #expect(split.host == host && split.port == port)
    }

    @Test(arguments: ["127.0.0.1:99999", "127.0.0.1:abc", "[::1", "[::1]x"])
    func badAddressesAreRefused(_ text: String) {
        #expect(TCPSocket.split(text) == nil)
    }
}
