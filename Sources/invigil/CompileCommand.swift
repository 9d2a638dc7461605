import Invigil

/// `invigil compile [--rules PATH]... [--pack NAME]... -o FILE`: compiles the rules (default:
/// the bundled packs) into one compiled file that scan, test, explain and bench load without
/// compiling. `--pack` keeps only the named packs (and the schema and lists they use).
func runCompile(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(arguments, valued: ["--rules", "--pack", "-o", "--output"], flags: ["--quiet", "-q"])
    guard let output = options.value("-o") ?? options.value("--output") else {
        throw UsageError("usage: invigil compile [--rules PATH]... [--pack NAME]... -o FILE")
    }
    guard options.positional.isEmpty else {
        throw UsageError("unexpected argument '\(options.positional[0])' (rule paths go after --rules)")
    }
    var rulePaths = options.all("--rules")
    let packNames = options.all("--pack")
    if !packNames.isEmpty && rulePaths.isEmpty {
        // The named bundled packs alone: each pack's file (which includes the common files it
        // uses) and its folder of configuration, when it has one.
        let bundled = bundledPackFiles()
        for name in packNames {
            guard let file = bundled.first(where: { $0.name == name }) else {
                let hint = closestName(name, bundled.map(\.name)).map { "; did you mean \($0)?" } ?? ""
                throw UsageError("unknown pack '\(name)'\(hint)")
            }
            rulePaths.append(file.path)
            let folder = String(file.path.dropLast(".rules".count))
            if isDirectory(folder) { rulePaths.append(folder) }
        }
    } else if !packNames.isEmpty {
        throw UsageError("--pack selects bundled packs; with --rules, give the files of the packs wanted")
    }
    let start = now()
    let (rules, _) = try loadRules(rulePaths: rulePaths, packNames: [])
    let compiled = now() - start
    do {
        try rules.writeCompiled(to: output)
    } catch {
        throw UsageError(error.message, status: 2)
    }
    if !options.flags.contains("--quiet") && !options.flags.contains("-q") {
        printError(
            "compiled \(rules.rules.count) rules in \(rules.packs.count) pack\(rules.packs.count == 1 ? "" : "s"), "
                + "\(rules.automaton.patternCount) phrases, \((try? rules.examples.count) ?? 0) examples in \(Int(compiled * 1000)) ms; "
                + "wrote \(output) (\(fileSize(output)) bytes)")
    }
    return 0
}
