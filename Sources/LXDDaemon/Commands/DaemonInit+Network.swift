import LXDAPI
import LXDHTTP

extension DaemonInit {
    /// `lxd init --auto`'s network part, as LXD: unless a managed bridge exists already, a
    /// `lxdbr0` bridge with automatic addresses (IPv6 only where the host has it), and an
    /// `eth0` NIC on it in the default profile.
    static func autoNetwork(_ client: HTTPClient) throws {
        let networks: [Network] = try call(client, "GET", "/1.0/networks?recursion=1")
        guard !networks.contains(where: { $0.managed && $0.type == "bridge" }) else { return }
        let _: JSONValue = try call(client, "POST", "/1.0/networks", body: NetworksPost(name: "lxdbr0", type: "bridge"))
        let current: Profile = try call(client, "GET", "/1.0/profiles/default")
        var put = current.writable
        if put.devices["eth0"] == nil {
            put.devices["eth0"] = ["type": "nic", "name": "eth0", "network": "lxdbr0"]
            let _: JSONValue = try call(client, "PUT", "/1.0/profiles/default", body: put)
        }
    }
}
