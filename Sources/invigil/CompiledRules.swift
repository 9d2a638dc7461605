import Invigil

/// The compiled rule file among `paths`, told by its contents (the magic bytes), not its name;
/// nil when they are all rule sources. A compiled file stands alone: it cannot be mixed with
/// sources or other compiled files.
func compiledRulesPath(_ paths: [String]) throws(UsageError) -> String? {
    let compiled = paths.filter { !isDirectory($0) && RuleSet.isCompiledFile(path: $0) }
    guard let first = compiled.first else { return nil }
    guard paths.count == 1 else {
        throw UsageError("\(first) is a compiled rule file: give it alone, not with other rule files")
    }
    return first
}

/// Loads a compiled rule file; a refused one is one message and exit status 2.
func loadCompiledRules(_ path: String) throws(UsageError) -> RuleSet {
    do {
        return try RuleSet.load(compiledPath: path)
    } catch {
        throw UsageError(error.message, status: 2)
    }
}
