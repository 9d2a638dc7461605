/// Words and sentence ends in the text between two matches, for proximity tests
/// (`a near b within N words in text`). Everything is judged on the original bytes of the value,
/// whichever normalisation found the matches, so a spaced-out or disguised word between two
/// matches counts as the one word a reader sees.
///
/// - A *word character* is an ASCII letter, digit or `_`, a non-ASCII letter, digit or mark
///   (as for whole-word matching; zero-width characters glue), or an apostrophe `'` or a dot
///   `.` between two of those (`don't`, `3.47`, `bit.ly` and `e.g` are one word each).
/// - A *word* is a maximal run of word characters; but letters standing alone (one letter with
///   no word character on either side) separated only by spaces, `.`, `-` or `*` form one
///   spaced-out word (`a r e`, `t.e.x.t`).
/// - A *sentence ends* at a line break (`\n`, `\r`), and at `.`, `!`, `?` or `…` not followed
///   by a word character (so a dot inside a word does not end one), except a `.`
///   directly after a letter standing alone (initials, spaced-out words).
///
/// The words between two matches are the words with at least one character strictly between
/// them; they are in one sentence when no sentence end lies between them.
enum WordGap {
    @inline(__always) static func characterLength(_ b: UInt8) -> Int {
        b < 0xC0 ? 1 : (b < 0xE0 ? 2 : (b < 0xF0 ? 3 : 4))
    }

    /// Whether the character starting at `p` is a word character.
    @inline(__always) static func isWord(_ t: UnsafeBufferPointer<UInt8>, _ p: Int) -> Bool {
        guard p < t.count else { return false }
        if t[p] == 0x27 || t[p] == 0x2E { return Detectors.isWordBefore(t, p) && Detectors.isWordAt(t, p + 1) }
        return Detectors.isWordAt(t, p)
    }

    /// Whether the character ending just before `p` is a word character.
    @inline(__always) static func isWordBefore(_ t: UnsafeBufferPointer<UInt8>, _ p: Int) -> Bool {
        guard p > 0 else { return false }
        if t[p - 1] == 0x27 || t[p - 1] == 0x2E { return Detectors.isWordBefore(t, p - 1) && Detectors.isWordAt(t, p) }
        return Detectors.isWordBefore(t, p)
    }

    /// Whether the character at `p` (of `length` bytes) is a letter with no word character
    /// on either side.
    static func standsAlone(_ t: UnsafeBufferPointer<UInt8>, _ p: Int, _ length: Int) -> Bool {
        let b = t[p]
        let letter = b >= 0x80 ? Detectors.isWordAt(t, p) : Detectors.isAlpha(b)
        return letter && !isWordBefore(t, p) && !isWord(t, p + length)
    }

    @inline(__always) static func isSpacingSeparator(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x2E || b == 0x2D || b == 0x2A
    }

    /// Whether a sentence ends at the character starting at `p`.
    static func endsSentence(_ t: UnsafeBufferPointer<UInt8>, _ p: Int) -> Bool {
        let b = t[p]
        if b == 0x0A || b == 0x0D { return true }
        var length = 1
        if b == 0xE2 {  // … U+2026 is E2 80 A6
            guard p + 2 < t.count, t[p + 1] == 0x80, t[p + 2] == 0xA6 else { return false }
            length = 3
        } else if b != 0x2E && b != 0x21 && b != 0x3F {
            return false
        }
        if isWord(t, p + length) { return false }
        if b == 0x2E, p > 0 {
            var q = p - 1
            while q > 0, t[q] & 0xC0 == 0x80 { q -= 1 }
            if standsAlone(t, q, p - q) { return false }
        }
        return true
    }

    /// Whether the text in `start..<end` holds no sentence end and at most `window` words.
    /// Reads only that range (and a character on either side), stopping at the first sentence
    /// end or at the word beyond the window.
    static func holds(_ t: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, window: Int) -> Bool {
        var words = 0
        var p = start
        var previousIsWord = false
        var lastRunStandsAlone = false
        var onlySeparatorsSinceRun = false
        while p < end {
            let b = t[p]
            let length = min(characterLength(b), t.count - p)
            if isWord(t, p) {
                if !previousIsWord {
                    // The first character of a word in the range (its run may begin before).
                    let alone = standsAlone(t, p, length)
                    if !(alone && lastRunStandsAlone && onlySeparatorsSinceRun) {
                        words += 1
                        if words > window { return false }
                    }
                    lastRunStandsAlone = alone
                    onlySeparatorsSinceRun = true
                }
                previousIsWord = true
            } else {
                if endsSentence(t, p) { return false }
                if !isSpacingSeparator(b) { onlySeparatorsSinceRun = false }
                previousIsWord = false
            }
            p += length
        }
        return true
    }
}
