import CShim
import Glibc

/// TCP plumbing: LXD-style addresses ("127.0.0.1:8443", "[::1]:8443", ":8443", "host"),
/// connect and listen. Every fd is close-on-exec.
public enum TCPSocket {
    /// LXD's default HTTPS port.
    public static let defaultPort = 8443

    /// Splits "host:port", "[v6]:port", ":port" or a bare host (default port).
    public static func split(_ address: String, defaultPort: Int = TCPSocket.defaultPort) -> (host: String, port: Int)? {
        var host = address
        var port = defaultPort
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]") else { return nil }
            host = String(address[address.index(after: address.startIndex)..<close])
            let rest = address[address.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { return nil }
                port = value
            }
        } else if let colon = address.lastIndex(of: ":"), address.firstIndex(of: ":") == colon {
            host = String(address[..<colon])
            guard let value = Int(address[address.index(after: colon)...]) else { return nil }
            port = value
        }
        guard (0...65535).contains(port) else { return nil }
        return (host, port)
    }

    /// "host:port" with IPv6 hosts in brackets, as Go joins them.
    public static func join(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Connects to `host:port` (first address that answers).
    static func connect(host: String, port: Int) throws -> SocketStream {
        let display = join(host: host, port: port)
        var lastError: Int32 = ECONNREFUSED
        for address in try resolve(host: host, port: port, passive: false) {
            let fd = lxd_os_socket_cloexec(address.family, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else {
                lastError = -fd
                continue
            }
            var rc: Int32
            repeat {
                rc = address.storage.withUnsafeBytes { raw in
                    Glibc.connect(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), address.length)
                }
            } while rc != 0 && errno == EINTR
            if rc == 0 {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return SocketStream(fd: fd)
            }
            lastError = errno
            Glibc.close(fd)
        }
        throw HTTPError.connectTCP(address: display, errno: lastError)
    }

    /// Binds and listens on `address` (LXD's `core.https_address` syntax); returns the fd and the
    /// bound "host:port" (the real port when 0 was asked for).
    static func listen(address: String, backlog: Int32) throws -> (fd: Int32, bound: String) {
        guard let (host, port) = split(address) else { throw HTTPError.listen(path: address, call: "parse", errno: EINVAL) }
        let candidates = try resolve(host: host.isEmpty ? "::" : host, port: port, passive: true)
        var lastError: Int32 = EADDRNOTAVAIL
        for address in candidates {
            let fd = lxd_os_socket_cloexec(address.family, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else {
                lastError = -fd
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if address.family == AF_INET6 {
                var zero: Int32 = 0  // "[::]" and ":port" take IPv4 too, as Go's listener does
                setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
            }
            let bound = address.storage.withUnsafeBytes { raw in
                Glibc.bind(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), address.length)
            }
            guard bound == 0 else {
                lastError = errno
                Glibc.close(fd)
                continue
            }
            guard Glibc.listen(fd, backlog) == 0 else {
                lastError = errno
                Glibc.close(fd)
                continue
            }
            return (fd, join(host: host, port: localPort(fd) ?? port))
        }
        throw HTTPError.listen(path: join(host: host, port: port), call: "bind", errno: lastError)
    }

    /// The peer of an accepted socket as "host:port".
    static func peerAddress(_ fd: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return describe(&storage, length)
    }

    private static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0, let text = describe(&storage, length), let (_, port) = split(text) else { return nil }
        return port
    }

    private static func describe(_ storage: inout sockaddr_storage, _ length: socklen_t) -> String? {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let rc = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard rc == 0 else { return nil }
        let hostText = text(host)
        return join(host: hostText, port: Int(text(service)) ?? 0)
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private struct ResolvedAddress {
        var family: Int32
        var storage: [UInt8]
        var length: socklen_t
    }

    private static func resolve(host: String, port: Int, passive: Bool) throws -> [ResolvedAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0 else {
            throw HTTPError.resolve(host: host, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(result) }
        var addresses: [ResolvedAddress] = []
        var cursor = result
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                let bytes = Array(UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen)))
                addresses.append(ResolvedAddress(family: info.pointee.ai_family, storage: bytes, length: info.pointee.ai_addrlen))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
