import LXDAPI

/// LXD's rules for instance names: a valid hostname label.
enum InstanceName {
    static func validate(_ name: String) throws {
        guard !name.isEmpty else { throw LXDError.badRequest("Invalid instance name: Name is required") }
        guard name.utf8.count <= 63 else {
            throw LXDError.badRequest("Invalid instance name: Name must be 1-63 characters long")
        }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw LXDError.badRequest("Invalid instance name: Name can only contain alphanumeric and hyphen characters")
        }
        if name.hasPrefix("-") {
            throw LXDError.badRequest("Invalid instance name: Name must not start with a hyphen")
        }
        if let first = name.first, first.isNumber {
            throw LXDError.badRequest("Invalid instance name: Name must not start with a number")
        }
        if name.hasSuffix("-") {
            throw LXDError.badRequest("Invalid instance name: Name must not end with a hyphen")
        }
    }
}
