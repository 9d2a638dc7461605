/// Strict UTF-8 validation of the names and messages in a compiled file (no overlong forms,
/// no surrogates, nothing above U+10FFFF: what `validUTF8` and Swift's own decoder accept),
/// written out for speed: the generic decoder behind `validUTF8` was most of a load's string
/// checks. ASCII, which names, clauses and messages nearly always are, goes eight bytes a step.
enum UTF8Validation {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        guard let p = bytes.baseAddress, n > 0 else { return true }
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= n {
            high |= UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            i += 8
        }
        while i < n {
            high |= UInt64(p[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0 || isValidMultibyte(bytes)
    }

    /// The byte-by-byte validation, for text with a byte above 0x7F.
    static func isValidMultibyte(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = b.count
        var i = 0
        @inline(__always) func continuation(_ k: Int) -> UInt8? {
            k < n && b[k] & 0xC0 == 0x80 ? b[k] : nil
        }
        while i < n {
            let c = b[i]
            if c < 0x80 {
                i += 1
            } else if c < 0xC2 {
                return false  // a continuation byte first, or an overlong two-byte form
            } else if c < 0xE0 {
                guard continuation(i + 1) != nil else { return false }
                i += 2
            } else if c < 0xF0 {
                guard let c1 = continuation(i + 1), continuation(i + 2) != nil else { return false }
                if c == 0xE0 && c1 < 0xA0 { return false }  // overlong
                if c == 0xED && c1 >= 0xA0 { return false }  // a surrogate
                i += 3
            } else if c < 0xF5 {
                guard let c1 = continuation(i + 1), continuation(i + 2) != nil, continuation(i + 3) != nil else { return false }
                if c == 0xF0 && c1 < 0x90 { return false }  // overlong
                if c == 0xF4 && c1 >= 0x90 { return false }  // above U+10FFFF
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}
