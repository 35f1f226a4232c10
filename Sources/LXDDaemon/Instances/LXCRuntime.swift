import Foundation
import LXDAPI
import LXDCore
import LibLXC

/// liblxc calls that do not fork (state, init pid, stop, cgroup items), all on one
/// dedicated thread so that the cooperative pool never blocks inside liblxc.
actor LXCRuntime {
    private nonisolated let executor = ThreadExecutor(name: "lxd-liblxc")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    let lxcpath: String

    init(lxcpath: String) {
        self.lxcpath = lxcpath
    }

    private func container(_ name: String) throws -> LXCContainer {
        try LXCContainer(name: name, lxcpath: lxcpath, configPath: nil)
    }

    /// liblxc's state name ("RUNNING", "STOPPED", "FROZEN", ...); "STOPPED" when unknown.
    func state(_ name: String) -> String {
        (try? container(name).state) ?? "STOPPED"
    }

    func initPID(_ name: String) -> Int32? {
        try? container(name).initPID
    }

    /// Both from one handle: what a listing needs per instance.
    func stateAndInitPID(_ name: String) -> (state: String, pid: Int32?) {
        guard let container = try? container(name) else { return ("STOPPED", nil) }
        let state = container.state
        return (state, state == "STOPPED" ? nil : container.initPID)
    }

    func stop(_ name: String) throws {
        try container(name).stop()
    }

    /// An fd of the running container's devpts mount (for ptys whose slave is visible inside).
    func devptsFD(_ name: String) throws -> Int32 {
        try container(name).devptsFD()
    }

    /// The running container's console: the command socket (close it to detach) and the pty master.
    func console(_ name: String) throws -> (socket: Int32, ptx: Int32) {
        try container(name).consoleFD()
    }

    /// The console ring buffer (nil when empty), read and/or cleared.
    func consoleLog(_ name: String, clear: Bool, read: Bool) throws -> [UInt8]? {
        try container(name).consoleLog(clear: clear, read: read)
    }

    func setCgroupItem(_ name: String, _ key: String, _ value: String) throws {
        try container(name).setCgroupItem(key, value)
    }

    /// The first of `keys` that the container's cgroup answers (v1 and v2 names differ).
    func cgroupItem(_ name: String, _ keys: [String]) -> String? {
        guard let container = try? container(name) else { return nil }
        for key in keys {
            if let value = container.cgroupItem(key), !value.isEmpty { return value }
        }
        return nil
    }

    /// A clean shutdown blocks for up to `timeout` seconds: run it on its own thread, not this one.
    nonisolated func shutdown(_ name: String, timeout: Int32) async throws -> Bool {
        let lxcpath = self.lxcpath
        return try await Blocking.run("lxd-shutdown") {
            try LXCContainer(name: name, lxcpath: lxcpath, configPath: nil).shutdown(timeout: timeout)
        }
    }
}

extension LXCRuntime {
    /// liblxc's own check of `raw.lxc`: the text is loaded into a throwaway handle, which fails
    /// on keys or values liblxc does not accept (LXD's wording, the temporary file named).
    func checkRawConfig(_ text: String) throws {
        let path = "/tmp/lxd_config_" + String(UInt64.random(in: 0...UInt64.max))
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LXDError.internalError("Failed creating \(path): \(String(cString: strerror(errno)))") }
        defer { unlink(path) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw LXDError.internalError("Failed writing \(path)") }
        do {
            _ = try LXCContainer(name: "lxd-raw-lxc-check", lxcpath: "/tmp", configPath: path)
        } catch {
            throw LXDError.internalError("Failed to load config file \"\(path)\": loading config file for the container failed")
        }
    }
}
