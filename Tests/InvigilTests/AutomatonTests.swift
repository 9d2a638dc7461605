import Testing
@testable import Invigil

/// A deterministic generator, so failures reproduce.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Every (pattern, end) where a pattern occurs in the text, case-folded: the reference.
func naiveMatches(_ patterns: [[UInt8]], _ text: [UInt8]) -> [String] {
    let folded = text.map(Automaton.fold)
    var out: [String] = []
    for (p, pattern) in patterns.enumerated() where !pattern.isEmpty && pattern.count <= folded.count {
        let fp = pattern.map(Automaton.fold)
        for start in 0...(folded.count - fp.count) where folded[start..<(start + fp.count)].elementsEqual(fp) {
            out.append("\(p)@\(start)-\(start + fp.count)")
        }
    }
    return out.sorted()
}

func automatonMatches(_ a: Automaton, _ text: [UInt8]) -> [String] {
    a.matches(in: text).map { "\($0.pattern)@\($0.start)-\($0.end)" }.sorted()
}

@Suite("Automaton against a naive matcher")
struct AutomatonTests {
    @Test func classicExample() {
        let a = Automaton(patterns: ["he", "she", "his", "hers"].map { Array($0.utf8) })
        #expect(automatonMatches(a, Array("ushers".utf8)) == ["0@2-4", "1@1-4", "3@2-6"])
    }

    @Test func caseFoldingIsASCIIOnly() {
        let a = Automaton(patterns: [Array("snap".utf8), Array("é".utf8)])
        #expect(automatonMatches(a, Array("SnAp É é".utf8)) == ["0@0-4", "1@8-10"])  // "É" (C3 89) is not folded; "é" (C3 A9) at 8
    }

    @Test func emptyAndOneByteTexts() {
        let a = Automaton(patterns: [Array("a".utf8), Array("ab".utf8)])
        #expect(automatonMatches(a, []) == [])
        #expect(automatonMatches(a, Array("a".utf8)) == ["0@0-1"])
        #expect(automatonMatches(a, Array("b".utf8)) == [])
    }

    /// Thousands of generated pattern sets and texts over small alphabets (so patterns overlap,
    /// share prefixes and contain each other), with bytes ≥ 0x80 and both dense and hybrid layouts.
    @Test(arguments: [0, 1, 2, 3])
    func generatedSets(round: Int) {
        var rng = SplitMix(seed: UInt64(round) &* 7919 &+ 1)
        let alphabets: [[UInt8]] = [Array("ab".utf8), Array("abcAB".utf8), [0x61, 0x62, 0xC3, 0xA9, 0xFF, 0x00], Array("abcdefghij ".utf8)]
        for iteration in 0..<600 {
            let alphabet = alphabets[iteration % alphabets.count]
            let patternCount = Int.random(in: 1...(iteration % 3 == 0 ? 60 : 8), using: &rng)
            var patterns: [[UInt8]] = []
            for _ in 0..<patternCount {
                let length = Int.random(in: 1...6, using: &rng)
                patterns.append((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
            }
            // Deduplicate after folding: the compiler does.
            var seen = Set<[UInt8]>()
            patterns = patterns.filter { seen.insert($0.map(Automaton.fold)).inserted }
            let textLength = Int.random(in: 0...80, using: &rng)
            let text = (0..<textLength).map { _ in alphabet.randomElement(using: &rng)! }
            let budget = iteration % 2 == 0 ? 24 << 20 : 64  // force the hybrid layout half the time
            let a = Automaton(patterns: patterns, denseBudgetBytes: budget)
            let got = automatonMatches(a, text)
            let want = naiveMatches(patterns, text)
            #expect(got == want, "patterns \(patterns) text \(text) budget \(budget)")
            if got != want { return }
        }
    }

    @Test func largeSetUsesHybridLayoutAndStaysCorrect() {
        var rng = SplitMix(seed: 42)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        var patterns: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        while patterns.count < 5000 {
            let p = (0..<Int.random(in: 3...10, using: &rng)).map { _ in letters.randomElement(using: &rng)! }
            if seen.insert(p).inserted { patterns.append(p) }
        }
        let a = Automaton(patterns: patterns, denseBudgetBytes: 1 << 16)
        #expect(a.denseStateCount < a.stateCount)
        let text = (0..<5000).map { _ in letters.randomElement(using: &rng)! }
        #expect(automatonMatches(a, text) == naiveMatches(patterns, text))
    }
}
