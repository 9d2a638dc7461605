import Testing
@testable import Invigil

/// Generates random conditions in the rule language over a fixed schema, and random events, and
/// checks that the bytecode (with candidate pruning) agrees with the direct tree evaluator.
@Suite("Bytecode against the tree evaluator")
struct BytecodeTests {
    static let schema = """
        schema {
            type: enum(post, comment, email)
            author.role: enum(staff, pupil, parent)
            recipients.role: list enum(staff, pupil, parent)
            recipients.family: list bool
            recipients.name: list string
            approval: list string
            score: int
            flag: bool
            handle: string
            text: text
            time: time
        }
        phrases offer { "text me" "dm me" }
        phrases secret { match: substring  "secret" }
        hosts social { "facebook.com" }
        schedule day { mon-fri 09:00-15:00 }

        """

    static func atom(_ rng: inout SplitMix, inAny: Bool) -> String {
        let roles = ["staff", "pupil", "parent"]
        switch Int.random(in: 0..<17, using: &rng) {
        case 0: return "type == \(["post", "comment", "email"].randomElement(using: &rng)!)"
        case 1: return "author.role != \(roles.randomElement(using: &rng)!)"
        case 2: return (inAny ? "role" : "recipients.role") + " == \(roles.randomElement(using: &rng)!)"
        case 3: return (inAny ? "family" : "recipients.family") + " \(Bool.random(using: &rng) ? "==" : "!=") \(Bool.random(using: &rng))"
        case 4: return "score \(["<", "<=", ">", ">=", "==", "!="].randomElement(using: &rng)!) \(Int.random(in: -2...3, using: &rng))"
        case 5: return "flag == \(Bool.random(using: &rng))"
        case 6: return "exists(\(["score", "handle", "recipients.role", "time", "approval"].randomElement(using: &rng)!))"
        case 7: return "offer in text"
        case 8: return "count(secret in text) >= \(Int.random(in: 0...3, using: &rng))"
        case 9: return "phone in text"
        case 10: return "social in text"
        case 11: return "time in day"
        case 12: return "approval == \(["a", "b"].randomElement(using: &rng)!)"
        case 14: return "offer near secret within \(Int.random(in: 0...2, using: &rng)) words in text"
        case 15: return "secret before \"dm me\" within \(Int.random(in: 0...2, using: &rng)) words in text"
        case 13: return "author.role in [\(roles.shuffled(using: &rng).prefix(Int.random(in: 1...2, using: &rng)).joined(separator: ", "))]"
        default: return "handle == \"\(["@x", "@y"].randomElement(using: &rng)!)\""
        }
    }

    static func condition(_ rng: inout SplitMix, depth: Int, inAny: Bool = false) -> String {
        if depth == 0 || Int.random(in: 0..<3, using: &rng) == 0 { return atom(&rng, inAny: inAny) }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return "not " + condition(&rng, depth: depth - 1, inAny: inAny)
        case 1 where !inAny: return "any recipients (" + condition(&rng, depth: depth - 1, inAny: true) + ")"
        case 2: return "(" + condition(&rng, depth: depth - 1, inAny: inAny) + " or " + condition(&rng, depth: depth - 1, inAny: inAny) + ")"
        default: return condition(&rng, depth: depth - 1, inAny: inAny) + " and " + condition(&rng, depth: depth - 1, inAny: inAny)
        }
    }

    static func event(_ rng: inout SplitMix) -> String {
        var parts: [String] = []
        let roles = ["staff", "pupil", "parent"]
        if Bool.random(using: &rng) { parts.append("\"type\":\"\(["post", "comment", "email"].randomElement(using: &rng)!)\"") }
        if Bool.random(using: &rng) { parts.append("\"author\":{\"role\":\"\(roles.randomElement(using: &rng)!)\"}") }
        if Bool.random(using: &rng) {
            var rs: [String] = []
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                var fields: [String] = []
                if Bool.random(using: &rng) { fields.append("\"role\":\"\(roles.randomElement(using: &rng)!)\"") }
                if Bool.random(using: &rng) { fields.append("\"family\":\(Bool.random(using: &rng))") }
                if Bool.random(using: &rng) { fields.append("\"name\":\"n\"") }
                rs.append("{" + fields.joined(separator: ",") + "}")
            }
            parts.append("\"recipients\":[" + rs.joined(separator: ",") + "]")
        }
        if Bool.random(using: &rng) {
            parts.append(
                "\"approval\":[" + ["\"a\"", "\"b\"", "\"c\""].shuffled(using: &rng).prefix(Int.random(in: 0...2, using: &rng)).joined(separator: ",")
                    + "]")
        }
        if Bool.random(using: &rng) { parts.append("\"score\":\(Int.random(in: -2...3, using: &rng))") }
        if Bool.random(using: &rng) { parts.append("\"flag\":\(Bool.random(using: &rng))") }
        if Bool.random(using: &rng) { parts.append("\"handle\":\"\(["@x", "@y", "@z"].randomElement(using: &rng)!)\"") }
        if Bool.random(using: &rng) {
            parts.append("\"time\":\"2024-06-0\(Int.random(in: 1...7, using: &rng))T\(Int.random(in: 10...19, using: &rng)):00:00Z\"")
        }
        if Bool.random(using: &rng) {
            let words = ["hello", "text me", "dm me", "secret", "secrets", "07700 900123", "https://m.facebook.com/x", "texting me", "DM ME"]
            parts.append(
                "\"text\":\"" + (0..<Int.random(in: 0...5, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ") + "\"")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    @Test(arguments: [1, 2, 3, 4])
    func generatedConditionsAgree(seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed) &* 104_729)
        var source = BytecodeTests.schema
        for r in 0..<120 {
            source += "rule r\(r) { severity info message \"m\" when \(BytecodeTests.condition(&rng, depth: 4)) }\n"
        }
        let rules = try RuleSet.compile(source: source, name: "gen.rules")
        let scanner = Scanner(rules: rules)
        var disagreements = 0
        for _ in 0..<400 {
            let json = BytecodeTests.event(&rng)
            try scanner.scanJSON(Array(json.utf8))
            let fired = Set(scanner.findings.map(\.rule))
            for r in rules.rules.indices {
                let reference = scanner.evaluateTree(rule: r)
                if reference != fired.contains(r) {
                    disagreements += 1
                    Issue.record("rule r\(r) on \(json): bytecode \(fired.contains(r)), tree \(reference)")
                }
            }
            if disagreements > 5 { return }
        }
    }
}
