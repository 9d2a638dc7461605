import Invigil

/// One example written in a rule (`example flag { ... }` or `example pass { ... }`), as the
/// coverage report cites it: the rule it belongs to and where it is written.
public struct CoverageExample: Sendable, Hashable {
    /// Qualified name of the rule, `pack/rule`.
    public var rule: String
    /// `true` for `example flag`, `false` for `example pass`.
    public var expectFlag: Bool
    /// The file as the report shows it: the path below the packs folder (`dsat.rules`,
    /// `dsat/config.rules`), so that the report does not depend on where the packs were loaded from.
    public var file: String
    public var line: Int

    public init(rule: String, expectFlag: Bool, file: String, line: Int) {
        self.rule = rule
        self.expectFlag = expectFlag
        self.file = file
        self.line = line
    }
}

extension RuleSet {
    /// Every example of every rule, for the coverage report. `invigil test` checks that each flag
    /// example flags its rule and each pass example does not, so a flag example listed against a
    /// clause is an event that the rules citing the clause are known to catch. Throws when the
    /// rule set was loaded from a compiled file whose examples can no longer be read.
    public var coverageExamples: [CoverageExample] {
        get throws(CompiledRulesError) {
            try examples.map { e in
                CoverageExample(
                    rule: rules[e.rule].name, expectFlag: e.expectFlag,
                    file: displayedRulePath(e.location.file), line: e.location.line)
            }
        }
    }
}

/// The clauses that have a signal (the catalogue marks them *yes* or *partly*) but no flag
/// example in any rule citing them: the error of `invigil coverage --check`. A *yes* clause tagged
/// [scope], [definition] or [permission] that no rule cites is a filter: it shapes the other
/// rules' conditions and raises no finding of its own, so it needs no flag example.
public func clausesWithoutFlagExample(
    catalogue: ClauseCatalogue, rules: [RuleInfo],
    examples: [CoverageExample]
) -> [CatalogueClause] {
    let flagged = Set(examples.filter(\.expectFlag).map(\.rule))
    var cited: Set<String> = []
    var exercised: Set<String> = []
    for rule in rules {
        for clause in rule.clauses {
            cited.insert(clause)
            if flagged.contains(rule.name) { exercised.insert(clause) }
        }
    }
    return catalogue.clauses.filter { c in
        guard c.checkable == "yes" || c.checkable == "partly" else { return false }
        if exercised.contains(c.id) { return false }
        let filter = c.checkable == "yes" && ["scope", "definition", "permission"].contains(c.tag) && !cited.contains(c.id)
        return !filter
    }
}

/// `/work/repo/packs/dsat.rules` → `dsat.rules`; `packs/dsat/config.rules` → `dsat/config.rules`;
/// a path without a `packs` folder → its last component.
func displayedRulePath(_ path: String) -> String {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    if let i = parts.lastIndex(of: "packs"), i + 1 < parts.count {
        return parts[(i + 1)...].joined(separator: "/")
    }
    return parts.last.map(String.init) ?? path
}
