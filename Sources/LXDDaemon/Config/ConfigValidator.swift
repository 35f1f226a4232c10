/// Validates an instance's or a profile's own config as LXD 5.0.2 does before storing it:
/// every key must be known for the target (or lie in a free-form namespace), every value must
/// have its key's syntax, and a few combinations are refused. Pure: nothing here looks at the
/// host; what needs liblxc or the id allocator is checked by the instance manager afterwards.
enum ConfigValidator {
    enum Target {
        /// A container's own (unexpanded) config.
        case container
        /// A profile: keys of every instance type, but no `volatile.*` or `image.*`.
        case profile
    }

    static func validate(_ config: [String: String], for target: Target) throws(ConfigValueError) {
        let scope: ConfigKeyScope = target == .profile ? .any : .container
        for key in config.keys.sorted() {
            let value = config[key] ?? ""
            if target == .profile {
                if key.hasPrefix("volatile.") { throw ConfigValueError("Volatile keys can only be set on instances") }
                if key.hasPrefix("image.") { throw ConfigValueError("Image keys can only be set on instances") }
            }
            guard let check = InstanceConfigKeys.check(for: key, scope: scope) else {
                throw ConfigValueError("Unknown configuration key: \(key)")
            }
            try check(value)
            if key == "raw.lxc" { try RawLXCCheck.validate(value) }
        }
        try validateCombinations(config)
    }

    static func validateCombinations(_ config: [String: String]) throws(ConfigValueError) {
        func exclusive(_ first: String, _ second: String) throws(ConfigValueError) -> String? {
            let a = config[first] ?? ""
            let b = config[second] ?? ""
            if !a.isEmpty && !b.isEmpty { throw ConfigValueError("Mutually exclusive keys \(first) and \(second) are set") }
            return config[first] ?? config[second]
        }
        let isAllow = try exclusive("security.syscalls.allow", "security.syscalls.whitelist") != nil
        let isDeny = try exclusive("security.syscalls.deny", "security.syscalls.blacklist") != nil
        let isDenyDefault = ConfigBool.isTrue(try exclusive("security.syscalls.deny_default", "security.syscalls.blacklist_default") ?? "")
        let isDenyCompat = ConfigBool.isTrue(try exclusive("security.syscalls.deny_compat", "security.syscalls.blacklist_compat") ?? "")
        if config["raw.seccomp"] != nil && (isAllow || isDeny || isDenyDefault || isDenyCompat) {
            throw ConfigValueError("raw.seccomp is mutually exclusive with security.syscalls*")
        }
        if isAllow && (isDeny || isDenyDefault || isDenyCompat) {
            throw ConfigValueError("security.syscalls.allow is mutually exclusive with security.syscalls.deny*")
        }
        if ConfigBool.isTrue(config["security.privileged"] ?? "") && ConfigBool.isTrue(config["nvidia.runtime"] ?? "") {
            throw ConfigValueError("nvidia.runtime is incompatible with privileged containers")
        }
    }

    /// Volatile id map keys may be changed but not removed by a client (LXD refuses it).
    static let protectedVolatileKeys = [
        "volatile.idmap.base", "volatile.idmap.current", "volatile.idmap.next", "volatile.last_state.idmap",
    ]

    static func checkProtectedKeysKept(old: [String: String], new: [String: String]) throws(ConfigValueError) {
        for key in protectedVolatileKeys where old[key] != nil && new[key] == nil {
            throw ConfigValueError("Volatile idmap keys can't be deleted by the user")
        }
    }
}
