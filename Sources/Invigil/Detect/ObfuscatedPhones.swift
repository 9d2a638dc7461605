extension Detectors {
    static let digitWords: [String: UInt8] = [
        "zero": 0x30, "oh": 0x30, "o": 0x30, "nought": 0x30, "nil": 0x30,
        "one": 0x31, "two": 0x32, "three": 0x33, "four": 0x34, "five": 0x35,
        "six": 0x36, "seven": 0x37, "eight": 0x38, "nine": 0x39,
    ]

    /// Phone numbers written with letters for digits (`0770O 9OO l23`: O and o for 0, l and I
    /// for 1, inside tokens that hold digits) or with spelled-out digits (`oh seven seven oh oh
    /// nine double oh one two three`). Reports spans in the original text; spans that
    /// `phones(in:)` also reports are left to it.
    public static func obfuscatedPhones(in t: UnsafeBufferPointer<UInt8>, _ report: (Int, Int) -> Void) {
        let n = t.count
        // Quick reject: nothing to translate.
        var hasCandidate = false
        for b in t where b == 0x4F || b == 0x6F || b == 0x6C || b == 0x49 {
            hasCandidate = true
            break
        }
        if !hasCandidate { return }
        var out: [UInt8] = []
        var origin: [Int32] = []  // start, end per output byte
        out.reserveCapacity(n)
        origin.reserveCapacity(2 * n)
        var translated = false
        var pendingRepeat = 1
        var i = 0
        func put(_ b: UInt8, _ s: Int, _ e: Int) {
            out.append(b)
            origin.append(Int32(s))
            origin.append(Int32(e))
        }
        while i < n {
            let b = t[i]
            guard isAlpha(b) || isDigit(b) else {
                put(b, i, i + 1)
                i += 1
                continue
            }
            var j = i
            var digits = 0, letters = 0, swappable = 0
            while j < n, isAlpha(t[j]) || isDigit(t[j]) {
                if isDigit(t[j]) { digits += 1 } else {
                    letters += 1
                    if [0x4F, 0x6F, 0x6C, 0x49].contains(t[j]) { swappable += 1 }
                }
                j += 1
            }
            if digits > 0 && letters > 0 && letters == swappable {
                // 0770O, 9OO, l23: letters standing for digits.
                for k in i..<j {
                    let c = t[k]
                    let d: UInt8 = isDigit(c) ? c : (c == 0x6C || c == 0x49 ? 0x31 : 0x30)
                    put(d, k, k + 1)
                }
                translated = true
            } else if digits == 0 {
                var word = ""
                for k in i..<j { word.unicodeScalars.append(Unicode.Scalar(t[k] | 0x20)) }
                if word == "double" || word == "triple" {
                    pendingRepeat = word == "double" ? 2 : 3
                } else if let d = digitWords[word] {
                    for _ in 0..<pendingRepeat { put(d, i, j) }
                    pendingRepeat = 1
                    translated = true
                } else {
                    pendingRepeat = 1
                    for k in i..<j { put(t[k], k, k + 1) }
                }
            } else {
                for k in i..<j { put(t[k], k, k + 1) }
            }
            i = j
        }
        guard translated else { return }
        // Spelled digits come as "seven seven" with spaces between; drop a run of separators
        // between two digits when either digit was a word, so the number reads as one group.
        func fromWord(_ x: Int) -> Bool { origin[2 * x + 1] - origin[2 * x] > 1 || isAlpha(t[Int(origin[2 * x])]) }
        func isSeparator(_ c: UInt8) -> Bool { c == 0x20 || c == 0x2C || c == 0x2D }
        var joined: [UInt8] = []
        var joinedOrigin: [Int32] = []
        var k = 0
        while k < out.count {
            if isSeparator(out[k]) {
                var r = k
                while r < out.count, isSeparator(out[r]) { r += 1 }
                if k > 0, r < out.count, isDigit(out[k - 1]), isDigit(out[r]), fromWord(k - 1) || fromWord(r) {
                    k = r
                    continue
                }
                for x in k..<r {
                    joined.append(out[x])
                    joinedOrigin.append(origin[2 * x])
                    joinedOrigin.append(origin[2 * x + 1])
                }
                k = r
                continue
            }
            joined.append(out[k])
            joinedOrigin.append(origin[2 * k])
            joinedOrigin.append(origin[2 * k + 1])
            k += 1
        }
        joined.withUnsafeBufferPointer { copy in
            phones(in: copy) { s, e in
                let start = Int(joinedOrigin[2 * s])
                let end = Int(joinedOrigin[2 * (e - 1) + 1])
                // Only numbers that needed translating: a plain number is the plain detector's.
                var plain = true
                for x in s..<e where joined[x] != t[safe: Int(joinedOrigin[2 * x])] || joinedOrigin[2 * x + 1] - joinedOrigin[2 * x] != 1 {
                    plain = false
                    break
                }
                if !plain { report(start, end) }
            }
        }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    subscript(safe index: Int) -> UInt8 { index >= 0 && index < count ? self[index] : 0 }
}
