import CLXCShim
import CShim
import Glibc

/// Owner of one liblxc `struct lxc_container *`.
///
/// Only liblxc calls that do not fork live here (state, init pid, stop, shutdown, freeze,
/// cgroup and running-config items, devpts and pidfd access). Starting a container and running
/// commands in it fork, so they go through the `lxd forkstart` / `lxd forkexec` helpers
/// instead; `get_interfaces`/`get_ips` fork too and are deliberately not wrapped.
///
/// liblxc handles are not thread-safe: the daemon confines each instance to one thread (the
/// LibLXC executor). `shutdown` and `freeze` block.
public final class LXCContainer {
    private let handle: OpaquePointer
    public let name: String
    public let lxcpath: String

    /// `lxc_container_new(name, lxcpath)`; with `configPath`, the config is cleared and that file
    /// loaded (liblxc's `load_config` otherwise adds to what is already loaded).
    public init(name: String, lxcpath: String, configPath: String?) throws {
        guard let handle = lxd_lxc_new(name, lxcpath) else {
            throw LXCError("Failed creating liblxc handle for \"\(name)\" in \"\(lxcpath)\"")
        }
        self.handle = handle
        self.name = name
        self.lxcpath = lxcpath
        if let configPath {
            lxd_lxc_clear_config(handle)
            // Every stored property is set: a throw from here on runs deinit, which puts the handle.
            guard lxd_lxc_load_config(handle, configPath) else {
                throw LXCError("Failed loading LXC config \"\(configPath)\"")
            }
        }
    }

    deinit {
        lxd_lxc_put(handle)
    }

    /// liblxc's state name: "STOPPED", "STARTING", "RUNNING", "STOPPING", "ABORTING",
    /// "FREEZING", "FROZEN", "THAWED".
    public var state: String {
        guard let cString = lxd_lxc_state(handle) else { return "STOPPED" }
        return String(cString: cString)
    }

    public var isRunning: Bool { lxd_lxc_is_running(handle) }

    /// The host pid of the container's init, nil when it is not running.
    public var initPID: Int32? {
        let pid = lxd_lxc_init_pid(handle)
        return pid > 0 ? pid : nil
    }

    /// Hard stop: liblxc kills init (SIGKILL) through the monitor.
    public func stop() throws {
        try check(lxd_lxc_stop(handle), "Failed stopping instance")
    }

    /// Clean shutdown: SIGPWR (or `lxc.signal.halt`) to init, then waits up to `timeout`
    /// seconds. Returns whether the container stopped in time. Blocks.
    public func shutdown(timeout: Int32) -> Bool {
        lxd_lxc_shutdown(handle, timeout)
    }

    public func freeze() throws {
        try check(lxd_lxc_freeze(handle), "Failed freezing instance")
    }

    public func unfreeze() throws {
        try check(lxd_lxc_unfreeze(handle), "Failed unfreezing instance")
    }

    /// A cgroup file of the running container ("memory.usage_in_bytes", "pids.current",
    /// "cpuacct.usage", ...), without a trailing newline; nil when unreadable.
    public func cgroupItem(_ key: String) -> String? {
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity + 1)
            let length = buffer.withUnsafeMutableBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { lxd_lxc_get_cgroup_item(handle, key, $0.baseAddress, Int32(capacity)) }
            }
            if length < 0 { return nil }
            guard Int(length) < capacity else {
                capacity = Int(length) + 1
                continue
            }
            var value = String(decoding: buffer[0..<Int(length)], as: UTF8.self)
            if value.hasSuffix("\n") { value.removeLast() }
            return value
        }
    }

    public func setCgroupItem(_ key: String, _ value: String) throws {
        try check(lxd_lxc_set_cgroup_item(handle, key, value), "Failed setting cgroup item \"\(key)\"")
    }

    /// A config item as the running container's monitor sees it (e.g. "lxc.init.pid" is not
    /// one; "lxc.rootfs.path", "lxc.log.file" are).
    public func runningConfigItem(_ key: String) -> String? {
        takeString(lxd_lxc_get_running_config_item(handle, key))
    }

    /// A config item of the loaded config (no running container needed).
    public func configItem(_ key: String) -> String? {
        takeString(lxd_lxc_get_config_item(handle, key))
    }

    /// A close-on-exec fd of the running container's devpts mount: open "ptmx" relative to it
    /// (`openat`) for a pty whose slave is a `/dev/pts/N` of the container. The caller owns it.
    public func devptsFD() throws -> Int32 {
        let fd = lxd_lxc_devpts_fd(handle)
        guard fd >= 0 else { throw lastError("Failed getting the instance's devpts fd") }
        return fd
    }

    /// A pidfd of the container's init. The caller owns it.
    public func initPIDFD() throws -> Int32 {
        let fd = lxd_lxc_init_pidfd(handle)
        guard fd >= 0 else { throw lastError("Failed getting the instance's init pidfd") }
        return fd
    }

    /// Attaches to the running container's console (tty 0) through its monitor: the command
    /// socket, which frees the console once closed, and the pty master. The caller owns both.
    public func consoleFD(tty: Int32 = 0) throws -> (socket: Int32, ptx: Int32) {
        var ptx: Int32 = -1
        let socket = lxd_lxc_console_getfd(handle, tty, &ptx)
        guard socket >= 0, ptx >= 0 else {
            if socket >= 0 { close(socket) }
            throw LXCError("Failed attaching to the console: \(String(cString: strerror(socket < 0 ? -socket : EBADF)))")
        }
        return (socket, ptx)
    }

    /// The console ring buffer: read and/or cleared.
    /// nil when the buffer is empty.
    public func consoleLog(clear: Bool, read: Bool) throws -> [UInt8]? {
        var data: UnsafeMutablePointer<CChar>?
        var length = 0
        let status = lxd_lxc_console_log(handle, clear, read, &data, &length)
        defer { lxd_lxc_free(data) }
        if status == -ENODATA { return nil }
        guard status == 0 else { throw LXCError("Failed reading the console log: \(String(cString: strerror(-status)))") }
        guard let data, length > 0 else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// liblxc's version string (e.g. "5.0.2").
    public static var version: String {
        guard let cString = lxd_lxc_version() else { return "" }
        return String(cString: cString)
    }

    private func check(_ ok: Bool, _ message: @autoclosure () -> String) throws {
        if !ok { throw lastError(message()) }
    }

    private func lastError(_ message: String) -> LXCError {
        guard let cString = lxd_lxc_error_string(handle) else { return LXCError(message) }
        return LXCError(message, detail: String(cString: cString))
    }

    private func takeString(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { lxd_lxc_free(pointer) }
        return String(cString: pointer)
    }
}

@available(*, unavailable)
extension LXCContainer: Sendable {}
