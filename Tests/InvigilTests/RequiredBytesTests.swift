import Testing
@testable import Invigil

#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The uncommon bytes a pass needs (Sources/Invigil/Automaton/RequiredBytes.swift) and the search
/// for them (InvigilSIMD/anyof.c): on generated pattern sets, every pattern holds one of the bytes
/// found, and texts without them have no match; the packs' disguised lists are skipped on texts
/// without a bracket or a slash; the vector search against the byte loop.
@Suite("Required bytes")
struct RequiredBytesTests {
    static let alphabet = Array("abcXYZ  .-e[](){}/<>@#_~".utf8)

    @Test func generatedPatternSetsNeedTheBytesFound() {
        var rng = SplitMix(seed: 5)
        var withNeedles = 0, withoutNeedles = 0
        for _ in 0..<400 {
            let count = 1 + Int(rng.next() % 12)
            let patterns: [[UInt8]] = (0..<count).map { _ in
                (0..<(1 + Int(rng.next() % 6))).map { _ in Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))] }
            }
            let automaton = Automaton(patterns: patterns)
            guard let needles = automaton.requiredUncommonBytes() else {
                withoutNeedles += 1
                continue
            }
            withNeedles += 1
            #expect(needles.count <= 8 && needles.allSatisfy { $0 < 0x80 && !Automaton.commonBytes[Int($0)] })
            // Each pattern matches itself, so it must hold a needle.
            for p in patterns { #expect(p.contains { needles.contains($0) }, "\(patterns) \(needles)") }
            // Texts without a needle have no match.
            for _ in 0..<20 {
                let text: [UInt8] = (0..<Int(rng.next() % 60)).compactMap { _ in
                    let b = Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))]
                    return needles.contains(b) ? nil : b
                }
                var hits: [AutomatonHit] = []
                automaton.scan(text, into: &hits)
                #expect(hits.isEmpty, "\(patterns) \(needles) \(text)")
            }
        }
        #expect(withNeedles > 50 && withoutNeedles > 50)
    }

    @Test func packsSkipTheDisguisedListsWithoutABracketOrSlash() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let s = Scanner(rules: rules)
        let found = zip(rules.normalizedAutomata, s.passNeedles).filter { $0.1 != nil }
        #expect(found.count == 1)
        if let (na, needles) = found.first, let needles {
            #expect(na.mode.contains(.spaced) && !na.mode.contains(.leet))
            #expect(Set(needles).isSubset(of: Set("[](){}<>/".utf8)) && needles.contains(UInt8(ascii: "[")))
        }
    }

    @Test func vectorSearchAgreesWithTheByteLoop() {
        var rng = SplitMix(seed: 8)
        for _ in 0..<20_000 {
            let text: [UInt8] = (0..<Int(rng.next() % 70)).map { _ in UInt8(truncatingIfNeeded: rng.next() % 8 == 0 ? rng.next() : 0x61) }
            let needles: [UInt8] = (0..<Int(rng.next() % 11)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let naive = text.contains { needles.contains($0) }
            let found = text.withUnsafeBufferPointer { holdsAnyByte($0, needles) }
            #expect(found == naive)
            #if canImport(InvigilSIMD)
            let scalar = text.withUnsafeBufferPointer { t in
                needles.withUnsafeBufferPointer { ivg_holds_any_byte_scalar(t.baseAddress, t.count, $0.baseAddress, $0.count) != 0 }
            }
            #expect(scalar == naive)
            #endif
        }
    }
}
