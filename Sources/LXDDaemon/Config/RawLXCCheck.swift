/// The syntax LXD enforces on `raw.lxc` before liblxc sees it: `key = value` lines (blank lines
/// and `#` comments allowed), and no keys that would take the container's logging, lifetime,
/// process limits or networking away from the daemon. liblxc itself then loads the text
/// (`LXCRuntime.checkRawConfig`), which refuses keys it does not know.
enum RawLXCCheck {
    static func validate(_ text: String) throws(ConfigValueError) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let key = try key(of: String(line)) else { continue }
            switch key {
            case "lxc.logfile", "lxc.log.file": throw ConfigValueError("Setting lxc.logfile is not allowed")
            case "lxc.syslog", "lxc.log.syslog": throw ConfigValueError("Setting lxc.log.syslog is not allowed")
            case "lxc.ephemeral": throw ConfigValueError("Setting lxc.ephemeral is not allowed")
            default: break
            }
            if key.hasPrefix("lxc.prlimit.") {
                throw ConfigValueError(
                    "Process limits should be set via \"limits.kernel.[limit name]\" and not directly via \"lxc.prlimit.[limit name]\"")
            }
            if key.hasPrefix("lxc.net.") {
                // Only the addresses and gateways of an interface LXD itself set up.
                let fields = key.split(separator: ".", omittingEmptySubsequences: false)
                guard fields.count == 5, ["ipv4", "ipv6"].contains(fields[3]), ["address", "gateway"].contains(fields[4]) else {
                    throw ConfigValueError("Only interface-specific ipv4/ipv6 lxc.net. keys are allowed")
                }
            }
        }
    }

    /// The lower-cased key of a line; nil for blank lines and comments.
    static func key(of line: String) throws(ConfigValueError) -> String? {
        guard !line.isEmpty else { return nil }
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix("#") { return nil }
        guard let equals = trimmed.firstIndex(of: "=") else { throw ConfigValueError("Invalid raw.lxc line: \(trimmed)") }
        return trimmed[..<equals].trimmingCharacters(in: [" ", "\t"]).lowercased()
    }
}
