import Dispatch
import Testing
@testable import Invigil

/// One shared rule set, one scanner per thread: the same findings as one thread. Run under
/// `swift test --sanitize=thread --filter Concurrency` by scripts/test-all.
@Suite("Concurrency")
struct ConcurrencyTests {
    /// One result slot per thread, each its own object, so threads never write shared storage.
    final class Slot: @unchecked Sendable {
        var findings: [String] = []
    }

    static func findings(_ scanner: Scanner, _ events: ArraySlice<[UInt8]>) -> [String] {
        var out: [String] = []
        for e in events {
            guard (try? scanner.scanJSON(e)) != nil else { out.append("rejected"); continue }
            for f in scanner.findings {
                out.append("\(f.rule):" + scanner.matches[f.matches].map { "\($0.start)-\($0.end)" }.joined(separator: ","))
            }
        }
        return out
    }

    /// `count` direct messages from a member of staff's personal account, their texts taken from
    /// `texts` in turn; a text that starts with `{` is the event itself (a broken one).
    /// `recipient(i)` is the role of the i-th message's recipient.
    static func staffMessages(_ texts: [String], count: Int, recipient: (Int) -> String) -> [[UInt8]] {
        (0..<count).map { i in
            let text = texts[i % texts.count]
            if text.hasPrefix("{") { return Array(text.utf8) }
            return Array(
                "{\"id\":\"e\(i)\",\"type\":\"direct_message\",\"author\":{\"role\":\"staff\"},\"account\":{\"kind\":\"personal\"},\"recipients\":[{\"role\":\"\(recipient(i))\"}],\"text\":\"\(text)\"}"
                    .utf8)
        }
    }

    @Test func sharedRulesPerThreadScanners() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let texts = [
            "text me on 07700 900123", "hello class", "add me on snap x", "our little secret, don't tell your mum",
            "see https://facebook.com/x", "email me at jo@example.com", "{broken"
        ]
        let all = Self.staffMessages(texts, count: 4000) { $0 % 2 == 0 ? "pupil" : "parent" }
        let single = ConcurrencyTests.findings(Scanner(rules: rules), all[...])
        #expect(single.count > 1000)
        let threads = 4
        let slots = (0..<threads).map { _ in Slot() }
        let chunk = all.count / threads
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let scanner = Scanner(rules: rules)
            slots[t].findings = ConcurrencyTests.findings(scanner, all[(t * chunk)..<((t + 1) * chunk)])
        }
        #expect(slots.flatMap(\.findings) == single)
    }

    /// What a rule set's scanners derive from it alike is made on first use, once: the cue-free
    /// automata (`CueFreeAutomata`) and the scan tables (`SharedScanTables`). Scanners made at
    /// once on four threads from a rule set none has used share one of each, and find what one
    /// thread finds afterwards.
    @Test func derivedTablesMadeOnceUnderConcurrentFirstUse() throws {
        let rules = try RuleSet.compile(source: DeferredHitsTests.source)
        var rng = SplitMix(seed: 4)
        let events: [[UInt8]] = (0..<800).map { _ in
            let text = DeferredHitsTests.text(&rng, words: Int(rng.next() % 30), ascii: true)
            return Array("{\"kind\":\"post\",\"text\":\(jsonQuoted(text)),\"subject\":\"you cow\"}".utf8)
        }
        final class Made: @unchecked Sendable {
            var automata: [ObjectIdentifier?] = []
            var spacedText: [ObjectIdentifier?] = []
            var tables: [UInt] = []
            var findings: [String] = []
        }
        let made = (0..<4).map { _ in Made() }
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            let scanner = Scanner(rules: rules)
            made[t].automata = rules.cueFreeAutomata().map { $0.map { ObjectIdentifier($0.automaton) } }
            made[t].spacedText = rules.spacedTextAutomata().map { $0.map(ObjectIdentifier.init) }
            // Where each scanner's tables lie: one build shared means the same storage.
            made[t].tables = [
                scanner.passDemand.readers.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) },
                scanner.ruleGuards.guardRules.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            ]
            made[t].findings = ConcurrencyTests.findings(scanner, events[...])
        }
        let single = ConcurrencyTests.findings(Scanner(rules: rules), events[...])
        #expect(single.count > 200)
        for m in made {
            #expect(m.automata == made[0].automata)
            #expect(m.automata.contains { $0 != nil })
            #expect(m.spacedText == made[0].spacedText)
            #expect(m.spacedText.contains { $0 != nil })
            #expect(m.tables == made[0].tables)
            #expect(m.findings == single)
        }
        // The shared tables are what a build of their own gives.
        let fresh = SharedScanTables(rules: rules)
        #expect(fresh.passDemand.readers == Scanner(rules: rules).passDemand.readers)
        #expect(fresh.passNeedles == Scanner(rules: rules).passNeedles)
    }

    /// `prepareForScanning()` on one thread while scanners are made and scan on three others, as
    /// `invigil scan` does (`ScanTablePrebuild`), over the bundled packs loaded from their
    /// compiled form (so that the automata's rows are filled on first use too): every scanner
    /// finds what one thread finds with an unprepared copy, and afterwards everything the call
    /// builds is built, once.
    @Test func preparingWhileScannersStart() throws {
        let compiled = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"]).compiledBytes()
        let rules = try RuleSet.load(compiled: compiled)
        let reference = try RuleSet.load(compiled: compiled)
        #expect(rules.automaton.deferred?.isBuilt == false)
        let texts = [
            "text me on 07700 900123", "a d d  m e  o n  s n a p", "our little s3cret, don't tell your mum",
            "see https://facebook.com/x", "hello class", "{broken"
        ]
        let all = Self.staffMessages(texts, count: 1200) { _ in "pupil" }
        let single = ConcurrencyTests.findings(Scanner(rules: reference), all[...])
        #expect(single.count > 300)
        let slots = (0..<4).map { _ in Slot() }
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            if t == 0 {
                rules.prepareForScanning()
            } else {
                slots[t].findings = ConcurrencyTests.findings(Scanner(rules: rules), all[...])
            }
        }
        for t in 1..<4 { #expect(slots[t].findings == single) }
        #expect(rules.automaton.deferred?.isBuilt == true)
        #expect(rules.normalizedAutomata.allSatisfy { $0.automaton.deferred?.isBuilt ?? true })
        #expect(rules.spacedTextAutomata().contains { $0 != nil })
        // A second call builds nothing new.
        let spaced = rules.spacedTextAutomata().map { $0.map(ObjectIdentifier.init) }
        rules.prepareForScanning()
        #expect(rules.spacedTextAutomata().map { $0.map(ObjectIdentifier.init) } == spaced)
    }
}
