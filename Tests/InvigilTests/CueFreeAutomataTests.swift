import Testing
@testable import Invigil

/// The normalised automata without their cue-only patterns (Sources/Invigil/Scan/CueFreeAutomata.swift):
/// which patterns they keep, their hits against the full automaton's, and scans through them
/// against scans through the full automata and scans without deferral.
@Suite("Cue-free automata")
struct CueFreeAutomataTests {
    static func rules() throws -> RuleSet { try RuleSet.compile(source: DeferredHitsTests.source) }

    /// The pattern bytes of each pattern of a normalised automaton, from its first entry.
    static func patterns(_ na: RuleSet.NormalizedAutomaton) -> [[UInt8]] {
        (0..<na.patternEntries.patternCount).map { p in
            Normalizer.normalize(phrase: Array(na.patternEntries.original(na.patternEntries.entries(of: p).first!)), mode: na.mode)
        }
    }

    @Test func marksThePatternsNoKeyNeedsAndBoundsThem() throws {
        let rules = try Self.rules()
        let cueFree = rules.cueFreeAutomata()
        #expect(cueFree.count == rules.normalizedAutomata.count)
        // The same automata for every call: built once.
        #expect(
            rules.cueFreeAutomata().map { $0.map { ObjectIdentifier($0.automaton) } } == cueFree.map { $0.map { ObjectIdentifier($0.automaton) } })
        var checked = 0
        for (na, cf) in zip(rules.normalizedAutomata, cueFree) {
            if na.mode.contains(.spaced) || na.mode.contains(.leet) {
                #expect(cf == nil, "\(na.mode.description)")
                continue
            }
            let cf = try #require(cf)
            let patterns = Self.patterns(na).map { String(decoding: $0, as: UTF8.self) }
            let cueOnly = Set(patterns.indices.filter { cf.cueOnly[$0] }.map { patterns[$0] })
            // Patterns that only `cues` lists are cue-only (its key on `text` is deferrable, and it
            // has none on `subject`). `more_cues` selects `cue_pair` on `text`, and `counted` is
            // counted, so "such a" and "the" are not, nor are the insults.
            #expect(cueOnly == ["a", "is a", "u", "that"])
            // The state of "is a" reports "is a" and "a", both cue-only: two entries at most.
            #expect(cf.cueEntriesPerEnd == 2)
            // The same automaton in all but its match flags.
            #expect(cf.automaton.stateCount == na.automaton.stateCount && cf.automaton.classCount == na.automaton.classCount)
            checked += 1
        }
        #expect(checked == 1)
    }

    /// Against a naive reference: the cue-free automaton's hits are the full automaton's at the
    /// states whose outputs hold a pattern that is not cue-only, in the same order, and the
    /// outputs read for them are the full automaton's.
    @Test func hitsAreTheFullAutomatonsAtStatesThatReportSomethingKept() throws {
        let rules = try Self.rules()
        let index = try #require(rules.normalizedAutomata.firstIndex { !$0.mode.contains(.spaced) })
        let na = rules.normalizedAutomata[index]
        let cf = try #require(rules.cueFreeAutomata()[index])
        var rng = SplitMix(seed: 0xC0E)
        var kept = 0, dropped = 0
        for round in 0..<400 {
            let text = Array(DeferredHitsTests.text(&rng, words: Int(rng.next() % 60), ascii: round % 3 != 0).utf8)
            var fullHits: [AutomatonHit] = [], cueFreeHits: [AutomatonHit] = []
            na.automaton.scan(text, into: &fullHits)
            cf.automaton.scan(text, into: &cueFreeHits)
            let expected = fullHits.filter { hit in
                na.automaton.outputs(of: hit.state).contains { !cf.cueOnly[Int(na.automaton.outputs[$0])] }
            }
            #expect(
                cueFreeHits.map { "\($0.state):\($0.end)" } == expected.map { "\($0.state):\($0.end)" }, "\(String(decoding: text, as: UTF8.self))")
            kept += expected.count
            dropped += fullHits.count - expected.count
        }
        #expect(kept > 500)
        #expect(dropped > 2_000)
    }

    /// An automaton that is not fully dense gets no filtered copy (the flag also lives in its
    /// sparse transitions); a dense one keeps its transitions and drops only flags.
    @Test func onlyDenseAutomataAreFiltered() throws {
        let patterns = (0..<300).map { Array("word\($0)x".utf8) }
        let sparse = Automaton(patterns: patterns, denseBudgetBytes: 4096)
        #expect(sparse.reportingOnly { _ in true } == nil)
        let dense = Automaton(patterns: patterns)
        let all = try #require(dense.reportingOnly { _ in true })
        let none = try #require(dense.reportingOnly { _ in false })
        var rng = SplitMix(seed: 99)
        for _ in 0..<200 {
            let text = (0..<Int(rng.next() % 40)).map { _ in "word\(rng.next() % 400)x " }.joined()
            var expected: [AutomatonHit] = [], got: [AutomatonHit] = [], nothing: [AutomatonHit] = []
            dense.scan(Array(text.utf8), into: &expected)
            all.scan(Array(text.utf8), into: &got)
            none.scan(Array(text.utf8), into: &nothing)
            #expect(got.map(\.end) == expected.map(\.end) && got.map(\.state) == expected.map(\.state))
            #expect(nothing.isEmpty)
        }
    }

    /// Generated events through three scanners: deferring through the cue-free automata, deferring
    /// through the full ones, and without deferral. Everything a caller sees agrees, at span
    /// limits that leave room for the bound and limits that do not (the full automaton then).
    @Test(arguments: [0, 3, 40, 300, Limits.storedSpans])
    func scansAgreeWithAndWithoutIt(_ limit: Int) throws {
        let rules = try Self.rules()
        let cueFree = Scanner(rules: rules), full = Scanner(rules: rules), plain = Scanner(rules: rules)
        full.usesCueFreeAutomata = false
        plain.defersCueHits = false
        for s in [cueFree, full, plain] { s.storedSpanLimit = limit }
        var rng = SplitMix(seed: UInt64(limit) &+ 1234)
        var findings = 0
        for event in 0..<500 {
            let text = DeferredHitsTests.text(&rng, words: Int(rng.next() % 50), ascii: event % 5 != 0)
            let subject = DeferredHitsTests.text(&rng, words: Int(rng.next() % 8), ascii: true)
            let kind = rng.next() % 4 == 0 ? "message" : "post"
            for s in [cueFree, full, plain] { try DeferredHitsTests.scan(s, text: text, subject: subject, kind: kind) }
            findings += plain.findings.count
            let seen = DeferredHitsTests.observed(plain)
            #expect(DeferredHitsTests.observed(cueFree) == seen, "\(text) / \(subject)")
            #expect(DeferredHitsTests.observed(full) == seen, "\(text) / \(subject)")
            if event % 9 == 0 { #expect(DeferredHitsTests.explained(cueFree) == DeferredHitsTests.explained(plain)) }
        }
        #expect(findings > 100)
        #expect(full.deferred.cueFreeValues == 0)
        // The cue-free path is taken where the bound leaves room, and set aside where it does not.
        // Counts measured: 840 values at the default limit, 735 at 300, 210 at 40, 1 at 3.
        if limit >= 300 {
            #expect(cueFree.deferred.cueFreeValues > 600)
            #expect(cueFree.deferred.replayedValues > 300)
        } else if limit > 0 {
            #expect(cueFree.deferred.cueFreeValues < 300)
        }
    }
}
