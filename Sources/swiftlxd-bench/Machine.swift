import Foundation
import Glibc

/// The machine a run happened on, for the report's header: a figure means little without it.
enum Machine {
    static func describe(_ targets: [Target]) -> [String] {
        var lines: [String] = []
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let memory = ProcessInfo.processInfo.physicalMemory / (1 << 30)
        lines.append("CPU: \(model), \(ProcessInfo.processInfo.activeProcessorCount) cores; RAM: \(memory) GiB")
        var names = utsname()
        uname(&names)
        let release = withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let osRelease = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let pretty =
            osRelease.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }?
            .dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) ?? "unknown OS"
        lines.append("OS: \(pretty), kernel \(release)")
        for target in targets {
            let rest = RESTDriver(target: target)
            let environment = (try? rest.send("GET", "/1.0", nil as String?))?.metadata["environment"]
            let server = environment?["server_version"]?.stringValue ?? "?"
            let driver = environment?["driver_version"]?.stringValue ?? "?"
            lines.append("\(target.name): pid \(target.pid), LXD_DIR \(target.directory), server_version \(server), liblxc \(driver)")
        }
        lines.append("Load average (1, 5, 15 min) at the start: \(loadAverages())")
        return lines
    }

    /// "/proc/loadavg"'s first three fields.
    static func loadAverages() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: ", ")
    }
}
