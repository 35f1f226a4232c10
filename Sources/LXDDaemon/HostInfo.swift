import Foundation
import LXDAPI
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
        if let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) {
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
