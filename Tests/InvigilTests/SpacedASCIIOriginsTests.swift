import Testing

@testable import Invigil

/// The origins of ASCII text under `spaced` made from the text itself (`SpacedASCIIOrigins`)
/// against the normaliser's own origin table (`Normalizer.normalize` with origins), on generated
/// text full of separators, repeated letters, leet digits and capitals; and scans that use them
/// against scans that normalise again for the origins (`OriginWindow`).
@Suite("Spaced ASCII origins")
struct SpacedASCIIOriginsTests {
    static let pieces = [
        "text", " me", "t e x t", "m.e", "7ext", "ME", "tteexxtt", " ", ".", "-", "_", "*", "on", "0", "x", "a", "!",
        "\n", "ll", "l1!|", "aa  a", "SSs", "oo0", "a-a", "hee  eey", "5", "z", "zz.z", "3e", "b..b", ",", "'"
    ]

    static func text(_ rng: inout SplitMix, pieces count: Int) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<count { out += Array(pieces[Int(rng.next() % UInt64(pieces.count))].utf8) }
        return out
    }

    @Test(arguments: [NormalizeMode([.caseless, .confusables, .leet, .spaced]), NormalizeMode([.caseless, .confusables, .spaced])])
    func originsAreTheNormalisersOwn(_ mode: NormalizeMode) {
        var origins = SpacedASCIIOrigins()
        var rng = SplitMix(seed: UInt64(mode.rawValue) &+ 31)
        var compared = 0, merged = 0
        for round in 0..<2_000 {
            let text = Self.text(&rng, pieces: Int(rng.next() % 60))
            var out: [UInt8] = [], reference: [SIMD4<Int32>] = []
            text.withUnsafeBufferPointer { Normalizer.normalize($0, mode: mode, into: &out, origin: &reference) }
            origins.restart(leet: mode.contains(.leet), length: text.count)
            text.withUnsafeBufferPointer { t in
                // As hits ask: ends in increasing order, each with a start up to 12 bytes before it;
                // every third text all at once.
                var end = 1
                while end <= reference.count {
                    origins.prepare(t, through: round % 3 == 0 ? reference.count - 1 : end - 1)
                    for k in max(0, end - 12)..<end {
                        let got = origins.origin(t, k)
                        #expect(got == reference[k], "\(String(decoding: text, as: UTF8.self)) at \(k)")
                        compared += 1
                        if got.x != got.z || got.y != got.x + 1 { merged += 1 }
                    }
                    end += 1 + Int(rng.next() % 5)
                }
                origins.prepare(t, through: Int.max - 1)
            }
            #expect(origins.foundCount == out.count, "\(String(decoding: text, as: UTF8.self))")
        }
        #expect(compared > 50_000)
        // Repetitions were folded in (first and last runs apart, or widened).
        #expect(merged > 2_000)
    }

    /// Generated events through scanners with and without the origins from the text: the same
    /// findings, spans and all, on the deferral tests' rules (a `leet spaced` list) and on the
    /// bundled packs' examples.
    @Test func scansFindTheSameEitherWay() throws {
        try Self.expectSameFindings(seed: 808) { $0.findsOriginsInText = false }
    }

    /// Events through a default scanner and one that `change` alters, on the deferral tests'
    /// rules (half the texts hold a disguised phrase of their `leet spaced` list, among the
    /// pieces; with `longTexts`, every hundredth is longer than a scan block) and on the bundled
    /// packs' examples: the same findings, spans and all, and enough of them to mean something.
    static func expectSameFindings(seed: UInt64, longTexts: Bool = false, _ change: (Scanner) -> Void) throws {
        let rules = try RuleSet.compile(source: DeferredHitsTests.source)
        let standard = Scanner(rules: rules), changed = Scanner(rules: rules)
        change(changed)
        var rng = SplitMix(seed: seed)
        var findings = 0
        for round in 0..<1_500 {
            let phrases = ["t e x t m e", "the c0w", "tteexxtt  mme", "th e  c o w", "T.E.X.T.M.E", "thhe-cow"]
            var text = String(decoding: Self.text(&rng, pieces: Int(rng.next() % 20)), as: UTF8.self)
            if rng.next() % 2 == 0 { text += " " + phrases[Int(rng.next() % UInt64(phrases.count))] }
            text += String(decoding: Self.text(&rng, pieces: Int(rng.next() % 20)), as: UTF8.self)
            if longTexts && round % 100 == 0 {
                text += String(repeating: "x .", count: SpacedTextAutomaton.longestText / 3) + " text me"
            }
            for s in [standard, changed] { try DeferredHitsTests.scan(s, text: text, subject: "you cow", kind: "post") }
            findings += changed.findings.count
            #expect(DeferredHitsTests.observed(standard) == DeferredHitsTests.observed(changed), "\(text)")
        }
        #expect(findings > 300)
        let packs = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let packsStandard = Scanner(rules: packs), packsChanged = Scanner(rules: packs)
        change(packsChanged)
        var packFindings = 0
        for example in try packs.examples {
            for s in [packsStandard, packsChanged] {
                s.reset()
                try s.setJSON(example.json)
                s.scan()
            }
            packFindings += packsChanged.findings.count
            #expect(DeferredHitsTests.observed(packsStandard) == DeferredHitsTests.observed(packsChanged))
        }
        #expect(packFindings > 300)
    }
}
