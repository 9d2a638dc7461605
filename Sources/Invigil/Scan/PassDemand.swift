/// Which automaton passes an event needs: a pass over a field is skipped when no rule that could
/// fire on the event reads any of the keys it counts.
///
/// Each pass (the plain automaton over one field, or a normalised automaton over one field)
/// counts a fixed set of phrase keys: its phrase lists on that field. The rules that read those
/// keys (in a `count` or a proximity test, or as the spans a finding reports) are known when the
/// scanner is made, as a bit set per pass. Per event, the rules that can fire are those of the
/// packs that judge it (the school code) less those whose guards already failed
/// (`RuleGuards`), both known before any text is scanned. A pass whose readers are all outside
/// that set cannot change a finding, so it is not run.
///
/// On the bundled packs most events come from one school, so four packs' rules are out, and
/// most rules open with tests on the author's role and the event's type; the offensive-language
/// lists' passes (the costliest: normalised copies and the two largest automata) are needed
/// only where a rule on them is left.
///
/// What a skipped pass would have found is then missing from the scanner's key counts, which
/// only the rules left read, with one exception: the condition trees that `invigil explain`
/// and the tests evaluate for any rule (`evaluateTree`). Those callers ask for a full scan
/// first (`scanFullyIfPassesWereSkipped`). The spans a skipped pass would have stored no longer
/// count against `storedSpanLimit`, so an event near that limit keeps more spans of the keys
/// that matter; below it (every event of the test archives) findings are byte-identical.
struct PassDemand {
    /// Words per rule bit set.
    let ruleWords: Int
    /// Per pass, the rules that read its keys: `ruleWords` words at `pass × ruleWords`. Passes
    /// are numbered: the plain automaton's fields in `plainFields` order, then each normalised
    /// automaton's fields in order.
    let readers: [UInt64]
    /// The first pass number of each normalised automaton (`normalizedPassStart[i] + j` is its
    /// j-th field's pass).
    let normalizedPassStart: [Int]
    /// Per pack, its rules as bits.
    let packRules: [UInt64]

    init(rules: RuleSet) {
        let ruleCount = rules.ruleCount
        let words = (ruleCount + 63) / 64
        ruleWords = words
        let keyCount = rules.program.keys.count
        let fieldCount = rules.fields.count
        // Per key, the rules that read it.
        var keyReaders = [UInt64](repeating: 0, count: keyCount * words)
        func mark(_ key: Int, _ r: Int) {
            guard key >= 0, key < keyCount else { return }
            keyReaders[key * words + r >> 6] |= 1 << UInt64(r & 63)
        }
        let code = rules.program.code
        for r in 0..<ruleCount {
            let range = rules.ruleCode[r]
            if range.lowerBound >= 0 && range.upperBound <= code.count {
                for ins in code[range] {
                    switch ins.opcode {
                    case .count:
                        mark(Int(ins.a), r)
                    case .near, .nearInOrder:
                        mark(Int(ins.a), r)
                        mark(Int(ins.b), r)
                    default:
                        break
                    }
                }
            }
            for k in rules.ruleSupport[r] { mark(Int(k), r) }
            for test in rules.ruleProximity[r] {
                mark(Int(test.first), r)
                mark(Int(test.second), r)
            }
        }
        // Per pass, the union over its lists' keys on its field.
        var readers: [UInt64] = []
        func addPass(entries: PatternEntries, field f: Int) {
            var bits = [UInt64](repeating: 0, count: words)
            var seen = Set<Int32>()
            for list in entries.list where seen.insert(list).inserted {
                let slot = Int(list) * fieldCount + f
                guard slot >= 0, slot < rules.keyOfListField.count else { continue }
                let key = Int(rules.keyOfListField[slot])
                guard key >= 0, key < keyCount else { continue }
                for w in 0..<words { bits[w] |= keyReaders[key * words + w] }
            }
            readers += bits
        }
        for f in rules.plainFields { addPass(entries: rules.patternEntries, field: Int(f)) }
        var starts: [Int] = []
        var next = rules.plainFields.count
        for na in rules.normalizedAutomata {
            starts.append(next)
            for f in na.fields { addPass(entries: na.patternEntries, field: Int(f)) }
            next += na.fields.count
        }
        self.readers = readers
        normalizedPassStart = starts
        var packRules = [UInt64](repeating: 0, count: rules.packs.count * words)
        for r in 0..<ruleCount {
            let p = Int(rules.rulePack[r])
            guard p >= 0, p < rules.packs.count else { continue }
            packRules[p * words + r >> 6] |= 1 << UInt64(r & 63)
        }
        self.packRules = packRules
    }

    var passCount: Int { readers.count / max(1, ruleWords) }
}

extension Scanner {
    /// Sets `passNeeded` for the current event: a pass is needed when some rule that reads its
    /// keys belongs to a pack that judges the event and was not rejected by its guards. Runs
    /// after `selectPacks()` and `rejectGuardedRules()`.
    func markNeededPasses() {
        let words = passDemand.ruleWords
        var same = passesMarked
        // Consecutive events of an archive mostly leave the same rules (same school, role and
        // type): then the passes needed are those of the last event. The arrays are read in
        // place: through `withUnsafeBufferPointer` each of the three was retained and released
        // on every event.
        for w in 0..<words {
            let bits = judgingRules[w] & ~guardRejected[w]
            if bits != liveRules[w] {
                same = false
                liveRules[w] = bits
            }
        }
        passesMarked = true
        if same { return }
        var skipped = false
        passDemand.readers.withUnsafeBufferPointer { readers in
            liveRules.withUnsafeBufferPointer { live in
                passNeeded.withUnsafeMutableBufferPointer { needed in
                    for pass in 0..<needed.count {
                        var any: UInt64 = 0
                        for w in 0..<words { any |= readers[pass &* words &+ w] & live[w] }
                        needed[pass] = any != 0
                        skipped = skipped || any == 0
                    }
                }
            }
        }
        passesSkipped = skipped
    }

    /// Scans the current event again with every pass run, if the last scan skipped some: for
    /// callers that read key counts of rules that could not fire (`evaluateTree`, explanations).
    /// The findings are the same either way.
    package func scanFullyIfPassesWereSkipped() {
        guard passesSkipped else { return }
        let was = skipsUnneededPasses
        skipsUnneededPasses = false
        scan()
        skipsUnneededPasses = was
    }
}
