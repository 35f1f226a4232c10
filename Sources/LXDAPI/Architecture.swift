/// LXD's architecture names and the personalities each host runs.
public enum Architecture {
    public static let known: Set<String> = [
        "i686", "x86_64", "armv6l", "armv7l", "armv8l", "aarch64", "ppc", "ppc64", "ppc64le", "s390x", "mips", "mips64",
        "riscv32", "riscv64", "loongarch64",
    ]

    public static func personalities(of machine: String) -> [String] {
        switch machine {
        case "x86_64": ["x86_64", "i686"]
        case "aarch64": ["aarch64", "armv7l", "armv8l"]
        case "ppc64le": ["ppc64le"]
        default: [machine]
        }
    }

    /// Accepts LXD's aliases (`amd64` → `x86_64`, `arm64` → `aarch64`, ...).
    public static func normalise(_ name: String) -> String? {
        let aliases = [
            "amd64": "x86_64", "x64": "x86_64", "i386": "i686", "i586": "i686", "386": "i686", "arm64": "aarch64",
            "armhf": "armv7l", "armel": "armv7l", "ppc64el": "ppc64le", "powerpc": "ppc",
        ]
        if known.contains(name) { return name }
        return aliases[name]
    }
}
