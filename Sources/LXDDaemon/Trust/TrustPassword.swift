import Foundation
import LXDCore
import TLS

/// `core.trust_password` as LXD stores it: hex of a 32-byte random salt followed by
/// scrypt(password, salt, N=2^14, r=8, p=1, 64 bytes).
enum TrustPassword {
    static func hash(_ password: String) throws -> String {
        guard let salt = Hex.decode(Hex.random(byteCount: 32)) else { throw CoreError("Failed generating a salt") }
        let key = try Scrypt.derive(password: password, salt: salt)
        return Hex.encode(salt + key)
    }

    /// True when `password` matches the stored `secret` (false when none is set).
    static func check(_ password: String, against secret: String) -> Bool {
        guard !secret.isEmpty, let bytes = Hex.decode(secret), bytes.count == 96 else { return false }
        guard let key = try? Scrypt.derive(password: password, salt: Array(bytes[0..<32])) else { return false }
        // Constant-time comparison.
        var difference: UInt8 = 0
        for (a, b) in zip(key, bytes[32...]) { difference |= a ^ b }
        return difference == 0
    }
}
