#if canImport(Glibc)
import Glibc
#endif
import Invigil
import InvigilArchive
import InvigilPolicy

let coverageUsage = """
    usage: invigil coverage [--catalogue PATH] [--rules PATH]... [--output FILE] [--check]

    Writes, as Markdown, how the rule packs cover the clause catalogue: every clause with its
    status (enforced by which rules, review rule, filter, not machine-checkable and why, not
    covered), the flag and pass examples of the rules citing it, and per school the counts.

      --catalogue PATH  the clause catalogue (default: policies/clauses.tsv beside the packs
                        folder, else relative to the current folder; scripts/import-clauses
                        converts the catalogue's Markdown into it)
      --rules PATH      rule files or folders (repeatable; default: the bundled packs)
      --output FILE     write the report there instead of standard output
      --check           do not write: compare with --output FILE (default docs/policy-coverage.md)
                        and exit 1 if it is not current, or if a clause with a signal (yes or
                        partly, filters excepted) has no flag example in a rule citing it

    Exit status: 0 written or current, 1 not current or a clause without a flag example (--check),
    2 unreadable catalogue or invalid rules.
    """

/// `invigil coverage`: the policy-coverage report (docs/policy-coverage.md).
func runCoverage(arguments: [String]) -> Int32 {
    let options: Options
    do {
        options = try Options(arguments, valued: ["--catalogue", "--rules", "--output"], flags: ["--check", "--help", "-h"])
    } catch {
        printError("invigil coverage: \(error.message)\n\n\(coverageUsage)")
        return 2
    }
    if options.flags.contains("--help") || options.flags.contains("-h") {
        print(coverageUsage)
        return 0
    }
    if !options.positional.isEmpty {
        printError("invigil coverage: unexpected argument '\(options.positional[0])'\n\n\(coverageUsage)")
        return 2
    }

    var rulePaths = options.all("--rules")
    if rulePaths.isEmpty {
        if let bundled = bundledPacksFolder() {
            rulePaths = [bundled]
        } else if isDirectory("packs") {
            rulePaths = ["packs"]
        } else {
            printError("invigil coverage: no bundled packs found; give --rules PATH")
            return 2
        }
    }
    let cataloguePath = options.value("--catalogue") ?? defaultCataloguePath(packsFolder: rulePaths.count == 1 ? rulePaths[0] : nil)

    guard let catalogueText = readCoverageFile(cataloguePath) else {
        printError("invigil coverage: cannot read the clause catalogue \(cataloguePath): \(String(cString: strerror(errno))); give --catalogue PATH")
        return 2
    }
    let catalogue: ClauseCatalogue
    do {
        catalogue = try ClauseCatalogue(parsing: catalogueText, path: cataloguePath)
    } catch {
        printError("\(error)")
        return 2
    }
    let rules: RuleSet
    do {
        rules = try RuleSet.load(paths: rulePaths)
    } catch {
        printError(error.description)
        return 2
    }
    let examples: [CoverageExample]
    do {
        examples = try rules.coverageExamples
    } catch {
        printError(error.message)
        return 2
    }
    let report = policyCoverageMarkdown(catalogue: catalogue, rules: rules.rules, examples: examples)

    if options.flags.contains("--check") {
        var status: Int32 = 0
        for clause in clausesWithoutFlagExample(catalogue: catalogue, rules: rules.rules, examples: examples) {
            printError("invigil coverage: \(clause.id) (\(clause.checkable)) has a signal but no flag example in a rule citing it")
            status = 1
        }
        let path = options.value("--output") ?? "docs/policy-coverage.md"
        guard let current = readCoverageFile(path) else {
            printError("invigil coverage: cannot read \(path)")
            return 1
        }
        if current != report {
            printError("invigil coverage: \(path) is not current; regenerate it with: invigil coverage --output \(path)")
            status = 1
        }
        return status
    }

    do {
        let out = try Output(path: options.value("--output"))
        out.write(report)
        out.close()
    } catch {
        printError("invigil coverage: \(error.message)")
        return 2
    }
    return 0
}

/// `policies/clauses.tsv` beside the packs folder (in the repository, or in an installed
/// `share/invigil/`), if it is there; otherwise relative to the current folder.
func defaultCataloguePath(packsFolder: String?) -> String {
    let relative = "policies/clauses.tsv"
    if let folder = packsFolder ?? bundledPacksFolder() {
        var dir = folder
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        let parent: String
        if let slash = dir.lastIndex(of: "/") { parent = String(dir[..<slash]) } else { parent = "." }
        let candidate = (parent.isEmpty ? "" : parent + "/") + relative
        if fileExists(candidate) { return candidate }
    }
    return relative
}

/// A whole file as UTF-8 text, or nil (errno says why).
func readCoverageFile(_ path: String) -> String? {
    switch FileSystem.readWholeFile(path) {
    case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
    case .failure(let failure):
        errno = failure.kind == .directory ? EISDIR : failure.code
        return nil
    }
}
