import Foundation
import LXDAPI
import LXDOS
import LibLXC

/// Facts about the host gathered once at start (uname, os-release, liblxc's version).
struct HostInfo: Sendable {
    let kernelVersion: String
    let kernelArchitecture: String
    let architectures: [String]
    let osName: String
    let osVersion: String
    let hostname: String
    let lxcVersion: String
    let pid: Int32

    static func gather() -> HostInfo {
        var name = utsname()
        uname(&name)
        func field<T>(_ value: inout T) -> String {
            withUnsafeBytes(of: &value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let machine = field(&name.machine)
        var osName = "Linux"
        var osVersion = ""
        if let text = KernelFile.read("/etc/os-release") {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                if parts[0] == "NAME" { osName = value }
                if parts[0] == "VERSION_ID" { osVersion = value }
            }
        }
        return HostInfo(
            kernelVersion: field(&name.release), kernelArchitecture: machine,
            architectures: Architecture.personalities(of: machine), osName: osName, osVersion: osVersion,
            hostname: field(&name.nodename), lxcVersion: LXCContainer.version, pid: getpid())
    }
}

/// LXD's architecture names and the personalities each host runs.
enum Architecture {
    static let known: Set<String> = [
        "i686", "x86_64", "armv6l", "armv7l", "armv8l", "aarch64", "ppc", "ppc64", "ppc64le", "s390x", "mips", "mips64",
        "riscv32", "riscv64", "loongarch64",
    ]

    static func personalities(of machine: String) -> [String] {
        switch machine {
        case "x86_64": ["x86_64", "i686"]
        case "aarch64": ["aarch64", "armv7l", "armv8l"]
        case "ppc64le": ["ppc64le"]
        default: [machine]
        }
    }

    /// Accepts LXD's aliases (`amd64` → `x86_64`, `arm64` → `aarch64`, ...).
    static func normalise(_ name: String) -> String? {
        let aliases = [
            "amd64": "x86_64", "x64": "x86_64", "i386": "i686", "i586": "i686", "386": "i686", "arm64": "aarch64",
            "armhf": "armv7l", "armel": "armv7l", "ppc64el": "ppc64le", "powerpc": "ppc",
        ]
        if known.contains(name) { return name }
        return aliases[name]
    }
}
