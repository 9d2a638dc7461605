/// The candidate index: which rules an event needs evaluated. A rule that requires some phrase
/// match (every way its condition can hold goes through one of its phrase keys) is a candidate
/// only when one of those keys matched; every other rule is evaluated for every event.
struct CandidateIndex {
    /// Rules evaluated for every event.
    var alwaysRules: [Int32]
    /// Per key of the program, the rules that key makes candidates.
    var rulesByKey: [[Int32]]

    init(rules: [CheckedRule], program: Program) {
        var always: [Int32] = []
        var byKey = [[Int32]](repeating: [], count: program.keys.count)
        let keyIndex = program.keyIndex
        for (r, rule) in rules.enumerated() {
            let req = requiredKeys(rule.condition) { m, f in
                guard case .phrases = m else { return nil }
                return keyIndex[MatchKey(matcher: m, field: f)]
            }
            if let req {
                for k in req { byKey[k].append(Int32(r)) }
            } else {
                always.append(Int32(r))
            }
        }
        alwaysRules = always
        rulesByKey = byKey
    }
}
