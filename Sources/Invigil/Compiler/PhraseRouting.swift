/// Which automaton scans which field, and which key of the program a (phrase list, field) match
/// reports: the wiring between the phrase automata and the program's keys.
struct PhraseRouting {
    /// keyOfListField[list * fieldCount + field] = key index, or -1.
    var keyOfListField: [Int32]
    /// Fields some automaton scans (any mode), and those the plain automaton scans.
    var scannedFields: [Int32]
    var plainFields: [Int32]
    /// The automata of normalised phrase lists with the fields each scans.
    var normalizedAutomata: [RuleSet.NormalizedAutomaton]

    init(automata: RuleSet.Automata, program: Program, phraseLists: [PhraseListInfo], fieldCount: Int) {
        var keyOfListField = [Int32](repeating: -1, count: max(1, phraseLists.count * max(1, fieldCount)))
        // Flags per field (the fields in order, each once), not sets: a rule set's load builds
        // these, and hashing every key's field into three sets was a few per cent of it.
        var scanned = [Bool](repeating: false, count: fieldCount)
        var plain = [Bool](repeating: false, count: fieldCount)
        let modes = automata.normalized.map(\.mode)
        var ofMode = [[Bool]](repeating: [Bool](repeating: false, count: fieldCount), count: modes.count)
        for (k, key) in program.keys.enumerated() {
            if case .phrases(let l) = key.matcher {
                keyOfListField[l * fieldCount + key.field] = Int32(k)
                scanned[key.field] = true
                let mode = phraseLists[l].normalize
                if mode.isEmpty {
                    plain[key.field] = true
                } else if let m = modes.firstIndex(of: mode) {
                    ofMode[m][key.field] = true
                }
            }
        }
        func fields(_ flags: [Bool]) -> [Int32] { flags.indices.compactMap { flags[$0] ? Int32($0) : nil } }
        self.keyOfListField = keyOfListField
        scannedFields = fields(scanned)
        plainFields = fields(plain)
        normalizedAutomata = automata.normalized.enumerated().map { m, n in
            RuleSet.NormalizedAutomaton(mode: n.mode, automaton: n.automaton, patternEntries: n.entries, fields: fields(ofMode[m]))
        }
    }
}

extension RuleSet {
    /// The automaton of one combination of normalisation modes, and the fields it scans.
    /// A class, not a struct: the scanner reads these per event, and a struct of four arrays
    /// would be copied (retained and released field by field) at every read.
    final class NormalizedAutomaton: Sendable {
        let mode: NormalizeMode
        let automaton: Automaton
        let patternEntries: PatternEntries
        let fields: [Int32]
        /// Per pattern: every entry of it is a whole-word one, so that, under a mode without
        /// `spaced`, a hit followed by a word character counts for nothing (`forEachDirectMatch`
        /// drops it before looking at its entries). Derived, not stored in compiled files.
        let wholeWordOnly: [Bool]

        init(mode: NormalizeMode, automaton: Automaton, patternEntries: PatternEntries, fields: [Int32]) {
            self.mode = mode
            self.automaton = automaton
            self.patternEntries = patternEntries
            self.fields = fields
            wholeWordOnly = (0..<patternEntries.patternCount).map { p in
                let entries = patternEntries.entries(of: p)
                return !entries.isEmpty && entries.upperBound <= patternEntries.flags.count
                    && entries.allSatisfy { patternEntries.flags[$0] & PatternEntries.wholeWord != 0 }
            }
        }
    }
}
