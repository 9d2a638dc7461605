/// For each automaton pattern, the phrase lists it stands for: one entry per list (per spelling,
/// for case-sensitive lists). Flat arrays rather than an array per pattern, so that a rule set of
/// 100,000 phrases holds five arrays instead of 200,000 small ones, and a compiled file stores
/// them as they are.
struct PatternEntries {
    /// The entries of pattern p are start[p]..<start[p + 1].
    var start: [UInt32] = [0]
    /// Phrase list of each entry.
    var list: [Int32] = []
    /// ``wholeWord`` and ``caseSensitive`` bits of each entry.
    var flags: [UInt8] = []
    /// The phrase as written (case-sensitive lists compare it with the text): the bytes
    /// originalBytes[originalStart[e]..<originalStart[e + 1]].
    var originalStart: [UInt32] = [0]
    var originalBytes: [UInt8] = []

    static let wholeWord: UInt8 = 1
    static let caseSensitive: UInt8 = 2

    init() {}

    init(_ nested: [[RuleSet.PatternEntry]]) {
        for entries in nested {
            for e in entries {
                list.append(e.list)
                flags.append((e.wholeWord ? Self.wholeWord : 0) | (e.caseSensitive ? Self.caseSensitive : 0))
                originalBytes += e.original
                originalStart.append(UInt32(originalBytes.count))
            }
            start.append(UInt32(list.count))
        }
    }

    var patternCount: Int { start.count - 1 }

    @inline(__always)
    func entries(of pattern: Int) -> Range<Int> { Int(start[pattern])..<Int(start[pattern + 1]) }

    @inline(__always)
    func original(_ entry: Int) -> ArraySlice<UInt8> {
        originalBytes[Int(originalStart[entry])..<Int(originalStart[entry + 1])]
    }
}
