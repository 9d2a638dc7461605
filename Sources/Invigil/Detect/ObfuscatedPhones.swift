#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

extension Detectors {
    static let digitWordList: [([UInt8], UInt8)] = [
        ("zero", 0x30), ("oh", 0x30), ("o", 0x30), ("nought", 0x30), ("nil", 0x30),
        ("one", 0x31), ("two", 0x32), ("three", 0x33), ("four", 0x34), ("five", 0x35),
        ("six", 0x36), ("seven", 0x37), ("eight", 0x38), ("nine", 0x39)
    ].map { (Array($0.0.utf8), $0.1) }

    /// The digit a word spells (case-insensitive), without allocating: the word's letters,
    /// lowercased and packed into one integer, against the packed words. The packed words are
    /// compile-time constants in a `switch`, which the compiler turns into a few comparisons;
    /// prose has many short words that start like a digit word, and each is looked up.
    @inline(__always)
    static func digitWord(_ t: UnsafeBufferPointer<UInt8>, _ i: Int, _ j: Int) -> UInt8? {
        let length = j - i
        guard length >= 1 && length <= 6 else { return nil }
        var key: UInt64 = 0
        for k in 0..<length { key |= UInt64(t[i + k] | 0x20) << (8 * UInt64(k)) }
        switch key {
        case 0x6F_7265_7A, 0x68_6F, 0x6F, 0x74_6867_756F_6E, 0x6C_696E: return 0x30  // zero oh o nought nil
        case 0x65_6E6F: return 0x31  // one
        case 0x6F_7774: return 0x32  // two
        case 0x65_6572_6874: return 0x33  // three
        case 0x72_756F_66: return 0x34  // four
        case 0x65_7669_66: return 0x35  // five
        case 0x78_6973: return 0x36  // six
        case 0x6E_6576_6573: return 0x37  // seven
        case 0x74_6867_6965: return 0x38  // eight
        case 0x65_6E69_6E: return 0x39  // nine
        default: return nil
        }
    }

    @inline(__always)
    static func isMultiplier(_ t: UnsafeBufferPointer<UInt8>, _ i: Int, _ j: Int) -> Int {
        let length = j - i
        guard length == 6 else { return 1 }
        let double = Array("double".utf8), triple = Array("triple".utf8)
        var d = true, tr = true
        for k in 0..<6 {
            let c = t[i + k] | 0x20
            if c != double[k] { d = false }
            if c != triple[k] { tr = false }
        }
        return d ? 2 : (tr ? 3 : 1)
    }

    /// Byte classes of the first pass: letter, digit, a letter that stands for a digit (O o l I),
    /// and a letter that starts a digit word (z o n t f s e, either case).
    static let prefilterClasses: [UInt8] = (0..<256).map { b in
        let c = UInt8(b)
        var bits: UInt8 = 0
        if isAlpha(c) { bits |= prefilterLetter }
        if isDigit(c) { bits |= prefilterDigit }
        if c == 0x4F || c == 0x6F || c == 0x6C || c == 0x49 { bits |= prefilterSwappable }
        if isAlpha(c), digitWordList.contains(where: { $0.0.first == c | 0x20 }) { bits |= prefilterWordStart }
        return bits
    }
    static let prefilterLetter: UInt8 = 1
    static let prefilterDigit: UInt8 = 2
    static let prefilterSwappable: UInt8 = 4
    static let prefilterWordStart: UInt8 = 8

    /// A cheap first pass: could the text hold a disguised number at all? Letters-for-digits
    /// need a token mixing digits with O/o/l/I only; spelled numbers need at least seven digit
    /// words. One table lookup per byte; the word list is consulted only for short words that
    /// start like a digit word.
    static func mayHoldObfuscatedPhone(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        #if canImport(InvigilSIMD)
        // Bit masks of 64 bytes at a time (obfuscated.c): a fifth of the byte loop's time on
        // prose, whose token ends the loop mispredicts.
        guard let base = t.baseAddress else { return false }
        return ivg_may_hold_obfuscated_phone(base, t.count) != 0
        #else
        return mayHoldObfuscatedPhoneBytewise(t)
        #endif
    }

    /// `mayHoldObfuscatedPhone` a byte at a time: the kernel where InvigilSIMD is absent, and
    /// the tests' second reference.
    static func mayHoldObfuscatedPhoneBytewise(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        prefilterClasses.withUnsafeBufferPointer { classes in
            let n = t.count
            let alphanumeric = prefilterLetter | prefilterDigit
            var i = 0
            var words = 0
            while i < n {
                let first = classes[Int(t[i])]
                guard first & alphanumeric != 0 else {
                    i += 1
                    continue
                }
                var j = i
                var all: UInt8 = 0
                var notSwappableLetter = false
                while j < n {
                    let c = classes[Int(t[j])]
                    if c & alphanumeric == 0 { break }
                    all |= c
                    if c & (prefilterLetter | prefilterSwappable) == prefilterLetter { notSwappableLetter = true }
                    j += 1
                }
                if all & prefilterDigit != 0 {
                    if all & prefilterLetter != 0 && !notSwappableLetter { return true }
                } else if first & prefilterWordStart != 0, j - i <= 6, digitWord(t, i, j) != nil {
                    words += 1
                    if words >= 7 { return true }
                }
                i = j
            }
            return false
        }
    }

    /// Phone numbers written with letters for digits (`0770O 9OO l23`: O and o for 0, l and I
    /// for 1, inside tokens that hold digits) or with spelled-out digits (`oh seven seven oh oh
    /// nine double oh one two three`). Reports spans in the original text; spans that
    /// `phones(in:)` also reports are left to it.
    package static func obfuscatedPhones(in t: UnsafeBufferPointer<UInt8>, _ report: (Int, Int) -> Void) {
        let n = t.count
        guard mayHoldObfuscatedPhone(t) else { return }
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
                if isDigit(t[j]) {
                    digits += 1
                } else {
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
                let multiplier = isMultiplier(t, i, j)
                if multiplier > 1 {
                    pendingRepeat = multiplier
                } else if let d = digitWord(t, i, j) {
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
