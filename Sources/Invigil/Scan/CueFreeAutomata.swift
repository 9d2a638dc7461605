/// Normalised automata without their cue-only patterns, for the passes that set cue hits aside.
///
/// A pass that defers cue lists' hits (`DeferredHits`) skips every entry of a deferrable key
/// before looking at it; yet the automaton still reports those hits, and the pass still walks
/// them. On the bundled packs the `caseless confusables` automaton holds `article_cues` and
/// `insult_cues` ("a", "u", "r", "the", "you"): 31 hits per benchmark text, of which all but a few
/// hundredths are skipped, so that storing and walking them was most of that pass's cost.
///
/// A pattern is *cue-only* when every entry of it, on every field the automaton scans, has no key
/// or a deferrable one. The cue-free automaton is the full one with the match flag left only on
/// states that report some other pattern; a deferring pass over ASCII text runs it instead of the
/// full one. Its hits are the full automaton's at those states, read through the same outputs, so
/// the entries the pass stores are the same, in the same order. What it no longer sees is how
/// many cue-only entries it skipped: `DeferredHits.spanBound` then takes a bound instead, the value's
/// length times the most cue-only entries any state reports (`cueEntriesPerEnd`), and the value
/// is always noted for replay. The replay (`resolveDeferredHits`) runs the full automaton, as
/// before. Where the bound could reach the stored-span limit, the pass runs the full automaton and
/// counts exactly.
///
/// Built on first use from the rule set (the deferrable keys depend on its programs), once for
/// all scanners that share it; a compiled rule file does not store it. A first version built an
/// automaton of the kept patterns: 11 M instructions when the first scanner was made, several
/// times what loading the packs costs; copying the rows with fewer flags is a tenth of that.
struct CueFreeAutomaton {
    /// The full automaton reporting only states that report some pattern that is not cue-only
    /// (`Automaton.reportingOnly`); its hits are read through the full automaton's outputs.
    let automaton: Automaton
    /// Per pattern of the full automaton: whether it is cue-only.
    let cueOnly: [Bool]
    /// The most entries of cue-only patterns that one state reports: a bound on the entries
    /// skipped per byte of text.
    let cueEntriesPerEnd: Int
}

/// The making of a rule set's cue-free automata, once, on first use (`RuleSet.cueFreeAutomata()`).
enum CueFreeAutomata {
    /// Per normalised automaton: a cue-free automaton where its mode lets the pass defer (no
    /// `spaced`, no `leet`: ASCII text is scanned where it lies), some pattern is cue-only, and
    /// the automaton is fully dense.
    static func build(_ rules: RuleSet) -> [CueFreeAutomaton?] {
        let deferrable = DeferredHits.deferrableKeys(of: rules)
        let fieldCount = rules.fields.count
        return rules.normalizedAutomata.map { na -> CueFreeAutomaton? in
            guard !na.mode.contains(.spaced), !na.mode.contains(.leet) else { return nil }
            let entries = na.patternEntries
            let automaton = na.automaton
            func isCue(_ e: Int) -> Bool {
                na.fields.allSatisfy { f in
                    let slot = Int(entries.list[e]) * fieldCount + Int(f)
                    guard slot >= 0, slot < rules.keyOfListField.count else { return true }
                    let key = Int(rules.keyOfListField[slot])
                    return key < 0 || (key < deferrable.count && deferrable[key])
                }
            }
            let cueOnly = (0..<entries.patternCount).map { p in entries.entries(of: p).allSatisfy(isCue) }
            guard cueOnly.contains(true) else { return nil }
            // The bound per byte: over the states, the entries of the cue-only patterns reported.
            var perEnd = 0
            for s in 0..<automaton.stateCount {
                var n = 0
                for k in automaton.outputs(of: UInt32(s)) {
                    let p = Int(automaton.outputs[k])
                    if p < cueOnly.count && cueOnly[p] { n += entries.entries(of: p).count }
                }
                perEnd = max(perEnd, n)
            }
            guard let filtered = automaton.reportingOnly({ $0 < cueOnly.count && !cueOnly[$0] }) else { return nil }
            return CueFreeAutomaton(automaton: filtered, cueOnly: cueOnly, cueEntriesPerEnd: perEnd)
        }
    }
}

extension RuleSet {
    /// Per normalised automaton, its cue-free form for deferring passes (`CueFreeAutomaton`), or
    /// nil. Built on the first call; safe from any thread.
    func cueFreeAutomata() -> [CueFreeAutomaton?] { cueFree.get { CueFreeAutomata.build(self) } }
}
