import Testing
@testable import Invigil

/// The opening field tests of rules' programs, evaluated once per event
/// (Sources/Invigil/Scan/RuleGuards.swift): which tests count as guards, and, on the bundled
/// packs with generated field values, that the rules that fire are exactly those whose condition
/// tree (the explanation's separate evaluator) holds.
@Suite("Rule guards")
struct RuleGuardsTests {
    @Test func guardsAreTheStraightRunOfFieldTestsAtTheStart() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { text: text  kind: enum(a, b, c)  flag: bool  n: int  name: string }
                phrases p { "hello" }
                rule opening { severity info message "m" when kind == a and not flag == true and n > 3 and p in text }
                rule shared { severity info message "m" when kind == a and kind in [a, b] }
                rule after_or { severity info message "m" when (kind == a or flag == true) and n > 3 }
                rule string_set { severity info message "m" when name in ["x", "y"] and kind == b }
                rule none { severity info message "m" when p in text and kind == c }
                """)
        let g = RuleGuards(program: rules.program, ruleCode: rules.ruleCode, fieldKinds: rules.fieldKinds)
        func names(_ r: Int) -> [String] {
            g.guards(ofRule: r).map { i in
                let word = Int(g.guardWord[i])
                let field = rules.fields[Int(g.fields[word / 2])].name
                return "\(field) \(String(g.guardValues[i], radix: 16)) \(word % 2 == 0 ? "holds" : "fails")"
            }.sorted()
        }
        // An int comparison is no guard: the program goes on there.
        #expect(names(0) == ["flag 2 fails", "kind 1 holds"])
        #expect(rules.program.code[Int(g.bodyStart[0])].opcode == .compareInt)
        // The last test decides the result too: nothing is left to run.
        #expect(names(1) == ["kind 1 holds", "kind 3 holds"] && Int(g.bodyStart[1]) == rules.ruleCode[1].upperBound)
        // An `or` first: no guard. A string set ends the run; nothing after it counts.
        #expect(names(2).isEmpty && names(3).isEmpty && names(4).isEmpty)
        #expect(Int(g.bodyStart[4]) == rules.ruleCode[4].lowerBound)
        #expect(g.fields.count == 2 && g.guardValues.count == 3)
        #expect(g.hasGuards == [true, true, false, false, false])
        // Two guarded rules do not pay for the bit sets.
        #expect(!g.worthChecking && !Scanner(rules: rules).checksGuards)
    }

    /// `big` has more values than a mask holds: values from v64 make its guards unsure.
    static let generatedSchema =
        "schema { text: text  kind: enum(a, b, c, d)  flag: bool  n: int  tags: list enum(x, y, z)  big: enum("
        + (0..<70).map { "v\($0)" }.joined(separator: ", ") + ") }"

    /// A random condition over the schema above, from a seed: guards and other tests in any
    /// nesting, so that some programs open with guards and some do not.
    static func condition(_ rng: inout SplitMix, depth: Int) -> String {
        let leaves = [
            "kind == a", "kind != b", "kind in [a, c]", "kind in [b, c, d]", "flag == true", "flag != true", "exists(kind)",
            "exists(tags)", "tags == x", "tags != y", "tags in [y, z]", "n > 3", "n <= 1", "p in text", "big == v3",
            "big != v5", "big == v66", "exists(big)"
        ]
        if depth == 0 || rng.next() % 3 == 0 { return leaves[Int(rng.next() % UInt64(leaves.count))] }
        let parts = (0..<(2 + Int(rng.next() % 3))).map { _ in condition(&rng, depth: depth - 1) }
        switch rng.next() % 4 {
        case 0: return "(" + parts.joined(separator: " or ") + ")"
        case 1: return "not (" + parts[0] + ")"
        default: return "(" + parts.joined(separator: " and ") + ")"
        }
    }

    /// Generated rule sets and events: a rule's guards and the rest of its program together
    /// answer exactly as its whole program does.
    @Test func guardsAndTheRestAnswerAsTheWholeProgram() throws {
        var rng = SplitMix(seed: 99)
        var guarded = 0, rejected = 0, unsure = 0
        for _ in 0..<40 {
            var source = Self.generatedSchema + "\nphrases p { \"hello\" }\n"
            for r in 0..<12 {
                let c = (0..<(1 + Int(rng.next() % 4))).map { _ in Self.condition(&rng, depth: 2) }.joined(separator: " and ")
                source += "rule r\(r) { severity info message \"m\" when \(c) }\n"
            }
            let rules = try RuleSet.compile(source: source)
            let s = Scanner(rules: rules)
            for event in 0..<50 {
                // Checked and not, whatever the rule set's count of guarded rules.
                s.checksGuards = event % 5 != 4
                s.reset()
                if rng.next() % 5 != 0 { try s.setString("kind", ["a", "b", "c", "d"][Int(rng.next() % 4)]) }
                if rng.next() % 3 != 0 { try s.setBool("flag", rng.next() % 2 == 0) }
                if rng.next() % 2 == 0 { try s.setInt("n", Int64(rng.next() % 6)) }
                for _ in 0..<Int(rng.next() % 3) { try s.addString("tags", ["x", "y", "z"][Int(rng.next() % 3)]) }
                if rng.next() % 2 == 0 { try s.setString("text", "hello there") }
                if rng.next() % 2 == 0 { try s.setString("big", ["v3", "v5", "v66", "v69"][Int(rng.next() % 4)]) }
                s.scan()
                if s.guardFieldsUnsure { unsure += 1 }
                for r in 0..<rules.ruleCount {
                    let whole = s.evaluate(s.ruleCode[r])
                    let allowed = s.guardsAllow(r)
                    if !s.checksGuards { #expect(allowed) }
                    #expect((allowed && s.evaluateAfterGuards(r)) == whole, "\(source) rule \(r)")
                    if s.ruleGuards.hasGuards[r] { guarded += 1 }
                    if !allowed { rejected += 1 }
                }
            }
        }
        #expect(guarded > 3000 && rejected > 1000 && unsure > 100)
    }

    /// The packs' examples with their enum and bool fields set at random: the rules that fire
    /// are those whose pack applies and whose condition tree holds.
    @Test func packsFireExactlyTheRulesWhoseConditionsHold() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let s = Scanner(rules: rules)
        #expect(s.checksGuards)
        let guards = RuleGuards(program: rules.program, ruleCode: rules.ruleCode, fieldKinds: rules.fieldKinds)
        #expect(guards.fields.count > 3)
        #expect(guards.hasGuards.filter { $0 }.count > 150)
        let settable = rules.fields.indices.filter { f in
            !rules.fields[f].isList && (rules.fields[f].kind == .enumeration || rules.fields[f].kind == .bool)
                && rules.fields[f].name != "school"
        }
        var rng = SplitMix(seed: 2026)
        var fired = 0, skippedByGuards = 0
        for example in try rules.examples {
            for variant in 0..<4 {
                s.reset()
                try s.setJSON(example.json)
                if variant > 0 {
                    for f in settable where rng.next() % 2 == 0 {
                        let info = rules.fields[f]
                        if info.kind == .bool {
                            try s.setBool(info.name, rng.next() % 2 == 0)
                        } else {
                            try s.setString(info.name, info.enumValues[Int(rng.next() % UInt64(info.enumValues.count))])
                        }
                    }
                }
                s.scan()
                let expected = (0..<rules.ruleCount).filter { s.packApplies(rule: $0) && s.evaluateTree(rule: $0) }
                #expect(s.findings.map(\.rule) == expected, "\(String(decoding: example.json, as: UTF8.self)) variant \(variant)")
                fired += expected.count
                skippedByGuards += (0..<rules.ruleCount).filter { !s.guardsAllow($0) }.count
            }
        }
        #expect(fired > 1000)
        #expect(skippedByGuards > 100_000)
    }
}
