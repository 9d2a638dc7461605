#if canImport(Glibc)
import Glibc
#endif

/// The built-in detectors: phone numbers, email addresses, URLs and host names in text.
/// Each reports byte spans into the text it is given.
package enum Detectors {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) || b == 0x5F || b >= 0x80 }

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
        if b >= 0xF0 { scalar = UInt32(b & 0x07); length = 4 } else if b >= 0xE0 { scalar = UInt32(b & 0x0F); length = 3 }
        else if b >= 0xC0 { scalar = UInt32(b & 0x1F); length = 2 } else { return true }
        guard i + length <= t.count else { return true }
        for k in 1..<length { scalar = scalar << 6 | UInt32(t[i + k] & 0x3F) }
        guard let u = Unicode.Scalar(scalar) else { return true }
        // Zero-width characters glue a disguised word together rather than end it.
        if (0x200B...0x200D).contains(scalar) || scalar == 0x2060 || scalar == 0xFEFF || scalar == 0xAD { return true }
        let p = u.properties
        return p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark
    }

    // MARK: Phone numbers

    /// Finds UK and international phone numbers. A candidate starts at `+`, `(` or a digit that
    /// does not follow a letter or digit, and continues over digits and single separators
    /// (space, `.`, `-`, brackets); it is a phone number when its digits form
    /// - a UK national number: `0` then 9 or 10 digits, the second digit not `0`;
    /// - `+44` or `0044`, an optional `(0)`, then 9 or 10 digits;
    /// - another `+CC` or `00CC` international number with 8 to 15 digits in all.
    package static func phones(in text: UnsafeBufferPointer<UInt8>, _ report: (Int, Int) -> Void) {
        let n = text.count
        var i = 0
        while i < n {
            let b = text[i]
            let startsHere = (b == 0x2B || b == 0x28 || isDigit(b)) && (i == 0 || !(isWordByte(text[i - 1]) || text[i - 1] == 0x2B))
            if !startsHere { i += 1; continue }
            if let end = phoneEnd(text, from: i) {
                report(i, end)
                i = end
            } else {
                i += 1
                while i < n, isDigit(text[i]) { i += 1 }
            }
        }
    }

    /// If a phone number starts at `start`, returns the offset just past it: the longest run of
    /// digit groups that forms a valid number.
    static func phoneEnd(_ t: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { buffer in
            phoneEnd(t, from: start, scratch: buffer)
        }
    }

    private static func phoneEnd(_ t: UnsafeBufferPointer<UInt8>, from start: Int, scratch: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        let n = t.count
        var digits = DigitBuffer(storage: scratch)
        var i = start
        let plus = t[i] == 0x2B
        if plus { i += 1 }
        var openBracket = false
        var separatorRun = 0
        var best: Int?
        while i < n {
            let b = t[i]
            if isDigit(b) {
                // "(0)" after +44 or 0044: the trunk prefix, not part of the number.
                if openBracket, b == 0x30, i + 1 < n, t[i + 1] == 0x29, !digits.isEmpty, plus || digits.starts(with: [0x30, 0x30]) {
                    i += 1
                    continue
                }
                digits.append(b)
                if digits.count > 15 { break }
                separatorRun = 0
                i += 1
                if i >= n || !isDigit(t[i]) {
                    // End of a digit group: a candidate end if the digits so far are a number.
                    let boundaryOK = i >= n || !isWordByte(t[i])
                    if boundaryOK, validPhoneDigits(digits, plus: plus) {
                        var end = i
                        if end < n, t[end] == 0x29, openBracket { end += 1 }
                        best = end
                    }
                }
                continue
            }
            if b == 0x28 {
                if openBracket { break }
                openBracket = true
            } else if b == 0x29 {
                if !openBracket { break }
                openBracket = false
            } else if b == 0x20 || b == 0x2D || b == 0x2E {
                separatorRun += 1
                if separatorRun > 1 { break }
            } else {
                break
            }
            i += 1
        }
        return best
    }

    /// Up to 16 digits in caller-provided (stack) storage: the phone detector allocates nothing.
    struct DigitBuffer {
        let storage: UnsafeMutableBufferPointer<UInt8>
        var count = 0
        var isEmpty: Bool { count == 0 }
        mutating func append(_ b: UInt8) {
            if count < storage.count { storage[count] = b }
            count += 1
        }
        func starts(with prefix: [UInt8]) -> Bool {
            guard count >= prefix.count else { return false }
            for k in 0..<prefix.count where storage[k] != prefix[k] { return false }
            return true
        }
    }

    static func validPhoneDigits(_ digits: DigitBuffer, plus: Bool) -> Bool {
        guard digits.count <= 15 else { return false }
        var first = 0
        var international = plus
        if !plus, digits.starts(with: [0x30, 0x30]) {
            international = true
            first = 2
        }
        let count = digits.count - first
        @inline(__always) func at(_ k: Int) -> UInt8 { digits.storage[first + k] }
        if international {
            if count >= 2, at(0) == 0x34, at(1) == 0x34 {
                var nationalStart = 2
                if count > 2, at(2) == 0x30 { nationalStart = 3 }
                let national = count - nationalStart
                return (national == 9 || national == 10) && national > 0 && at(nationalStart) != 0x30
            }
            guard count > 0, at(0) != 0x30 else { return false }
            return count >= 8 && count <= 15
        }
        guard count > 1, at(0) == 0x30, count == 10 || count == 11 else { return false }
        return at(1) != 0x30
    }

    // MARK: Email addresses

    @inline(__always) static func isLocalByte(_ b: UInt8) -> Bool {
        isDigit(b) || isAlpha(b) || b == 0x2E || b == 0x5F || b == 0x25 || b == 0x2B || b == 0x2D || b == 0x27
    }
    @inline(__always) static func isHostByte(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) || b == 0x2D || b == 0x2E || b >= 0x80 }

    /// Finds `local@host.tld` addresses; reports the address span and the host span.
    package static func emails(in t: UnsafeBufferPointer<UInt8>, _ report: (_ start: Int, _ end: Int, _ hostStart: Int) -> Void) {
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

    // MARK: URLs and hosts

    static let commonTLDs: [[UInt8]] = ([
        "com", "org", "net", "uk", "io", "me", "co", "ly", "gl", "be", "tv", "gg", "app", "info", "biz", "edu", "gov",
        "ac", "sch", "us", "ie", "eu", "de", "fr", "ru", "cn", "in", "au", "ca", "nz", "to", "fm", "im", "link", "site",
        "online", "xyz", "live", "chat", "social", "club", "page", "dev", "ai", "so", "cc", "ws", "tk", "ml",
    ] as [String]).map { Array($0.utf8) }

    static func isCommonTLD(_ t: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        let length = e - s
        outer: for tld in commonTLDs where tld.count == length {
            for k in 0..<length where (t[s + k] | 0x20) != tld[k] { continue outer }
            return true
        }
        return false
    }

    /// Finds URLs (`http://`, `https://`, `www.`) and bare host names whose top-level domain is a
    /// common one (`snapchat.com/add/x`); reports the URL span and its host span.
    package static func urls(in t: UnsafeBufferPointer<UInt8>, _ report: (_ start: Int, _ end: Int, _ hostStart: Int, _ hostEnd: Int) -> Void) {
        guard mayHoldURL(t) else { return }
        urlsWithoutPrefilter(in: t, report)
    }

    /// `urls` without `mayHoldURL` (the tests check that the prefilter drops no URL).
    static func urlsWithoutPrefilter(in t: UnsafeBufferPointer<UInt8>, _ report: (_ start: Int, _ end: Int, _ hostStart: Int, _ hostEnd: Int) -> Void) {
        let n = t.count
        var i = 0
        while i < n {
            let b = t[i] | 0x20
            guard b == 0x68 || b == 0x77 || isAlpha(t[i]) || isDigit(t[i]) else { i += 1; continue }
            if i > 0, isWordByte(t[i - 1]) || t[i - 1] == 0x40 || t[i - 1] == 0x2E || t[i - 1] == 0x2D { i += 1; continue }
            var hostStart = i
            var schemed = false
            if let after = matchScheme(t, i) { hostStart = after; schemed = true }
            var hostEnd = hostStart
            while hostEnd < n, isHostByte(t[hostEnd]) { hostEnd += 1 }
            while hostEnd > hostStart, t[hostEnd - 1] == 0x2E || t[hostEnd - 1] == 0x2D { hostEnd -= 1 }
            if hostEnd < n, t[hostEnd] == 0x40 { i = hostEnd + 1; continue }  // an email address
            var ok = false
            if let lastDot = validHost(t, hostStart, hostEnd) {
                let startsWWW = hostEnd - hostStart > 4 && (t[hostStart] | 0x20) == 0x77 && (t[hostStart + 1] | 0x20) == 0x77
                    && (t[hostStart + 2] | 0x20) == 0x77 && t[hostStart + 3] == 0x2E
                if schemed || startsWWW {
                    ok = true
                } else {
                    ok = isCommonTLD(t, lastDot + 1, hostEnd)
                }
            } else if schemed, hostEnd > hostStart {
                ok = true  // http://localhost, http://10.0.0.1
            }
            if !ok { i = max(hostEnd, i + 1); continue }
            // The rest of the URL: up to whitespace or a closing bracket/quote, trailing punctuation trimmed.
            var e = hostEnd
            while e < n {
                let c = t[e]
                if c <= 0x20 || c == 0x22 || c == 0x3C || c == 0x3E || c == 0x29 || c == 0x5D || c == 0x7D { break }
                e += 1
            }
            while e > hostEnd, isTrailingPunctuation(t[e - 1]) { e -= 1 }
            report(i, e, hostStart, hostEnd)
            i = e
        }
    }

    /// A necessary condition for `urls` to find anything, checked with `memchr`: a URL has a
    /// scheme (`://`) or a host whose last label starts with a letter after a dot (`.com`). Most
    /// messages have neither (a full stop is followed by a space), so the detector's byte-by-byte
    /// walk is skipped for them.
    static func mayHoldURL(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = t.baseAddress else { return false }
        let n = t.count
        var k = 0
        while k < n, let p = memchr(base + k, 0x2E, n - k) {
            let dot = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            if dot + 1 < n, isAlpha(t[dot + 1]) || t[dot + 1] >= 0x80 { return true }
            k = dot + 1
        }
        k = 0
        while k < n, let p = memchr(base + k, 0x3A, n - k) {
            let colon = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            if colon + 2 < n, t[colon + 1] == 0x2F, t[colon + 2] == 0x2F { return true }
            k = colon + 1
        }
        return false
    }

    @inline(__always)
    static func isTrailingPunctuation(_ c: UInt8) -> Bool {
        c == 0x2E || c == 0x2C || c == 0x21 || c == 0x3F || c == 0x3A || c == 0x3B || c == 0x27
    }

    /// The end of `http://` or `https://` (any case) at `i`, if one starts there. Called at every
    /// word start of every scanned text, so it compares bytes in place.
    @inline(__always)
    static func matchScheme(_ t: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = t.count
        guard i + 7 <= n, t[i] | 0x20 == 0x68, t[i + 1] | 0x20 == 0x74, t[i + 2] | 0x20 == 0x74, t[i + 3] | 0x20 == 0x70 else {
            return nil
        }
        var k = i + 4
        if t[k] | 0x20 == 0x73 { k += 1 }
        guard k + 3 <= n, t[k] == 0x3A, t[k + 1] == 0x2F, t[k + 2] == 0x2F else { return nil }
        return k + 3
    }

    /// The host of a string field that holds a host or a URL: lower-cased, without scheme, port,
    /// path, user info or a trailing dot.
    package static func host(ofField t: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var s = 0
        var e = t.count
        while s < e, t[s] <= 0x20 { s += 1 }
        if let after = matchScheme(t, s) { s = after } else {
            // Any other scheme: skip to after "://".
            var k = s
            while k + 2 < e, isAlpha(t[k]) || isDigit(t[k]) || t[k] == 0x2B || t[k] == 0x2D || t[k] == 0x2E { k += 1 }
            if k + 2 < e, t[k] == 0x3A, t[k + 1] == 0x2F, t[k + 2] == 0x2F { s = k + 3 }
        }
        var k = s
        while k < e, t[k] != 0x2F, t[k] != 0x3F, t[k] != 0x23 { k += 1 }
        e = k
        // user@host
        for j in stride(from: e - 1, through: s, by: -1) where t[j] == 0x40 { s = j + 1; break }
        // :port
        for j in s..<e where t[j] == 0x3A { e = j; break }
        while e > s, t[e - 1] == 0x2E || t[e - 1] <= 0x20 { e -= 1 }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        for j in s..<e { out.append(t[j] >= 0x41 && t[j] <= 0x5A ? t[j] | 0x20 : t[j]) }
        return out
    }
}
