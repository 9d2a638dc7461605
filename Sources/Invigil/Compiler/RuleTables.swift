/// What the program compiler derives from the rules' conditions: the predicate bytecode with
/// each rule's range in it, what each rule's findings cite as support, and the candidate index.
/// A compile derives these from the condition trees; a compiled file stores them flat and the
/// loader checks them (`ProgramChecks`), so that loading neither decodes nor walks the trees.
struct RuleTables {
    var program: Program
    /// Per rule, its range of `program.code`.
    var codes: [Range<Int>]
    /// Per rule, the keys (indices into `program.keys`) whose matches support a finding.
    var support: JaggedTable<Int32>
    /// Per rule, its positive proximity tests, whose matching pairs support a finding.
    var proximity: JaggedTable<ProximitySupport>
    /// Rules evaluated for every event.
    var alwaysRules: [Int32]
    /// Per key of the program, the rules that key makes candidates.
    var rulesByKey: JaggedTable<Int32>

    init(
        program: Program, codes: [Range<Int>], support: JaggedTable<Int32>, proximity: JaggedTable<ProximitySupport>,
        alwaysRules: [Int32], rulesByKey: JaggedTable<Int32>
    ) {
        self.program = program
        self.codes = codes
        self.support = support
        self.proximity = proximity
        self.alwaysRules = alwaysRules
        self.rulesByKey = rulesByKey
    }

    /// Derives the tables from the rules' conditions.
    init(deriving model: RuleSet.Model) {
        let (program, codes) = ProgramCompiler.compile(model)
        let candidates = CandidateIndex(rules: model.rules, program: program)
        self.init(
            program: program, codes: codes,
            support: JaggedTable(rows: ProgramCompiler.ruleSupport(of: model.rules, in: program)),
            proximity: JaggedTable(rows: ProgramCompiler.ruleProximity(of: model.rules, in: program)),
            alwaysRules: candidates.alwaysRules, rulesByKey: JaggedTable(rows: candidates.rulesByKey))
    }
}

extension RuleTables {
    /// Whether two sets of tables are the same: a loaded file's against those derived again from
    /// its conditions (the tests' and the fuzz target's reference).
    func isIdentical(to other: RuleTables) -> Bool {
        let p = program, q = other.program
        return p.code == q.code && p.ints == q.ints && p.strings == q.strings && p.sets == q.sets && p.zones == q.zones
            && p.keys == q.keys && codes == other.codes && support == other.support && proximity == other.proximity
            && alwaysRules == other.alwaysRules && rulesByKey == other.rulesByKey
    }
}
