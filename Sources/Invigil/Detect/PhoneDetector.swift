#if canImport(Glibc)
import Glibc
#endif

// The phone-number detector: UK national and international numbers with their separators.
extension Detectors {
    /// Finds UK and international phone numbers. A candidate starts at `+`, `(` or a digit that
    /// does not follow a letter or digit, and continues over digits and single separators
    /// (space, `.`, `-`, brackets); it is a phone number when its digits form
    /// - a UK national number: `0` then 9 or 10 digits, the second digit not `0`;
    /// - `+44` or `0044`, an optional `(0)`, then 9 or 10 digits;
    /// - another `+CC` or `00CC` international number with 8 to 15 digits in all.
    package static func phones(in text: UnsafeBufferPointer<UInt8>, _ report: (Int, Int) -> Void) {
        guard let base = text.baseAddress else { return }
        let n = text.count
        var i = 0
        while i < n {
            // Straight to the next byte where a number could start: a digit, "+" or "(".
            i = nextPhoneStart(base, from: i, end: n)
            if i == n { break }
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
}
