import LXDAPI

/// What LXD 5.0.2 checks on an instance's expanded config and devices (its profiles applied, then
/// its own entries) whenever either side changes: an instance update, or a change to one of its
/// profiles. Each key and device was already checked on its own when it was stored; here only
/// what the combination can get wrong.
enum ExpandedValidation {
    static func validate(config: [String: String], devices: Devices) throws(ConfigValueError) {
        do {
            try ConfigValidator.validateCombinations(config)
        } catch {
            throw ConfigValueError("Invalid expanded config: \(error.message)")
        }
        // LXD 5.0.2 looks for the root disk only when there are devices at all: an instance
        // left with none (every profile removed) is accepted, and fails at its next start.
        guard !devices.isEmpty else { return }
        do {
            _ = try rootDiskName(devices)
        } catch {
            throw ConfigValueError("Invalid expanded devices: Failed detecting root disk device: \(error.message)")
        }
    }

    /// The one disk device mounted at `/` from no host source (LXD's root disk rule).
    static func rootDiskName(_ devices: Devices) throws(ConfigValueError) -> String {
        let roots = devices.filter { $0.value["type"] == "disk" && $0.value["path"] == "/" && ($0.value["source"] ?? "").isEmpty }
        guard roots.count <= 1 else { throw ConfigValueError("More than one root device found") }
        guard let root = roots.first else { throw ConfigValueError("No root device could be found") }
        return root.key
    }
}
