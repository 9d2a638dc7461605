#if canImport(Glibc)
import Glibc
#endif
#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The built-in detectors: phone numbers (`PhoneDetector.swift`, and `ObfuscatedPhones.swift` for
/// numbers written in words), email addresses (`EmailDetector.swift`), URLs and host names
/// (`URLDetector.swift`). Each reports byte spans into the text it is given. This file holds the
/// character tests they share; the language's names for them are `Detector` (Checker/Model.swift).
package enum Detectors {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) || b == 0x5F || b >= 0x80 }

    /// The first offset in `from..<end` holding a digit, "+" or "(", or `end`: where a phone
    /// number could start (sixteen bytes per step in `InvigilSIMD`).
    @inline(__always)
    static func nextPhoneStart(_ x: UnsafePointer<UInt8>, from: Int, end: Int) -> Int {
        #if canImport(InvigilSIMD)
        return Int(ivg_next_phone_start(x, from, end))
        #else
        var i = from
        while i < end, !(isDigit(x[i]) || x[i] == 0x2B || x[i] == 0x28) { i += 1 }
        return i
        #endif
    }

    /// Whether `t` holds `byte` (the C library's vectorised `memchr`).
    static func contains(_ byte: UInt8, in t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = t.baseAddress, t.count > 0 else { return false }
        return memchr(base, Int32(byte), t.count) != nil
    }

    /// Whether the character that ends just before `pos` is part of a word: an ASCII letter,
    /// digit or `_`, or a non-ASCII letter or digit (not punctuation such as curly quotes, an
    /// ellipsis or an emoji).
    @inline(__always) static func isWordBefore(_ t: UnsafeBufferPointer<UInt8>, _ pos: Int) -> Bool {
        guard pos > 0 else { return false }
        let b = t[pos - 1]
        if b < 0x80 { return isWordByte(b) }
        var start = pos - 1
        while start > 0, pos - start < 4, t[start] & 0xC0 == 0x80 { start -= 1 }
        return isWordScalar(t, start)
    }

    /// Whether the character that starts at `pos` is part of a word (see `isWordBefore`).
    @inline(__always) static func isWordAt(_ t: UnsafeBufferPointer<UInt8>, _ pos: Int) -> Bool {
        guard pos < t.count else { return false }
        let b = t[pos]
        if b < 0x80 { return isWordByte(b) }
        return isWordScalar(t, pos)
    }

    static func isWordScalar(_ t: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        let b = t[i]
        var scalar: UInt32
        var length: Int
        if b >= 0xF0 {
            scalar = UInt32(b & 0x07); length = 4
        } else if b >= 0xE0 {
            scalar = UInt32(b & 0x0F); length = 3
        } else if b >= 0xC0 {
            scalar = UInt32(b & 0x1F); length = 2
        } else {
            return true
        }
        guard i + length <= t.count else { return true }
        for k in 1..<length { scalar = scalar << 6 | UInt32(t[i + k] & 0x3F) }
        guard let u = Unicode.Scalar(scalar) else { return true }
        // Zero-width characters glue a disguised word together rather than end it.
        if (0x200B...0x200D).contains(scalar) || scalar == 0x2060 || scalar == 0xFEFF || scalar == 0xAD { return true }
        let p = u.properties
        return p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark
    }
}
