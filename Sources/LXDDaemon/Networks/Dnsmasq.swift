import CShim
import Foundation
import LXDAPI
import LXDCore
import LXDOS

/// One network's dnsmasq (DHCPv4, DHCPv6/RA and DNS for `NAME.<dns.domain>`), a child of the
/// daemon, with its files in `$LXD_DIR/networks/NAME/` as LXD keeps them: `dnsmasq.pid`,
/// `dnsmasq.leases`, `dnsmasq.hosts/` (one file per instance NIC: `MAC[,IPv4][,[IPv6]],NAME`),
/// `dnsmasq.raw` (`raw.dnsmasq`) and `dnsmasq.log` (its stderr). Found again and killed by pid.
struct Dnsmasq: Sendable {
    let network: String
    let directory: String

    var pidFile: String { directory + "/dnsmasq.pid" }
    var leasesFile: String { directory + "/dnsmasq.leases" }
    var hostsDirectory: String { directory + "/dnsmasq.hosts" }
    var rawFile: String { directory + "/dnsmasq.raw" }
    var logFile: String { directory + "/dnsmasq.log" }

    /// One static DHCP host: an instance's NIC on this network.
    struct Host: Sendable, Equatable {
        var instance: String
        var device: String
        var hwaddr: String
        var ipv4: String?
        var ipv6: String?

        var line: String {
            var fields = [hwaddr]
            if let ipv4 { fields.append(ipv4) }
            if let ipv6 { fields.append("[\(ipv6)]") }
            fields.append(instance)
            return fields.joined(separator: ",") + "\n"
        }
    }

    /// The command line (pure, for tests).
    func arguments(_ config: BridgeConfig, group: String?) -> [String] {
        var arguments = [
            "--keep-in-foreground", "--strict-order", "--bind-interfaces", "--except-interface=lo", "--pid-file=", "--no-ping",
            "--interface=\(network)", "--dhcp-rapid-commit", "--quiet-dhcp", "--quiet-dhcp6", "--quiet-ra",
        ]
        if let ipv4 = config.ipv4 {
            arguments.append("--listen-address=\(ipv4.address)")
            if config.ipv4DHCP {
                arguments += [
                    "--dhcp-no-override", "--dhcp-authoritative", "--dhcp-leasefile=\(leasesFile)", "--dhcp-hostsfile=\(hostsDirectory)",
                ]
                for range in config.ipv4Pool {
                    arguments += ["--dhcp-range", "\(range.start),\(range.end),\(config.ipv4Expiry)"]
                }
                if let gateway = config.ipv4Gateway { arguments.append("--dhcp-option-force=3,\(gateway)") }
                if let mtu = config.mtu { arguments.append("--dhcp-option-force=26,\(mtu)") }
            }
        }
        if let ipv6 = config.ipv6 {
            arguments += ["--listen-address=\(ipv6.address)", "--enable-ra"]
            if config.ipv6DHCP && config.ipv6DHCPStateful {
                if config.ipv4 == nil || !config.ipv4DHCP {
                    arguments += ["--dhcp-leasefile=\(leasesFile)", "--dhcp-hostsfile=\(hostsDirectory)"]
                }
                let ranges =
                    config.ipv6Ranges.isEmpty
                    ? [IPRange(start: ipv6.network.adding(2), end: ipv6.last.adding(UInt64.max))] : config.ipv6Ranges
                for range in ranges {
                    arguments += ["--dhcp-range", "\(range.start),\(range.end),\(ipv6.prefix),\(config.ipv6Expiry)"]
                }
            } else {
                arguments += ["--dhcp-range", "::,constructor:\(network),ra-stateless,ra-names"]
            }
        }
        if !config.dnsSearch.isEmpty {
            arguments.append("--dhcp-option-force=119,\(config.dnsSearch)")
        }
        if config.dnsMode == "none" {
            arguments.append("--port=0")
        } else {
            arguments += ["-s", config.domain, "--interface-name", "_gateway.\(config.domain),\(network)", "-S", "/\(config.domain)/"]
        }
        arguments.append("--conf-file=\(rawFile)")
        arguments += ["-u", "nobody"]
        if let group { arguments += ["-g", group] }
        return arguments
    }

    /// The unprivileged group dnsmasq drops to (Debian's `nogroup`), when the host has one.
    static var group: String? {
        for name in ["nogroup", "nobody"] where getgrnam(name) != nil { return name }
        return nil
    }

    /// Writes the raw config and the hosts, then starts dnsmasq in its own session and returns
    /// its pid once it has stayed up for a moment (LXD's "exited prematurely" check).
    func start(_ config: BridgeConfig, hosts: [Host]) async throws -> Int32 {
        guard let binary = HostTool.path("dnsmasq") else {
            throw LXDError.internalError("Required tool \"dnsmasq\" is missing (install dnsmasq-base)")
        }
        try FileManager.default.createDirectory(atPath: hostsDirectory, withIntermediateDirectories: true)
        try (config.rawDnsmasq.isEmpty ? "" : config.rawDnsmasq + "\n").write(toFile: rawFile, atomically: true, encoding: .utf8)
        if !FileManager.default.fileExists(atPath: leasesFile) {
            _ = FileManager.default.createFile(atPath: leasesFile, contents: nil, attributes: [.posixPermissions: 0o644])
        }
        try writeHosts(hosts)
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let log = open(logFile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer {
            close(devNull)
            close(log)
        }
        let command = Command(
            path: binary, arguments: ["dnsmasq"] + arguments(config, group: Self.group), environment: InstanceManager.helperEnvironment,
            fds: [devNull, log, log], flags: [.setsid])
        let pid: Int32
        do {
            pid = try command.spawn()
        } catch {
            throw LXDError.internalError("Failed starting dnsmasq: \(error)")
        }
        try String(pid).write(toFile: pidFile, atomically: true, encoding: .utf8)
        // dnsmasq refuses a bad setup (address in use, bad range) within milliseconds.
        for _ in 0..<5 {
            try? await Task.sleep(for: .milliseconds(40))
            if !Self.isAlive(pid) { break }
        }
        guard Self.isAlive(pid) else {
            let status = await ProcessSupervisor.shared.wait(pid: pid)
            unlink(pidFile)
            let output = ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let code: String
            if case .exited(let value) = status { code = "Process exited with non-zero value \(value)" } else { code = "\(status)" }
            throw LXDError.internalError("The DNS and DHCP service exited prematurely: \(code) (\"\(output)\")")
        }
        return pid
    }

    /// A running child that has not exited (a zombie counts as gone).
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// The pid in `dnsmasq.pid` if that process is this network's dnsmasq (checked through its
    /// command line, so that a recycled pid is never killed).
    func runningPID() -> Int32? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), Self.isAlive(pid),
            let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
        else { return nil }
        let words = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard words.first?.hasSuffix("dnsmasq") == true, words.contains("--interface=\(network)"),
            words.contains("--conf-file=\(rawFile)")
        else { return nil }
        return pid
    }

    /// Stops this network's dnsmasq, if one runs: SIGTERM, then SIGKILL after a second.
    func stop() async {
        guard let pid = runningPID() else {
            unlink(pidFile)
            return
        }
        kill(pid, SIGTERM)
        for _ in 0..<20 where Self.isAlive(pid) { try? await Task.sleep(for: .milliseconds(50)) }
        if Self.isAlive(pid) { kill(pid, SIGKILL) }
        for _ in 0..<20 where Self.isAlive(pid) { try? await Task.sleep(for: .milliseconds(50)) }
        unlink(pidFile)
    }

    /// Re-reads the hosts folder (dnsmasq does so on SIGHUP).
    func reload() {
        if let pid = runningPID() { kill(pid, SIGHUP) }
    }

    /// Replaces the hosts folder's files with `hosts`.
    func writeHosts(_ hosts: [Host]) throws {
        try FileManager.default.createDirectory(atPath: hostsDirectory, withIntermediateDirectories: true)
        let wanted = Dictionary(hosts.map { ("\($0.instance).\($0.device)", $0.line) }, uniquingKeysWith: { first, _ in first })
        for file in (try? FileManager.default.contentsOfDirectory(atPath: hostsDirectory)) ?? [] where wanted[file] == nil {
            unlink(hostsDirectory + "/" + file)
        }
        for (file, line) in wanted {
            let path = hostsDirectory + "/" + file
            if (try? String(contentsOfFile: path, encoding: .utf8)) == line { continue }
            try line.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o644)
        }
    }

    /// One line of `dnsmasq.leases`.
    struct Lease: Sendable, Equatable {
        var hwaddr: String
        var address: String
        var hostname: String
    }

    /// The current leases (IPv4 lines carry the MAC; DHCPv6 lines an IAID, left without MAC).
    func leases() -> [Lease] {
        guard let text = try? String(contentsOfFile: leasesFile, encoding: .utf8) else { return [] }
        return Self.parseLeases(text)
    }

    static func parseLeases(_ text: String) -> [Lease] {
        var leases: [Lease] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 4, fields[0] != "duid", IPAddress(fields[2]) != nil else { continue }
            let hwaddr = MACAddress.isValid(fields[1]) ? fields[1] : ""
            leases.append(Lease(hwaddr: hwaddr, address: fields[2], hostname: fields[3] == "*" ? "" : fields[3]))
        }
        return leases
    }
}
