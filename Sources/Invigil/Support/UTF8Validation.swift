/// Strict UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF) of bytes in
/// memory: the one check of field values, event JSON, rule text and compiled files' strings.
/// Written out rather than driven by Swift's generic `UTF8` decoder, whose per-scalar calls and
/// metadata look-ups were most of a compiled load's string checks. ASCII, which nearly all of
/// it is, is a single pass that the compiler vectorises.
func validUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    isASCII(bytes) || validMultibyteUTF8(bytes)
}

/// Whether every byte is below 0x80 (an OR over the bytes: vectorised, no branch per byte).
@inline(__always) func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var acc: UInt8 = 0
    for b in bytes { acc |= b }
    return acc < 0x80
}

/// The byte-by-byte validation, for text with a byte above 0x7F.
func validMultibyteUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = b.count
    var i = 0
    @inline(__always) func continuation(_ k: Int) -> UInt8? {
        k < n && b[k] & 0xC0 == 0x80 ? b[k] : nil
    }
    while i < n {
        let c = b[i]
        if c < 0x80 {
            i += 1
            // The ASCII run that follows, eight bytes a step (text with an accent here and
            // there is mostly such runs).
            if let base = b.baseAddress {
                let raw = UnsafeRawPointer(base)
                while i &+ 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i &+= 8 }
            }
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
