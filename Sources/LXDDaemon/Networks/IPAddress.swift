import Foundation

/// An IPv4 or IPv6 address as its bytes (4 or 16), parsed and printed by libc's
/// `inet_pton`/`inet_ntop` (RFC 5952 text for IPv6).
struct IPAddress: Hashable, Sendable, CustomStringConvertible, Comparable {
    let bytes: [UInt8]

    var isIPv4: Bool { bytes.count == 4 }
    var family: String { isIPv4 ? "inet" : "inet6" }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    init?(_ text: String) {
        guard !text.isEmpty, !text.contains("/"), !text.contains("%") else { return nil }
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        }
    }

    var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var copy = bytes
        let family = isIPv4 ? AF_INET : AF_INET6
        guard inet_ntop(family, &copy, &buffer, socklen_t(buffer.count)) != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        lhs.bytes.count != rhs.bytes.count ? lhs.bytes.count < rhs.bytes.count : lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// The address `offset` above this one (wrapping within the family's width).
    func adding(_ offset: UInt64) -> IPAddress {
        var result = bytes
        var carry = offset
        var index = result.count - 1
        while carry > 0 && index >= 0 {
            let sum = UInt64(result[index]) + (carry & 0xff)
            result[index] = UInt8(sum & 0xff)
            carry = (carry >> 8) + (sum >> 8)
            index -= 1
        }
        return IPAddress(bytes: result)
    }

    /// The EUI-64 SLAAC address of `mac` in a /64 (what a container configures from a router
    /// advertisement without privacy extensions).
    static func slaac(prefix: IPAddress, mac: String) -> IPAddress? {
        let parts = mac.split(separator: ":").compactMap { UInt8($0, radix: 16) }
        guard !prefix.isIPv4, parts.count == 6 else { return nil }
        var bytes = Array(prefix.bytes.prefix(8))
        bytes += [parts[0] ^ 0x02, parts[1], parts[2], 0xff, 0xfe, parts[3], parts[4], parts[5]]
        return IPAddress(bytes: bytes)
    }
}

/// An address with a prefix length, as in `ipv4.address=10.0.3.1/24` (LXD's CIDR values keep
/// the host part: the address is the bridge's own).
struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    let address: IPAddress
    let prefix: Int

    init(address: IPAddress, prefix: Int) {
        self.address = address
        self.prefix = prefix
    }

    /// Parses `ADDRESS/PREFIX`; nil for anything else (the caller words the error).
    init?(cidr text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(String(parts[0])), !parts[1].isEmpty,
            parts[1].allSatisfy({ ("0"..."9").contains($0) }),
            parts[1].count <= 3, let prefix = Int(parts[1]), prefix <= address.bytes.count * 8
        else { return nil }
        self.address = address
        self.prefix = prefix
    }

    var description: String { "\(address)/\(prefix)" }
    var isIPv4: Bool { address.isIPv4 }

    /// The network address (host bits cleared).
    var network: IPAddress {
        IPAddress(bytes: address.bytes.enumerated().map { index, byte in byte & Self.maskByte(index, prefix) })
    }

    /// The highest address of the subnet.
    var last: IPAddress {
        IPAddress(bytes: address.bytes.enumerated().map { index, byte in byte | ~Self.maskByte(index, prefix) })
    }

    /// `10.0.3.0/24` for `10.0.3.1/24`.
    var subnet: IPNetwork { IPNetwork(address: network, prefix: prefix) }

    func contains(_ other: IPAddress) -> Bool {
        guard other.bytes.count == address.bytes.count else { return false }
        for index in 0..<other.bytes.count where other.bytes[index] & Self.maskByte(index, prefix) != network.bytes[index] {
            return false
        }
        return true
    }

    func overlaps(_ other: IPNetwork) -> Bool {
        guard isIPv4 == other.isIPv4 else { return false }
        return prefix <= other.prefix ? contains(other.address) : other.contains(address)
    }

    private static func maskByte(_ index: Int, _ prefix: Int) -> UInt8 {
        let bits = max(0, min(8, prefix - index * 8))
        return bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bits))
    }
}

/// A `start-end` range as in `ipv4.dhcp.ranges`.
struct IPRange: Hashable, Sendable {
    let start: IPAddress
    let end: IPAddress

    /// LXD's list syntax: comma separated `START-END` items of one family.
    static func parseList(_ text: String, ipv4: Bool) throws(NetworkConfigError) -> [IPRange] {
        var ranges: [IPRange] = []
        let familyName = ipv4 ? "IPv4" : "IPv6"
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard bounds.count == 2 else { throw NetworkConfigError("Item \"\(item)\": IP range must contain start and end IP addresses") }
            var addresses: [IPAddress] = []
            for bound in bounds {
                guard let address = IPAddress(bound), address.isIPv4 == ipv4 else {
                    throw NetworkConfigError("Item \"\(item)\": Not an \(familyName) address \"\(bound)\"")
                }
                addresses.append(address)
            }
            ranges.append(IPRange(start: addresses[0], end: addresses[1]))
        }
        return ranges
    }
}

/// A refused config value; callers prefix the network and key.
struct NetworkConfigError: Error, Equatable, CustomStringConvertible {
    let message: String
    /// A named network that does not exist (LXD answers 404 for it where it answers 500 otherwise).
    var isNotFound = false
    init(_ message: String, isNotFound: Bool = false) {
        self.message = message
        self.isNotFound = isNotFound
    }
    var description: String { message }
}
