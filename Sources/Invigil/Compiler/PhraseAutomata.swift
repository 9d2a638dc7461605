extension RuleSet {
    /// The phrase automata: the plain one and one per combination of normalisation modes, each
    /// with the phrase lists its patterns stand for. Built from the phrases here, or read from a
    /// compiled file (`RuleSetReader`).
    struct Automata {
        var plain: Automaton
        var plainEntries: PatternEntries
        var normalized: [(mode: NormalizeMode, automaton: Automaton, entries: PatternEntries)]
    }

    /// One phrase list a pattern stands for, as the build collects them (`PatternEntries` holds
    /// them flat).
    struct PatternEntry {
        var list: Int32
        var wholeWord: Bool
        var caseSensitive: Bool
        var original: [UInt8]
    }
}

extension RuleSet.Automata {
    /// The automata of the phrase lists that some key of `program` tests, deduplicated after
    /// case folding. Plain lists share one automaton; each combination of normalisation modes
    /// gets its own, in order of the modes' raw values.
    init(building phraseLists: [PhraseList], for program: Program) {
        var usedLists = Set<Int>()
        for key in program.keys { if case .phrases(let l) = key.matcher { usedLists.insert(l) } }
        var byMode: [NormalizeMode: [Int]] = [:]
        for l in usedLists.sorted() { byMode[phraseLists[l].normalize, default: []].append(l) }
        let (plain, plainEntries) = Self.build(byMode[NormalizeMode()] ?? [], NormalizeMode(), phraseLists)
        var normalized: [(mode: NormalizeMode, automaton: Automaton, entries: PatternEntries)] = []
        for (mode, lists) in byMode.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !mode.isEmpty {
            let (a, e) = Self.build(lists, mode, phraseLists)
            normalized.append((mode, a, PatternEntries(e)))
        }
        self.init(plain: plain, plainEntries: PatternEntries(plainEntries), normalized: normalized)
    }

    /// The automaton of `lists` under `mode` (case folding only when empty): one pattern per
    /// distinct folded or normalised phrase, with the lists it stands for.
    private static func build(
        _ lists: [Int], _ mode: NormalizeMode, _ phraseLists: [PhraseList]
    ) -> (Automaton, [[RuleSet.PatternEntry]]) {
        var patternIds: [[UInt8]: Int] = [:]
        var patterns: [[UInt8]] = []
        var entries: [[RuleSet.PatternEntry]] = []
        for l in lists {
            let list = phraseLists[l]
            for p in list.phrases {
                let folded = mode.isEmpty ? p.map(Automaton.fold) : Normalizer.normalize(phrase: p, mode: mode)
                if folded.isEmpty { continue }
                let id: Int
                if let existing = patternIds[folded] {
                    id = existing
                } else {
                    id = patterns.count
                    patternIds[folded] = id
                    patterns.append(folded)
                    entries.append([])
                }
                let entry = RuleSet.PatternEntry(list: Int32(l), wholeWord: list.wholeWord, caseSensitive: list.caseSensitive, original: p)
                if !entries[id].contains(where: { $0.list == entry.list && $0.original == entry.original }) {
                    // One entry per list for case-insensitive lists, whatever the spelling.
                    if !list.caseSensitive, entries[id].contains(where: { $0.list == entry.list }) { continue }
                    entries[id].append(entry)
                }
            }
        }
        return (Automaton(patterns: patterns), entries)
    }
}
