import LXDAPI

extension InstanceRecord {
    /// Profiles in order, then the instance's own keys (LXD's precedence); a `none` device
    /// masks the profile device of the same name.
    func expanded(with profiles: [ProfileRecord]) -> (config: [String: String], devices: Devices) {
        var config: [String: String] = [:]
        var devices: Devices = [:]
        for profile in profiles {
            config.merge(profile.put.config) { _, new in new }
            devices.merge(profile.put.devices) { _, new in new }
        }
        config.merge(self.config) { _, new in new }
        devices.merge(self.devices) { _, new in new }
        return (config, devices.filter { $0.value["type"] != "none" })
    }
}
