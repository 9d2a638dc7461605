import Testing
@testable import Invigil

/// The scan splits long texts into blocks and lanes (see `Automaton.scan`); these texts are long
/// enough for two and four lanes and several blocks, with patterns long enough that the lanes'
/// warm-up matters, in the dense and the hybrid layouts.
@Suite("Automaton lanes and blocks against a naive matcher")
struct AutomatonLaneTests {
    /// The automaton's matches on `text`, in the dense and the hybrid layout, against the naive
    /// matcher's; false (after recording the issue) when they differ.
    static func matchesAsNaive(_ patterns: [[UInt8]], _ text: [UInt8], _ label: String) -> Bool {
        let want = naiveMatches(patterns, text)
        for budget in [24 << 20, 256] {
            let a = Automaton(patterns: patterns, denseBudgetBytes: budget)
            let got = automatonMatches(a, text)
            #expect(got == want, "\(label) budget \(budget) length \(text.count) longest \(a.maxLength)")
            if got != want { return false }
        }
        return true
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5])
    func longTexts(round: Int) {
        var rng = SplitMix(seed: UInt64(round) &* 104_729 &+ 3)
        let alphabets: [[UInt8]] = [Array("ab".utf8), Array("abcAB ".utf8), Array("abcdefghij ".utf8), [0x61, 0x62, 0xC3, 0xA9, 0x00]]
        for iteration in 0..<12 {
            let alphabet = alphabets[(iteration + round) % alphabets.count]
            var patterns: [[UInt8]] = []
            var seen = Set<[UInt8]>()
            let maxLength = [3, 8, 40, 120][iteration % 4]
            for _ in 0..<Int.random(in: 1...80, using: &rng) {
                let p = (0..<Int.random(in: 1...maxLength, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
                if seen.insert(p.map(Automaton.fold)).inserted { patterns.append(p) }
            }
            // Texts of every lane regime: short, a few hundred bytes, and several 16 KB blocks.
            let length = [50, 150, 700, 2_000, 17_000, 33_000][iteration % 6]
            var text: [UInt8] = []
            while text.count < length {
                if Int.random(in: 0..<5, using: &rng) == 0, let p = patterns.randomElement(using: &rng) {
                    text += p  // plant whole patterns, so long ones occur across lane and block edges
                } else {
                    text.append(alphabet.randomElement(using: &rng)!)
                }
            }
            if !Self.matchesAsNaive(patterns, text, "round \(round) iteration \(iteration)") { return }
        }
    }

    /// Texts of a message's length with long patterns: lanes without a warm-up, mended where they
    /// meet. Two-letter alphabets keep the states deep, so the lanes meet late (up to the longest
    /// pattern's length past a lane's start).
    @Test(arguments: [0, 1, 2])
    func shortTextsWithLongPatterns(round: Int) {
        var rng = SplitMix(seed: UInt64(round) &* 7_919 &+ 11)
        let alphabets: [[UInt8]] = [Array("ab".utf8), Array("aab ".utf8), Array("abcdefgh ".utf8)]
        for iteration in 0..<150 {
            let alphabet = alphabets[(iteration + round) % alphabets.count]
            var patterns: [[UInt8]] = []
            var seen = Set<[UInt8]>()
            let longest = Int.random(in: 2...100, using: &rng)
            for k in 0..<Int.random(in: 1...40, using: &rng) {
                let length = k == 0 ? longest : Int.random(in: 1...longest, using: &rng)
                let p = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
                if seen.insert(p.map(Automaton.fold)).inserted { patterns.append(p) }
            }
            let length = Int.random(in: 80...1_200, using: &rng)
            var text: [UInt8] = []
            while text.count < length {
                if Int.random(in: 0..<4, using: &rng) == 0, let p = patterns.randomElement(using: &rng) {
                    text += p
                } else {
                    text.append(alphabet.randomElement(using: &rng)!)
                }
            }
            if !Self.matchesAsNaive(patterns, text, "round \(round) iteration \(iteration)") { return }
        }
    }

    /// Lanes shorter than the longest pattern, over text that keeps the automaton deep (a run of
    /// one letter under patterns of that letter): the lanes never meet the mended states within
    /// their trail, and the mending must go on to each lane's end, hand the right state to the
    /// next lane, and replace all the lane's hits. Every length from one lane to several lanes of
    /// each size is tried, with the deep run at the start, the middle and the end.
    @Test func shortLanesThatNeverMeet() {
        let patterns = [[UInt8](repeating: 0x61, count: 100), [UInt8](repeating: 0x61, count: 3), Array("ab".utf8), Array("aaab".utf8)]
        for length in stride(from: 2, through: 420, by: 1) {
            for shape in 0..<3 {
                var text = [UInt8](repeating: 0x61, count: length)
                switch shape {
                case 0: break
                case 1: if length > 10 { text[length / 2] = 0x62 }
                default: for i in stride(from: 0, to: length, by: 37) { text[i] = 0x62 }
                }
                if !Self.matchesAsNaive(patterns, text, "length \(length) shape \(shape)") { return }
            }
        }
    }

    @Test func hitsAreInOrderOfEnd() {
        let patterns = [Array("ab".utf8), Array("b".utf8), Array("abab".utf8)]
        let text = [UInt8](repeating: 0, count: 0) + Array(String(repeating: "xabab", count: 5_000).utf8)
        for budget in [24 << 20, 16] {
            let a = Automaton(patterns: patterns, denseBudgetBytes: budget)
            var hits: [AutomatonHit] = []
            a.scan(text, into: &hits)
            #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.end < $1.end })
            #expect(hits.count == 5_000 * 2)
        }
    }
}

/// Sets small enough for the SIMD prefilter (every pattern ≥ 3 bytes, ≤ 16 distinct first three
/// bytes): skipping text in the start state must not lose or change any match.
@Suite("Automaton prefilter against a naive matcher")
struct AutomatonPrefilterTests {
    /// A pattern at every position of texts of every length to 100: the prefilter's last step
    /// overlaps the one before it at the text's end, and must find a start in the overlap only
    /// once and never before where the search began.
    @Test func patternAtEveryPositionOfShortTexts() {
        let a = Automaton(patterns: [Array("abc".utf8), Array("xyzq".utf8)])
        for length in 0...100 {
            for position in 0...max(0, length - 3) where length >= 3 {
                var text = [UInt8](repeating: 0x2E, count: length)
                text.replaceSubrange(position..<(position + 3), with: Array("ABc".utf8))
                #expect(
                    automatonMatches(a, text) == naiveMatches([Array("abc".utf8), Array("xyzq".utf8)], text),
                    "length \(length) at \(position) prefilter \(a.hasPrefilter)")
            }
        }
    }

    @Test(arguments: [0, 1, 2])
    func prefilteredSets(round: Int) {
        var rng = SplitMix(seed: UInt64(round) &* 7_777 &+ 5)
        let alphabets: [[UInt8]] = [Array("abcAB ".utf8), Array("abcdefgh .".utf8), [0x61, 0x62, 0xC3, 0xA9, 0x20]]
        for iteration in 0..<20 {
            let alphabet = alphabets[(iteration + round) % alphabets.count]
            var patterns: [[UInt8]] = []
            var seen = Set<[UInt8]>()
            for _ in 0..<Int.random(in: 1...10, using: &rng) {
                let p = (0..<Int.random(in: 3...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
                if seen.insert(p.map(Automaton.fold)).inserted { patterns.append(p) }
            }
            var text: [UInt8] = []
            let length = [40, 300, 5_000, 20_000][iteration % 4]
            while text.count < length {
                if Int.random(in: 0..<8, using: &rng) == 0, let p = patterns.randomElement(using: &rng) {
                    text += p.map { Bool.random(using: &rng) && $0 >= 0x61 && $0 <= 0x7A ? $0 - 32 : $0 }
                } else {
                    text.append(alphabet.randomElement(using: &rng)!)
                }
            }
            let a = Automaton(patterns: patterns)
            let got = automatonMatches(a, text)
            let want = naiveMatches(patterns, text)
            #expect(got == want, "round \(round) iteration \(iteration) prefilter \(a.hasPrefilter) patterns \(patterns)")
            if got != want { return }
        }
    }
}
