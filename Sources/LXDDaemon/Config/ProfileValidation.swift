import LXDAPI

extension ConfigValidator {
    /// A profile's config and devices, as LXD checks them on create (400) and update (500).
    static func validateProfile(_ put: ProfilePut, status: HTTPStatus) throws {
        do {
            try validate(put.config, for: .profile)
            try DeviceValidator.validate(put.devices)
        } catch {
            throw LXDError(status, error.message)
        }
    }
}
