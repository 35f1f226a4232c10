import Foundation
import LXDAPI

/// A `nic` device resolved against the managed networks: its kind (`bridged`, `macvlan`,
/// `p2p`), the host interface it hangs off, and the managed network it belongs to (if any).
struct NICDevice: Sendable, Equatable {
    let device: String
    let settings: [String: String]
    let nictype: String
    /// The bridge (bridged) or parent interface (macvlan); empty for p2p.
    let parent: String
    /// The managed network (the `network=` form, or a `parent` that is a managed bridge).
    let network: NetworkRecord?

    static let kinds: Set<String> = ["bridged", "macvlan", "p2p"]

    /// The `nic` devices of an expanded device map, in device-name order (LXD's order).
    static func nics(_ devices: Devices) -> [(String, [String: String])] {
        devices.filter { $0.value["type"] == "nic" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Resolves (and validates) one device; errors carry LXD's wording without the
    /// "Device validation failed" prefix the caller adds.
    static func resolve(_ device: String, _ settings: [String: String], networks: [NetworkRecord]) throws(NetworkConfigError) -> NICDevice {
        let networkName = settings["network"] ?? ""
        let nictypeSetting = settings["nictype"] ?? ""
        var managed: NetworkRecord?
        let nictype: String
        let parent: String
        if !networkName.isEmpty {
            guard let record = networks.first(where: { $0.name == networkName }) else {
                throw NetworkConfigError(
                    "Failed loading device \"\(device)\": Failed to load network \"\(networkName)\" for project \"default\": Network not found",
                    isNotFound: true)
            }
            guard nictypeSetting.isEmpty else {
                throw NetworkConfigError("Cannot use \"nictype\" property in conjunction with \"network\" property")
            }
            managed = record
            switch record.type {
            case "bridge":
                nictype = "bridged"
                parent = record.name
            case "macvlan":
                nictype = "macvlan"
                parent = record.config["parent"] ?? ""
            default:
                throw NetworkConfigError("Failed loading device \"\(device)\": Unsupported network type \"\(record.type)\"")
            }
        } else {
            guard !nictypeSetting.isEmpty else { throw NetworkConfigError("Failed loading device \"\(device)\": Unsupported device type") }
            guard kinds.contains(nictypeSetting) else {
                throw NetworkConfigError("Failed loading device \"\(device)\": Unsupported device type")
            }
            nictype = nictypeSetting
            parent = settings["parent"] ?? ""
            if nictype != "p2p" && parent.isEmpty {
                throw NetworkConfigError("Invalid value for device option \"parent\": Required value")
            }
            if nictype == "bridged" { managed = networks.first { $0.name == parent && $0.type == "bridge" } }
        }
        if let hwaddr = settings["hwaddr"], !hwaddr.isEmpty, !MACAddress.isValid(hwaddr) {
            throw NetworkConfigError(
                "Invalid value for device option \"hwaddr\": Invalid MAC address, must be 6 bytes of hex separated by colons")
        }
        if let mtu = settings["mtu"], !mtu.isEmpty, Int(mtu).map({ $0 < 68 || $0 > 65535 }) ?? true {
            throw NetworkConfigError("Invalid value for device option \"mtu\": Invalid MTU \"\(mtu)\"")
        }
        if let hostName = settings["host_name"], !hostName.isEmpty, hostName.utf8.count > 15 || hostName.contains("/") {
            throw NetworkConfigError("Invalid value for device option \"host_name\": Network interface is too long (maximum 15 characters)")
        }
        for key in ["limits.ingress", "limits.egress", "limits.max"] {
            if let value = settings[key], !value.isEmpty, BitRate.parse(value) == nil {
                throw NetworkConfigError("Invalid value for device option \"\(key)\": Invalid bit rate \"\(value)\"")
            }
        }
        let nic = NICDevice(device: device, settings: settings, nictype: nictype, parent: parent, network: managed)
        try nic.checkStaticAddresses()
        return nic
    }

    /// A static `ipv4.address`/`ipv6.address` must be inside the managed bridge's subnet and not
    /// be the bridge's own address.
    private func checkStaticAddresses() throws(NetworkConfigError) {
        for (key, ipv4) in [("ipv4.address", true), ("ipv6.address", false)] {
            guard let value = settings[key], !value.isEmpty else { continue }
            // Only bridged NICs take a static address (LXD's other NIC types have no such option).
            guard nictype == "bridged" else { throw NetworkConfigError("Invalid device option \"\(key)\"") }
            guard let network, network.type == "bridge" else {
                throw NetworkConfigError("Invalid value for device option \"\(key)\": Static addresses need a managed bridge network")
            }
            let subnet = network.config[ipv4 ? "ipv4.address" : "ipv6.address"].flatMap { IPNetwork(cidr: $0) }
            guard let address = IPAddress(value), address.isIPv4 == ipv4, let subnet, subnet.contains(address) else {
                throw NetworkConfigError("Device IP address \"\(value)\" not within network \"\(network.name)\" subnet")
            }
            if address == subnet.address {
                throw NetworkConfigError("IP address \"\(value)\" is assigned to parent managed network device \"\(network.name)\"")
            }
        }
    }

    /// Limits in bits per second: (to the instance, from the instance).
    var limits: (ingress: UInt64?, egress: UInt64?) {
        let max = settings["limits.max"].flatMap(BitRate.parse)
        return (settings["limits.ingress"].flatMap(BitRate.parse) ?? max, settings["limits.egress"].flatMap(BitRate.parse) ?? max)
    }

    /// Validates a profile's NICs as LXD does when the profile is stored: each must resolve. A
    /// missing network is a 404 on an update (LXD's "not found" mapping), else `status`.
    static func validateProfile(_ devices: Devices, networks: [NetworkRecord], status: HTTPStatus) throws {
        for (device, settings) in nics(devices) {
            do {
                _ = try resolve(device, settings, networks: networks)
            } catch {
                let code: HTTPStatus = error.isNotFound && status != .badRequest ? .notFound : status
                throw LXDError(code, "Device validation failed for \"\(device)\": \(error.message)")
            }
        }
    }

    /// Validates every NIC of an instance's expanded devices: each resolves, and no managed
    /// bridge is used twice (its DNS name would clash).
    static func validate(_ devices: Devices, instance: String, networks: [NetworkRecord]) throws {
        var seen: Set<String> = []
        for (device, settings) in nics(devices) {
            let nic: NICDevice
            do {
                nic = try resolve(device, settings, networks: networks)
            } catch {
                throw LXDError.badRequest("Invalid devices: Device validation failed for \"\(device)\": \(error.message)")
            }
            if let network = nic.network, network.type == "bridge" {
                guard seen.insert(network.name).inserted else {
                    throw LXDError.badRequest(
                        "Failed add validation for device \"\(device)\": Instance DNS name \"\(instance)\" already used on network")
                }
            }
        }
    }
}

/// LXD's bit rates (`limits.ingress=10Mbit`): decimal and binary units of bits, or bytes.
enum BitRate {
    static let units: [String: UInt64] = [
        "bit": 1, "kbit": 1000, "Mbit": 1_000_000, "Gbit": 1_000_000_000, "Tbit": 1_000_000_000_000,
        "Kibit": 1 << 10, "Mibit": 1 << 20, "Gibit": 1 << 30, "Tibit": 1 << 40,
    ]

    /// Bits per second, or nil for a malformed value.
    static func parse(_ text: String) -> UInt64? {
        let digits = text.prefix { ("0"..."9").contains($0) }
        guard !digits.isEmpty, let number = UInt64(digits) else { return nil }
        let unit = String(text.dropFirst(digits.count))
        guard let multiplier = units[unit] else { return nil }
        let (value, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow || value == 0 ? nil : value
    }
}
