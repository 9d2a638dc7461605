import Invigil

let invigilVersion = RuleSet.engineVersion

/// `invigil check PATH...`: every problem in the rule files, `file:line:col: error: message`.
func runCheck(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(arguments, valued: [], flags: ["--quiet", "-q"])
    guard !options.positional.isEmpty else { throw UsageError("usage: invigil check PATH...") }
    let diagnostics = RuleSet.diagnose(paths: options.positional)
    if !diagnostics.isEmpty {
        for d in diagnostics { print(d.description) }
        printError("invigil check: \(diagnostics.count) error\(diagnostics.count == 1 ? "" : "s")")
        return 2
    }
    do {
        let start = now()
        let rules = try RuleSet.load(paths: options.positional)
        let elapsed = now() - start
        if !options.flags.contains("--quiet") && !options.flags.contains("-q") {
            let packs = rules.packs.map { pack in pack.code.map { c in "\(pack.name) (\(c))" } ?? pack.name }.joined(separator: ", ")
            print(
                "ok: \(rules.rules.count) rules in \(rules.packs.count) pack\(rules.packs.count == 1 ? "" : "s") [\(packs)], "
                    + "\(rules.automaton.patternCount) phrases, \((try? rules.examples.count) ?? 0) examples; compiled in \(Int(elapsed * 1000)) ms")
        }
        return 0
    } catch {
        for d in error.diagnostics { print(d.description) }
        return 2
    }
}

/// `invigil test PATH...`: runs every example written in the rules (sources, or a compiled file).
func runTest(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(arguments, valued: [], flags: ["--verbose", "-v"])
    guard !options.positional.isEmpty else { throw UsageError("usage: invigil test PATH...") }
    let rules: RuleSet
    if let compiled = try compiledRulesPath(options.positional) {
        rules = try loadCompiledRules(compiled)
    } else {
        do {
            rules = try RuleSet.load(paths: options.positional)
        } catch {
            for d in error.diagnostics { print(d.description) }
            print("0 passed, 0 failed")
            return 2
        }
    }
    let verbose = options.flags.contains("--verbose") || options.flags.contains("-v")
    // A compiled file's examples are in its cold part, read now: it may have changed since the load.
    let examples: [RuleExample]
    do {
        examples = try rules.examples
    } catch {
        throw UsageError(error.message, status: 2)
    }
    let scanner = Scanner(rules: rules)
    var passed = 0, failed = 0
    for example in examples {
        let rule = rules.rules[example.rule]
        let kind = example.expectFlag ? "flag" : "pass"
        do {
            try scanner.scanJSON(example.json)
        } catch {
            failed += 1
            print("\(example.location): error: example \(kind) of rule '\(rule.name)' is not a valid event: \(error.message)")
            continue
        }
        let flagged = scanner.findings.contains { $0.rule == example.rule }
        if flagged == example.expectFlag {
            passed += 1
            if verbose { print("\(example.location): ok: example \(kind) of '\(rule.name)'") }
        } else {
            failed += 1
            let others = scanner.findings.map { rules.rules[$0.rule].name }.filter { $0 != rule.name }
            let also = others.isEmpty ? "" : " (the event was flagged by: \(others.joined(separator: ", ")))"
            if example.expectFlag {
                print("\(example.location): error: example flag of rule '\(rule.name)' was not flagged\(also)")
            } else {
                print("\(example.location): error: example pass of rule '\(rule.name)' was flagged")
            }
        }
    }
    print("\(passed) passed, \(failed) failed")
    return failed > 0 ? 1 : 0
}
