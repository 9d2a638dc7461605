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

/// A rule set's shared scan tables, built on first use (`RuleSet.sharedScanTables()`).
final class SharedScanTablesOnce: @unchecked Sendable {
    private let gate = OnceGate()
    /// Set once, under the gate; read only after it.
    private var built: SharedScanTables?

    func of(_ rules: RuleSet) -> SharedScanTables {
        gate.run { built = SharedScanTables(rules: rules) }
        return built!
    }
}

extension RuleSet {
    /// The tables every scanner of these rules shares. Built on the first call; safe from any
    /// thread.
    func sharedScanTables() -> SharedScanTables { scanTables.of(self) }
}
