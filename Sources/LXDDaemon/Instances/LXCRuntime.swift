import Foundation
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
