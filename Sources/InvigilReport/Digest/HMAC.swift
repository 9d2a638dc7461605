/// HMAC-SHA-256 (RFC 2104), the keyed hash behind stable pseudonyms: the same key and the same
/// person give the same pseudonym on every run, and without the key the pseudonym cannot be
/// turned back into the person by hashing guesses.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func code(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var k = key.count > 64 ? SHA256.digest(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        var inner = SHA256()
        inner.update(k.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finish()
        var outer = SHA256()
        outer.update(k.map { $0 ^ 0x5c })
        outer.update(innerDigest)
        return outer.finish()
    }
}
