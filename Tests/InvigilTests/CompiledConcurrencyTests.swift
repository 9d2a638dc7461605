import Dispatch
import Testing
@testable import Invigil

/// A loaded rule set shared by threads, and loads from several threads at once: the same
/// findings as one thread on the compiled set. The name contains "Concurrency", so scripts/test-all
/// runs it under the thread sanitizer with the other concurrency tests.
@Suite("Concurrency: compiled rule files")
struct CompiledConcurrencyTests {
    @Test func loadedRulesSharedByThreadsAndLoadedConcurrently() throws {
        let compiled = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let bytes = try compiled.compiledBytes()
        let shared = try RuleSet.load(compiled: bytes)
        var events: [[UInt8]] = []
        let texts = [
            "text me on 07700 900123", "hello class", "add me on snap x", "our little secret, don't tell your mum",
            "see https://facebook.com/x", "email me at jo@example.com", "ｓｎａｐ me"
        ]
        for i in 0..<2000 {
            events.append(
                Array(
                    "{\"id\":\"e\(i)\",\"type\":\"direct_message\",\"author\":{\"role\":\"staff\"},\"account\":{\"kind\":\"personal\"},\"recipients\":[{\"role\":\"\(i % 2 == 0 ? "pupil" : "parent")\"}],\"text\":\"\(texts[i % texts.count])\"}"
                        .utf8))
        }
        let all = events
        let single = ConcurrencyTests.findings(Scanner(rules: compiled), all[...])
        #expect(single.count > 500)
        let threads = 4
        let chunk = all.count / threads
        let sharedSlots = (0..<threads).map { _ in ConcurrencyTests.Slot() }
        let ownSlots = (0..<threads).map { _ in ConcurrencyTests.Slot() }
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let part = all[(t * chunk)..<((t + 1) * chunk)]
            sharedSlots[t].findings = ConcurrencyTests.findings(Scanner(rules: shared), part)
            // Each thread also loads its own copy from the same bytes, at the same time as the others.
            if let own = try? RuleSet.load(compiled: bytes) {
                ownSlots[t].findings = ConcurrencyTests.findings(Scanner(rules: own), part)
            }
        }
        #expect(sharedSlots.flatMap(\.findings) == single)
        #expect(ownSlots.flatMap(\.findings) == single)
    }

    /// Threads racing to decode a loaded set's rule descriptions (done once, on first use, apart
    /// from the conditions) while others scan it and read its examples: every thread sees them all.
    @Test func descriptionsDecodedOnFirstUseByRacingThreads() throws {
        let compiled = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let shared = try RuleSet.load(compiled: try compiled.compiledBytes())
        let expected = compiled.rules.map { $0.name + $0.message + $0.clauses.joined() }
        let slots = (0..<4).map { _ in ConcurrencyTests.Slot() }
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            if t == 3 {
                slots[t].findings = (try? shared.examples.count) == (try? compiled.examples.count) ? ["whole"] : ["partial"]
            } else {
                let scanner = Scanner(rules: shared)
                _ = try? scanner.scanJSON(Array(#"{"author":{"role":"staff"},"text":"text me"}"#.utf8))
                let names = shared.rules.map { $0.name + $0.message + $0.clauses.joined() }
                slots[t].findings = names == expected ? ["whole"] : ["partial"]
            }
        }
        #expect(slots.allSatisfy { $0.findings == ["whole"] })
    }

    /// Threads racing to decode a loaded set's conditions and examples (done once, on first use)
    /// while others scan it: every thread sees the whole of them.
    @Test func conditionsAndExamplesDecodedOnFirstUseByRacingThreads() throws {
        let compiled = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let shared = try RuleSet.load(compiled: try compiled.compiledBytes())
        let expected = try compiled.examples.map(\.json)
        let counts = (0..<4).map { _ in ConcurrencyTests.Slot() }
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            if t % 2 == 0 {
                counts[t].findings = (try? shared.examples.map(\.json)) == expected ? ["whole"] : ["partial"]
            } else {
                let scanner = Scanner(rules: shared)
                _ = try? scanner.scanJSON(expected[t])
                counts[t].findings = shared.conditions.count == compiled.rules.count ? ["whole"] : ["partial"]
            }
        }
        #expect(counts.allSatisfy { $0.findings == ["whole"] })
    }
}
