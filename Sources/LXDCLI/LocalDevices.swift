import LXDAPI
import LXDClient

/// The local devices of an instance or a profile, as `attach`/`detach` commands change them.
enum LocalDevices {
    /// Read-modify-write of an instance's (async PUT) or a profile's (sync PUT) local devices.
    static func change(_ server: LXDServer, profile: Bool, target: String, _ edit: (inout Devices) throws -> Void) throws {
        if profile {
            let path = "/1.0/profiles/" + LXDServer.escape(target)
            var put = try server.get(path, as: Profile.self).writable
            try edit(&put.devices)
            _ = try server.query("PUT", path, body: try LXDServer.encode(put))
        } else {
            let path = "/1.0/instances/" + LXDServer.escape(target)
            var put = try server.get(path, as: Instance.self).writable
            try edit(&put.devices)
            _ = try server.queryOperation("PUT", path, body: try LXDServer.encode(put)).wait()
        }
    }
}
