/// The program compiler: every rule's condition to predicate bytecode in one `Program` (whose
/// match keys the automata and the candidate index are built for), and what each rule's
/// findings cite as their support.
enum ProgramCompiler {
    /// The predicate bytecode of every rule, and each rule's range in it.
    static func compile(_ model: RuleSet.Model) -> (Program, [Range<Int>]) {
        var program = Program()
        var codes: [Range<Int>] = []
        for rule in model.rules { codes.append(program.compile(rule.condition, fields: model.fields)) }
        return (program, codes)
    }

    /// Per rule, the keys (indices into `program.keys`) whose matches support a finding.
    static func ruleSupport(of rules: [CheckedRule], in program: Program) -> [[Int32]] {
        // The closures capture the key table alone, not the whole program (which they would copy).
        let keyIndex = program.keyIndex
        return rules.map { rule in
            var keys: [MatchKey] = []
            supportKeys(rule.condition, into: &keys)
            return keys.compactMap { keyIndex[$0].map(Int32.init) }
        }
    }

    /// Per rule, its positive proximity tests, whose matching pairs support a finding.
    static func ruleProximity(of rules: [CheckedRule], in program: Program) -> [[ProximitySupport]] {
        let keyIndex = program.keyIndex
        return rules.map { rule in
            var tests: [ProximitySupport] = []
            proximitySupport(rule.condition, keyOf: { keyIndex[$0] }, into: &tests)
            return tests
        }
    }
}
