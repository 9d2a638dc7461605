import Foundation
import Testing
@testable import Invigil

/// Automaton passes skipped when no rule that can fire reads their keys
/// (Sources/Invigil/Scan/PassDemand.swift): which passes an event needs, checked against a
/// naive reading of the rules' condition trees, and scans with and without skipping compared on
/// everything a caller sees (findings, spans, totals, truncation, early stops, explanations), on
/// generated events and on the bundled packs.
@Suite("Pass demand")
struct PassDemandTests {
    static let source = """
        schema { text: text  subject: text  kind: enum(post, message, email)  role: enum(staff, student)  flag: bool }
        phrases plain_words { "hello" "meet up" "Secret" }
        phrases folded { normalize: caseless, confusables  "cow" "twit" "the" }
        phrases spaced_words { normalize: caseless, confusables, leet, spaced  "text me" "idiot" }
        phrases brackets { normalize: caseless, confusables, spaced  "(at)" "[dot]" }
        phrases unread { normalize: caseless  "never read" }
        rule staff_plain { severity info message "m" when role == staff and kind == post and plain_words in text }
        rule student_folded { severity info message "m" when role == student and folded in subject }
        rule email_spaced { severity info message "m" when kind == email and not flag == true and spaced_words in text }
        rule message_near { severity info message "m" when kind == message and folded near spaced_words within 2 words in text }
        rule staff_count { severity info message "m" when role == staff and count(folded in text) >= 2 }
        rule post_brackets { severity info message "m" when kind in [post, message] and brackets in subject }
        rule flagged { severity info message "m" when flag == true and (plain_words in subject or folded in text) }
        rule unguarded { severity info message "m" when role == staff or spaced_words in subject }
        rule never_student { severity info message "m" when not role == student and brackets in text }
        """

    static let vocabulary = [
        "hello", "HELLO", "meet up", "Secret", "secret", "cow", "C0W", "twit", "the", "The", "text me", "t e x t m e", "idiot",
        "i d 1 o t", "(at)", "( a t )", "[dot]", "never read", "apple", "tree", "é", "ｃｏｗ", ".", ",", " ", " ", "\n"
    ]

    static func text(_ rng: inout SplitMix, words: Int) -> String {
        var out = ""
        for _ in 0..<words {
            out += vocabulary[Int(rng.next() % UInt64(vocabulary.count))]
            if rng.next() % 3 != 0 { out += " " }
        }
        return out
    }

    /// Everything a caller sees of a scan, as text.
    static func observed(_ s: Invigil.Scanner) -> [String] {
        var out = ["stopped early: \(s.stoppedEarly)", "timed out: \(s.timedOut)"]
        for f in s.findings {
            let spans = s.matches[f.matches].map { "\($0.field):\($0.valueIndex):\($0.start)-\($0.end):\($0.pattern)" }
            out.append("rule \(f.rule) total \(f.matchTotal) truncated \(f.truncated): \(spans.joined(separator: " "))")
        }
        return out
    }

    /// The passes the event needs, read off the rules' condition trees: a pass is needed when a
    /// rule of a pack that judges the event, not rejected by its guards, names one of the pass's
    /// lists on the pass's field (or reports spans of such a key).
    static func naiveNeededPasses(_ s: Invigil.Scanner) -> [Bool] {
        let rules = s.rules
        func keys(_ c: Condition, into out: inout Set<MatchKey>) {
            switch c {
            case .and(let parts), .or(let parts): for p in parts { keys(p, into: &out) }
            case .not(let inner), .any(_, let inner): keys(inner, into: &out)
            case .count(let m, let f, _, _): out.insert(MatchKey(matcher: m, field: f))
            case .near(let a, let b, let f, _, _):
                out.insert(MatchKey(matcher: a, field: f))
                out.insert(MatchKey(matcher: b, field: f))
            default: break
            }
        }
        var read = Set<MatchKey>()
        for r in 0..<rules.ruleCount where s.packApplies(rule: r) && (!s.checksGuards || s.guardsAllow(r)) {
            keys(rules.conditions[r], into: &read)
            for k in rules.ruleSupport[r] { read.insert(rules.program.keys[Int(k)]) }
        }
        func needed(_ entries: PatternEntries, _ field: Int32) -> Bool {
            entries.list.contains { read.contains(MatchKey(matcher: .phrases(Int($0)), field: Int(field))) }
        }
        var out = rules.plainFields.map { needed(rules.patternEntries, $0) }
        for na in rules.normalizedAutomata { out += na.fields.map { needed(na.patternEntries, $0) } }
        return out
    }

    /// Generated events scanned by a skipping scanner and one that runs every pass.
    @Test(arguments: [1, 2, 3])
    func skippingChangesNothingVisible(seed: Int) throws {
        let rules = try RuleSet.compile(source: Self.source)
        let skipping = Invigil.Scanner(rules: rules), full = Invigil.Scanner(rules: rules)
        #expect(skipping.checksGuards)
        full.skipsUnneededPasses = false
        var rng = SplitMix(seed: UInt64(seed) &* 7919)
        let kinds = ["post", "message", "email"], roles = ["staff", "student"]
        var findings = 0, eventsSkipping = 0, passesSkipped = 0
        for event in 0..<500 {
            let text = Self.text(&rng, words: Int(rng.next() % 30))
            let subject = Self.text(&rng, words: Int(rng.next() % 8))
            let kind = kinds[Int(rng.next() % 3)], role = roles[Int(rng.next() % 2)]
            let flag = rng.next() % 3 == 0
            // The role is left unset now and then: its guards' row for no value.
            let hasRole = rng.next() % 5 != 0
            for s in [skipping, full] {
                s.reset()
                try s.setString("text", text)
                try s.setString("subject", subject)
                try s.setString("kind", kind)
                if hasRole { try s.setString("role", role) }
                try s.setBool("flag", flag)
                s.scan()
            }
            findings += full.findings.count
            #expect(skipping.passNeeded == Self.naiveNeededPasses(skipping), "\(kind) \(role) \(flag)")
            #expect(full.passNeeded.allSatisfy { $0 })
            if skipping.passesSkipped { eventsSkipping += 1 }
            passesSkipped += skipping.passNeeded.filter { !$0 }.count
            #expect(Self.observed(skipping) == Self.observed(full), "\(text) / \(subject) / \(kind) \(role) \(flag)")
            if event % 5 == 0 {
                #expect(DeferredHitsTests.explained(skipping) == DeferredHitsTests.explained(full), "\(text) / \(subject)")
                #expect(skipping.explanation(format: .text, eventName: "e", all: true) == full.explanation(format: .text, eventName: "e", all: true))
                // Explaining scanned in full; the next scan skips again and finds the same.
                #expect(!skipping.passesSkipped)
                skipping.scan()
                #expect(Self.observed(skipping) == Self.observed(full))
            }
        }
        #expect(findings > 300)
        // Most events skip something; a pass with no reader (`unread`) is never run.
        #expect(eventsSkipping > 400 && passesSkipped > 1500)
    }

    /// The bundled packs' examples and the sample archive: the same with and without skipping,
    /// and most events skip the costly normalised passes.
    @Test func bundledPacksFindTheSameWithAndWithoutSkipping() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let skipping = Invigil.Scanner(rules: rules), full = Invigil.Scanner(rules: rules)
        full.skipsUnneededPasses = false
        var events = try rules.examples.map(\.json)
        for pack in ["bratton", "cherry-trees", "dsat", "prudhoe", "woolhampton"] {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: CommandTests.repoRoot + "/examples/sample/\(pack).jsonl")))
            events += bytes.split(separator: 0x0A).map { Array($0) }
        }
        var findings = 0, skippedNormalized = 0, normalizedPasses = 0
        let firstNormalized = rules.plainFields.count
        for (i, json) in events.enumerated() {
            for s in [skipping, full] {
                s.reset()
                try s.setJSON(json)
                s.scan()
            }
            findings += full.findings.count
            #expect(skipping.passNeeded == Self.naiveNeededPasses(skipping))
            for p in firstNormalized..<skipping.passNeeded.count where skipping.values.count(Int(Self.passField(rules, p))) > 0 {
                normalizedPasses += 1
                if !skipping.passNeeded[p] { skippedNormalized += 1 }
            }
            #expect(Self.observed(skipping) == Self.observed(full), "\(String(decoding: json, as: UTF8.self))")
            if i % 9 == 0 {
                #expect(DeferredHitsTests.explained(skipping) == DeferredHitsTests.explained(full), "\(String(decoding: json, as: UTF8.self))")
            }
        }
        #expect(findings > 500)
        #expect(skippedNormalized * 4 > normalizedPasses)
    }

    /// The field of pass `p` (plain passes first, then each normalised automaton's).
    static func passField(_ rules: RuleSet, _ p: Int) -> Int32 {
        if p < rules.plainFields.count { return rules.plainFields[p] }
        var rest = p - rules.plainFields.count
        for na in rules.normalizedAutomata {
            if rest < na.fields.count { return na.fields[rest] }
            rest -= na.fields.count
        }
        return -1
    }
}
