import Testing
@testable import Invigil

/// Bounded memory per scan (Sources/Invigil/Scan/BoundedMatches.swift): the windowed automaton
/// scan and the windowed normalisation origins against the whole-text versions they replace, and
/// the span bound against an unbounded scan.
@Suite("Bounded scans")
struct BoundedScanTests {
    /// A long text (several windows) from an alphabet of letters, separators, repetitions,
    /// look-alikes, dropped characters and phrase parts, from a seed.
    static func longText(seed: UInt64, bytes: Int) -> [UInt8] {
        let alphabet = [
            "text", " me", "t e x t", "m.e", "7ext", "ME", "tteexxtt", " ", ".", "-", "on", "0", "é", "а",
            "\u{200B}", "\u{0301}", "ｔ", "𝐭", "\u{00AD}", "x", "a", "!", "\n", "snap", "dm"
        ]
        var state = seed
        var out: [UInt8] = []
        while out.count < bytes {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            out += Array(alphabet[Int(state >> 33) % alphabet.count].utf8)
        }
        return out
    }

    @Test func originWindowGivesTheWholeTextsOrigins() {
        for (seed, mode) in [
            (1, NormalizeMode(rawValue: 15)), (2, NormalizeMode(rawValue: 4)), (3, NormalizeMode(rawValue: 5)),
            (4, NormalizeMode(rawValue: 1)), (5, NormalizeMode(rawValue: 12))
        ] {
            let text = Self.longText(seed: UInt64(seed), bytes: 300_000)
            var out: [UInt8] = [], origin: [SIMD4<Int32>] = []
            text.withUnsafeBufferPointer { t in Normalizer.normalize(t, mode: mode, into: &out, origin: &origin) }
            var window = OriginWindow(mode: mode)
            var mismatches = 0
            var maxHeld = 0
            text.withUnsafeBufferPointer { t in
                // Queries in increasing order of end, each reaching 40 bytes back, as hits do.
                var end = 1
                while end <= origin.count {
                    window.prepare(t, earliest: max(0, end - 40), end: end)
                    for j in max(0, end - 40)..<end where window[j] != origin[j] { mismatches += 1 }
                    maxHeld = max(maxHeld, window.heldCount)
                    end += 1 + (end * 7919) % 97
                }
            }
            #expect(mismatches == 0, "mode \(mode.description)")
            // Bounded: a few steps' worth, never the whole text's table.
            #expect(maxHeld < 4 * OriginWindow.step)
        }
    }

    /// Message-sized values one after another in one window (as the scanner reuses it), each
    /// queried at increasing ends: steps that start small and grow give the origins of the whole
    /// value's normalisation, in every mode. Half the values are ASCII, short or several steps
    /// long, and take the ASCII path (raw writes into buffers kept at their largest size); the
    /// others need the full normaliser.
    @Test func originWindowOverShortValues() {
        let asciiAlphabet = [
            "text", " me", "t e x t", "m.e", "7ext", "ME", "tteexxtt", " ", ".", "-", "on", "0", "x", "a", "!", "\n",
            "snap", "dm", "ll", "l1!|", "aa  a", "_*", "SSs", "oo0"
        ]
        var window = OriginWindow(mode: [])
        var numbers = BoundedNumbers(seed: 12_345)
        func next(_ bound: Int) -> Int { numbers.next(bound) }
        var checked = 0
        for round in 0..<1_200 {
            let mode = NormalizeMode(rawValue: UInt8(1 + round % 15))
            let ascii = round % 2 == 0
            var text: [UInt8]
            if ascii {
                text = []
                let length = round % 50 == 0 ? 3 * OriginWindow.step + next(5000) : next(900)
                while text.count < length { text += Array(asciiAlphabet[next(asciiAlphabet.count)].utf8) }
            } else {
                text = Self.longText(seed: UInt64(round), bytes: next(700))
            }
            // The reference normalises a character at a time (`asciiRuns: false`), not with the
            // run writer the window's ASCII path shares.
            var out: [UInt8] = [], origin: [SIMD4<Int32>] = []
            var separator = false
            text.withUnsafeBufferPointer { t in
                _ = Normalizer.normalize(
                    t, from: 0, upTo: t.count, mode: mode, into: &out, origin: &origin, trackOrigin: true,
                    separatorSinceLast: &separator, asciiRuns: false)
            }
            window.restart(mode: mode, ascii: ascii)
            var mismatches = 0
            text.withUnsafeBufferPointer { t in
                var end = 1 + next(40)
                while end <= origin.count {
                    window.prepare(t, earliest: max(0, end - 30), end: end)
                    for j in max(0, end - 30)..<end {
                        if window[j] != origin[j] { mismatches += 1 }
                        checked += 1
                    }
                    end += 1 + next(ascii && text.count > 5000 ? 3000 : 120)
                }
            }
            #expect(mismatches == 0, "round \(round) mode \(mode.description) ascii \(ascii)")
            #expect(window.heldCount < 4 * OriginWindow.step)
        }
        #expect(checked > 10_000)
    }

    @Test func windowedAutomatonScanGivesTheSameHits() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { text: text }
                phrases p { "text me" "me on" "tex" "e" "on 0" }
                rule r { severity info message "m" when p in text }
                """)
        let text = Self.longText(seed: 9, bytes: 3 * Automaton.windowBytes + 12_345)
        var whole: [AutomatonHit] = [], scratch: [AutomatonHit] = [], windowed: [AutomatonHit] = []
        text.withUnsafeBufferPointer { t in
            rules.automaton.scan(t, into: &whole)
            rules.automaton.scan(t, into: &scratch, blockHits: BlockHitBuffer()) { hits in
                windowed += hits
                return true
            }
        }
        #expect(whole.count == windowed.count && whole.count > 10_000)
        #expect(zip(whole, windowed).allSatisfy { $0.end == $1.end && $0.state == $1.state })
    }

    static let source = """
        schema { text: text  subject: text }
        phrases offer { "text me" "dm me" }
        phrases spaced { normalize: spaced, leet, caseless, confusables  "text me" "snap" }
        rule any-offer { severity info message "m" when offer in text or spaced in subject }
        rule many { severity advice message "m" when count(offer in text) >= 3 and count(phone in text) < 1000000 }
        rule spaced-many { severity advice message "m" when count(spaced in text) > 5 }
        """

    /// The same event scanned with a small span limit and without a bound: the same findings and
    /// counts, the stored spans a subset, and every cut list flagged.
    @Test(arguments: [0, 1, 7, 100])
    func boundedScanFindsTheSameAsUnbounded(_ limit: Int) throws {
        let rules = try RuleSet.compile(source: Self.source)
        for seed in 1...4 {
            let text = String(decoding: Self.longText(seed: UInt64(seed), bytes: 200_000), as: UTF8.self)
            let bounded = Scanner(rules: rules), unbounded = Scanner(rules: rules)
            bounded.storedSpanLimit = limit
            unbounded.storedSpanLimit = Limits.storedSpansMaximum
            for s in [bounded, unbounded] {
                try s.setString("text", text)
                try s.setString("subject", String(text.prefix(1000)))
                s.scan()
            }
            #expect(bounded.findings.map(\.rule) == unbounded.findings.map(\.rule))
            #expect(!unbounded.findings.isEmpty)
            for (b, u) in zip(bounded.findings, unbounded.findings) {
                #expect(!u.truncated && u.matchTotal == u.matches.count)
                #expect(b.matches.count <= max(limit, 0))
                if b.truncated {
                    #expect(b.matchTotal <= u.matchTotal && b.matchTotal >= b.matches.count)
                } else {
                    #expect(b.matchTotal == u.matchTotal && b.matches.count == u.matches.count)
                }
                let all = Set(unbounded.matches[u.matches].map { "\($0.field):\($0.valueIndex):\($0.start):\($0.end):\($0.pattern)" })
                #expect(bounded.matches[b.matches].allSatisfy { all.contains("\($0.field):\($0.valueIndex):\($0.start):\($0.end):\($0.pattern)") })
            }
            #expect(bounded.matches.count <= limit * bounded.findings.count)
        }
    }

    /// A pass stops early only once every comparison is settled: with a threshold the text
    /// reaches, the bounded scan stops, flags the findings, and finds the same.
    @Test func passesStopEarlyOnceSettled() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { text: text }
                phrases offer { "text me" }
                rule some { severity info message "m" when count(offer in text) >= 10 }
                rule not-many { severity info message "m" when count(offer in text) < 20 }
                """)
        let text = String(repeating: "text me on 07700 900461 ", count: 100_000)
        let s = Scanner(rules: rules)
        s.storedSpanLimit = 5
        try s.setString("text", text)
        s.scan()
        #expect(s.stoppedEarly)
        #expect(s.findings.map(\.rule) == [0])
        #expect(s.findings[0].truncated && s.findings[0].matches.count == 5 && s.findings[0].matchTotal >= 20)
        #expect(s.findings[0].matchTotal < 100_000)
        s.storedSpanLimit = Limits.storedSpansMaximum
        s.scan()
        #expect(!s.stoppedEarly && s.findings.map(\.rule) == [0] && s.findings[0].matchTotal == 100_000)
    }

    /// A value longer than `Scanner.normalizedChunk` is normalised and scanned in chunks. The
    /// reference: the text is pieces joined by "#" (which no phrase holds and which ends every
    /// collapse), so its spans are those of each piece scanned alone, shifted.
    @Test func chunkedNormalisationFindsWhatEachPieceFinds() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { text: text }
                phrases a { normalize: spaced, leet, caseless, confusables  "text me" "snap" "dm me" }
                phrases b { normalize: leet, caseless  "text me" "on 0" }
                phrases c { normalize: caseless, confusables  "text me" "tex" }
                phrases d { normalize: spaced  "me on" }
                rule r { severity info message "m" when a in text or b in text or c in text or d in text }
                """)
        func spans(_ text: [UInt8]) throws -> [String] {
            let s = Scanner(rules: rules)
            s.storedSpanLimit = Limits.storedSpansMaximum
            try s.setString("text", String(decoding: text, as: UTF8.self))
            s.scan()
            return s.matches.map { "\($0.start):\($0.end):\($0.pattern)" }
        }
        var whole: [UInt8] = []
        var expected: [String] = []
        var seed: UInt64 = 11
        for ascii in [true, false] {
            whole = []
            expected = []
            while whole.count < Scanner.normalizedChunk * 5 / 2 {
                seed += 1
                var piece = Self.longText(seed: seed, bytes: 30_000)
                if ascii { piece = piece.filter { $0 < 0x80 } }
                let offset = whole.count
                expected += try spans(piece).map { key in
                    let parts = key.split(separator: ":")
                    return "\(Int(parts[0])! + offset):\(Int(parts[1])! + offset):\(parts[2])"
                }
                whole += piece + [0x23]
            }
            let found = try spans(whole)
            #expect(found.count > 1000)
            #expect(found.sorted() == expected.sorted(), "ascii: \(ascii)")
        }
    }
}

/// Numbers below a bound from a seed (a linear congruential generator), for the window test.
private struct BoundedNumbers {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(state >> 33) % bound
    }
}
