import Testing

@testable import Invigil

/// The automata that read ASCII text under `spaced` where it lies
/// (Sources/Invigil/Automaton/SpacedTextAutomaton.swift), against a naive reference: normalise
/// the text byte by byte, scan it with the source automaton, and place kept bytes by the
/// normaliser's origin table.
/// Then scans that use them against scans that normalise first.
@Suite("Spaced text automata")
struct SpacedTextAutomatonTests {
    /// A pattern disguised as `spaced` (and `leet`) undoes: capitals, separators between its
    /// bytes, letters said more than once, and the pieces of `SpacedASCIIOriginsTests` around it.
    static func disguised(_ pattern: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        let separators: [UInt8] = Array(" .-_*".utf8)
        var out: [UInt8] = []
        for b in pattern {
            let letter = b >= 0x61 && b <= 0x7A
            let shown = letter && rng.next() % 3 == 0 ? b - 0x20 : b
            out.append(shown)
            if letter && rng.next() % 4 == 0 {
                if rng.next() % 2 == 0 { out.append(separators[Int(rng.next() % 5)]) }
                out.append(b)
            }
            for _ in 0..<Int(rng.next() % 3) where rng.next() % 2 == 0 { out.append(separators[Int(rng.next() % 5)]) }
        }
        return out
    }

    /// ASCII texts of pieces and disguised patterns, from empty to a few hundred bytes, and some
    /// near the longest text the automaton takes.
    static func text(_ patterns: [[UInt8]], _ rng: inout SplitMix, round: Int) -> [UInt8] {
        var out: [UInt8] = []
        let parts = round % 50 == 49 ? 2_000 : Int(rng.next() % 40)
        for _ in 0..<parts {
            if !patterns.isEmpty && rng.next() % 4 == 0 {
                out += disguised(patterns[Int(rng.next() % UInt64(patterns.count))], &rng)
            } else {
                out += SpacedASCIIOriginsTests.text(&rng, pieces: 1)
            }
        }
        // ASCII only, as the scanner gives it (some patterns hold curly quotes).
        return Array(out.filter { $0 < 0x80 }.prefix(SpacedTextAutomaton.longestText))
    }

    /// The reference: the source automaton's hits over the normalised text (normalised byte by
    /// byte), and the hits of the spaced text automaton with their ends counted in kept bytes
    /// through the normaliser's origin table.
    static func compare(_ na: RuleSet.NormalizedAutomaton, _ spaced: SpacedTextAutomaton, _ text: [UInt8]) -> (hits: Int, same: Bool) {
        let leet = na.mode.contains(.leet)
        var normalized: [UInt8] = []
        text.withUnsafeBufferPointer { Normalizer.normalizeASCIISpacedByByte($0, leet: leet, into: &normalized) }
        var expected: [AutomatonHit] = []
        na.automaton.scan(normalized, into: &expected)
        var got: [AutomatonHit] = []
        let buffer = BlockHitBuffer()
        text.withUnsafeBufferPointer { spaced.scan($0, into: &got, blockHits: buffer) }
        // Where each kept byte lies: the normaliser's origin table (the first run's start).
        var full: [UInt8] = [], origin: [SIMD4<Int32>] = []
        text.withUnsafeBufferPointer { Normalizer.normalize($0, mode: na.mode, into: &full, origin: &origin) }
        guard full == normalized else { return (0, false) }
        var keptThrough: [Int: Int] = [:]
        for (k, o) in origin.enumerated() { keptThrough[Int(o.x)] = k + 1 }
        var mapped: [(UInt32, UInt32)] = []
        for hit in got {
            // A hit ends on a kept byte.
            guard let count = keptThrough[Int(hit.end) - 1] else { return (got.count, false) }
            mapped.append((hit.state, UInt32(count)))
        }
        let same = mapped.count == expected.count && zip(mapped, expected).allSatisfy { $0.0 == $1.state && $0.1 == $1.end }
        return (expected.count, same)
    }

    @Test func packsSpacedAutomataAgreeWithTheNormalisedScan() throws {
        let packs = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let automata = packs.spacedTextAutomata()
        #expect(automata.count == packs.normalizedAutomata.count)
        // Built once, for every scanner.
        #expect(packs.spacedTextAutomata().map { $0.map(ObjectIdentifier.init) } == automata.map { $0.map(ObjectIdentifier.init) })
        var checked = 0
        for (index, na) in packs.normalizedAutomata.enumerated() {
            guard na.mode.contains(.spaced) else {
                #expect(automata[index] == nil, "\(na.mode.description)")
                continue
            }
            let spaced = try #require(automata[index])
            // A shadow per reporting state; the classes ASCII reaches (and class 0), and one
            // more, for separators.
            let map = Normalizer.asciiMap(leet: na.mode.contains(.leet))
            let asciiClasses = Set((0..<0x80).filter { !Normalizer.isSeparator(UInt8($0)) }.map { na.automaton.classOf[Int(map[$0])] })
            #expect(spaced.classCount == asciiClasses.union([0]).count + 1)
            #expect(spaced.classCount <= na.automaton.classCount + 1)
            let reporting = (0..<na.automaton.stateCount).filter { !na.automaton.outputs(of: UInt32($0)).isEmpty }.count
            #expect(spaced.stateCount == na.automaton.stateCount + reporting)
            let patterns = CueFreeAutomataTests.patterns(na)
            var rng = SplitMix(seed: 0x5BACED &+ UInt64(index))
            var hits = 0
            for round in 0..<600 {
                let text = Self.text(patterns, &rng, round: round)
                let (n, same) = Self.compare(na, spaced, text)
                #expect(same, "\(na.mode.description): \(String(decoding: text, as: UTF8.self))")
                hits += n
            }
            #expect(hits > 1_000, "\(na.mode.description)")
            checked += 1
        }
        #expect(checked == 2)
    }

    /// Small automata with patterns that end in a letter, a digit, or a letter said twice, which
    /// no normalised text holds; and texts of one byte repeated, which keep lanes apart.
    @Test func edgeCasesAgree() throws {
        let source = """
            schema { text: text }
            phrases a { normalize: caseless, leet, spaced  "a" "ab" "ba" "abba" "sex" "text me" "x1" "11" "ee" }
            phrases b { normalize: caseless, confusables, spaced  "on" "no" "noon" "b2b" }
            rule r { severity info message "m" when a in text or b in text }
            """
        let rules = try RuleSet.compile(source: source)
        var rng = SplitMix(seed: 77)
        var checked = 0
        for (index, na) in rules.normalizedAutomata.enumerated() {
            let spaced = try #require(rules.spacedTextAutomata()[index])
            let patterns = CueFreeAutomataTests.patterns(na)
            let runs = ["a", "A", "a ", " ", "ab", "ba ", "n o", "11", "1 1", "x", "b2"]
            for round in 0..<1_500 {
                var text = Self.text(patterns, &rng, round: round)
                if round % 5 == 0 {
                    let run = runs[Int(rng.next() % UInt64(runs.count))]
                    text = Array(String(repeating: run, count: Int(rng.next() % 300)).utf8)
                }
                #expect(Self.compare(na, spaced, text).same, "\(String(decoding: text, as: UTF8.self))")
                checked += 1
            }
        }
        #expect(checked == 3_000)
    }

    /// Events through scanners that read such text where it lies and scanners that normalise it
    /// first: the same findings, spans and all, on the deferral tests' rules and the packs'
    /// examples, and on texts longer than the automaton takes (normalised first either way).
    @Test func scansFindTheSameEitherWay() throws {
        try SpacedASCIIOriginsTests.expectSameFindings(seed: 4242, longTexts: true) { $0.scansSpacedTextInPlace = false }
    }
}
