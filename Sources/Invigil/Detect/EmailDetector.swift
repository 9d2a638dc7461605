#if canImport(Glibc)
import Glibc
#endif

// The email-address detector: `local@host.tld`, with the host span for host lists.
extension Detectors {
    @inline(__always) static func isLocalByte(_ b: UInt8) -> Bool {
        isDigit(b) || isAlpha(b) || b == 0x2E || b == 0x5F || b == 0x25 || b == 0x2B || b == 0x2D || b == 0x27
    }
    @inline(__always) static func isHostByte(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) || b == 0x2D || b == 0x2E || b >= 0x80 }

    /// Finds `local@host.tld` addresses; reports the address span and the host span.
    package static func emails(in t: UnsafeBufferPointer<UInt8>, _ report: (_ start: Int, _ end: Int, _ hostStart: Int) -> Void) {
        guard contains(0x40, in: t) else { return }  // no "@", no address
        let n = t.count
        var i = 0
        while i < n {
            guard t[i] == 0x40 else { i += 1; continue }
            var s = i
            while s > 0, isLocalByte(t[s - 1]) { s -= 1 }
            while s < i, t[s] == 0x2E { s += 1 }
            var e = i + 1
            while e < n, isHostByte(t[e]) { e += 1 }
            while e > i + 1, t[e - 1] == 0x2E || t[e - 1] == 0x2D { e -= 1 }
            if s < i, let _ = validHost(t, i + 1, e) {
                report(s, e, i + 1)
                i = e
            } else {
                i += 1
            }
        }
    }

    /// A host needs at least two labels and a top-level label of two or more letters.
    static func validHost(_ t: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int? {
        guard e > s, e - s <= 253 else { return nil }
        var lastDot = -1
        var labelLen = 0
        for k in s..<e {
            if t[k] == 0x2E {
                if labelLen == 0 { return nil }
                lastDot = k
                labelLen = 0
            } else {
                labelLen += 1
                if labelLen > 63 { return nil }
            }
        }
        guard lastDot > s, e - lastDot - 1 >= 2 else { return nil }
        for k in (lastDot + 1)..<e where !(isAlpha(t[k]) || t[k] >= 0x80) { return nil }
        return lastDot
    }
}
