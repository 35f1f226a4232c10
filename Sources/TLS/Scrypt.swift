import CShim

/// scrypt key derivation (through OpenSSL), as LXD hashes `core.trust_password`.
public enum Scrypt {
    public static func derive(password: String, salt: [UInt8], n: UInt64 = 1 << 14, r: UInt64 = 8, p: UInt64 = 1, length: Int = 64) throws
        -> [UInt8]
    {
        var out = [UInt8](repeating: 0, count: length)
        let bytes = Array(password.utf8)
        let rc = bytes.withUnsafeBytes { pass in
            salt.withUnsafeBytes { saltBytes in
                out.withUnsafeMutableBufferPointer {
                    lxd_ssl_scrypt(pass.baseAddress, pass.count, saltBytes.baseAddress, saltBytes.count, n, r, p, $0.baseAddress, length)
                }
            }
        }
        guard rc == 0 else { throw TLSError.library("scrypt failed: \(TLSError.lastError())") }
        return out
    }
}
