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
        var scanned = Set<Int>()
        for (k, key) in program.keys.enumerated() {
            if case .phrases(let l) = key.matcher {
                keyOfListField[l * fieldCount + key.field] = Int32(k)
                scanned.insert(key.field)
            }
        }
        self.keyOfListField = keyOfListField
        scannedFields = scanned.sorted().map(Int32.init)
        normalizedAutomata = automata.normalized.map { n in
            var fieldsOfMode = Set<Int>()
            for key in program.keys {
                if case .phrases(let l) = key.matcher, phraseLists[l].normalize == n.mode { fieldsOfMode.insert(key.field) }
            }
            return RuleSet.NormalizedAutomaton(
                mode: n.mode, automaton: n.automaton, patternEntries: n.entries, fields: fieldsOfMode.sorted().map(Int32.init))
        }
        plainFields = Set(
            program.keys.compactMap { key -> Int32? in
                if case .phrases(let l) = key.matcher, phraseLists[l].normalize.isEmpty { return Int32(key.field) }
                return nil
            }
        ).sorted()
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

        init(mode: NormalizeMode, automaton: Automaton, patternEntries: PatternEntries, fields: [Int32]) {
            self.mode = mode
            self.automaton = automaton
            self.patternEntries = patternEntries
            self.fields = fields
        }
    }
}
