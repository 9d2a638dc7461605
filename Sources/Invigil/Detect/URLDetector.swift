#if canImport(Glibc)
import Glibc
#endif

// The URL and host detector: schemes, bare hosts with a common top-level domain, and the host
// of a field that holds a URL.
extension Detectors {
    static let commonTLDs: [[UInt8]] =
        ([
            "com", "org", "net", "uk", "io", "me", "co", "ly", "gl", "be", "tv", "gg", "app", "info", "biz", "edu", "gov",
            "ac", "sch", "us", "ie", "eu", "de", "fr", "ru", "cn", "in", "au", "ca", "nz", "to", "fm", "im", "link", "site",
            "online", "xyz", "live", "chat", "social", "club", "page", "dev", "ai", "so", "cc", "ws", "tk", "ml"
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
    static func urlsWithoutPrefilter(in t: UnsafeBufferPointer<UInt8>, _ report: (_ start: Int, _ end: Int, _ hostStart: Int, _ hostEnd: Int) -> Void)
    {
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
                let startsWWW =
                    hostEnd - hostStart > 4 && (t[hostStart] | 0x20) == 0x77 && (t[hostStart + 1] | 0x20) == 0x77
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
        let range = hostRange(ofField: t)
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        for j in range { out.append(t[j] >= 0x41 && t[j] <= 0x5A ? t[j] | 0x20 : t[j]) }
        return out
    }

    /// Where `host(ofField:)`'s host lies in `t`, before its case is folded (the scanner looks it
    /// up there, folding as it goes, without making a copy).
    package static func hostRange(ofField t: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var s = 0
        var e = t.count
        while s < e, t[s] <= 0x20 { s += 1 }
        if let after = matchScheme(t, s) {
            s = after
        } else {
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
        return s..<max(s, e)
    }
}
