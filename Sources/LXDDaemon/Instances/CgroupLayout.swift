import Foundation
import LXDOS

/// Which cgroup version each resource controller is on. This machine kind has every
/// controller on v1 with an empty v2 mount at `unified/`; a pure v2 host has them all in the
/// root's `cgroup.controllers`. Detected from a cgroup root so tests can use fake trees.
struct CgroupLayout: Sendable, Equatable {
    enum Version: Sendable, Equatable {
        case v1
        case v2
    }

    var controllers: [String: Version]
    /// v1 `memory.memsw.*` (swap accounting) or v2 `memory.swap.max`.
    var hasSwapLimit: Bool
    /// v1 `blkio.weight` (CFQ-era; absent on this kernel) or v2 `io.weight`.
    var hasBlkioWeight: Bool

    /// The v1 name of each controller we use (v2 calls blkio "io").
    static let names = ["cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer"]

    static func detect(root: String = "/sys/fs/cgroup") -> CgroupLayout {
        let files = FileManager.default
        func v2Controllers(_ dir: String) -> Set<String> {
            let text = KernelFile.read(dir + "/cgroup.controllers") ?? ""
            return Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        }
        let unified = files.fileExists(atPath: root + "/cgroup.controllers") ? root : root + "/unified"
        let v2 = v2Controllers(unified)
        var controllers: [String: Version] = [:]
        for name in names {
            if files.fileExists(atPath: "\(root)/\(name)/cgroup.procs") {
                controllers[name] = .v1
            } else if v2.contains(name == "blkio" ? "io" : name) || (name == "cpuacct" && v2.contains("cpu")) {
                controllers[name] = .v2
            }
        }
        let memory = controllers["memory"]
        let blkio = controllers["blkio"]
        let swap =
            memory == .v1
            ? files.fileExists(atPath: root + "/memory/memory.memsw.limit_in_bytes")
            : memory == .v2 && Self.anyChild(of: unified, has: "memory.swap.max")
        let weight =
            blkio == .v1
            ? files.fileExists(atPath: root + "/blkio/blkio.weight")
            : blkio == .v2
        return CgroupLayout(controllers: controllers, hasSwapLimit: swap, hasBlkioWeight: weight)
    }

    /// v2 puts limit files only in child cgroups: look one level down.
    private static func anyChild(of dir: String, has file: String) -> Bool {
        guard let children = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return false }
        return children.contains { FileManager.default.fileExists(atPath: "\(dir)/\($0)/\(file)") }
    }

    /// This host's layout, read once.
    static let host = detect()
}
