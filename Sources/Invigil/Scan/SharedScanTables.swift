/// What every scanner of a rule set derives from the rules alike: the guards, the pass demand and
/// the passes' needles. Built once, for the first scanner, and then shared: the tables are arrays,
/// copied by reference. Every scanner used to build its own, about 3.5 M instructions each, which
/// `invigil scan` paid once per worker and once more for the `--set` check, before the first event.
struct SharedScanTables {
    let ruleGuards: RuleGuards
    let passDemand: PassDemand
    /// Per normalised automaton, the bytes some pattern needs (`Automaton.requiredUncommonBytes`).
    let passNeedles: [[UInt8]?]

    init(rules: RuleSet) {
        ruleGuards = RuleGuards(program: rules.program, ruleCode: rules.ruleCode, fieldKinds: rules.fieldKinds)
        passDemand = PassDemand(rules: rules)
        passNeedles = rules.normalizedAutomata.map { $0.automaton.requiredUncommonBytes() }
    }
}

extension RuleSet {
    /// The tables every scanner of these rules shares. Built on the first call; safe from any
    /// thread.
    func sharedScanTables() -> SharedScanTables { scanTables.get { SharedScanTables(rules: self) } }
}
