/// The front door of the compiler: rule source or files in, a `RuleSet` or every diagnostic out.
/// Loading (`Loader`), checking (`Checker`) and then `RuleSet.init(checked:sources:)`, which
/// composes the program compiler, the phrase automata and the candidate index.
extension RuleSet {
    /// Compiles rule source held in memory. `name` is used in diagnostics and to resolve includes.
    public static func compile(source: String, name: String = "<string>") throws(RuleSetError) -> RuleSet {
        var loader = Loader()
        loader.load(source: Array(source.utf8), name: name)
        return try finish(loader)
    }

    /// Compiles rule source bytes held in memory. `includes` says where included files may come
    /// from: by default relative to `name`'s folder, on the file system; the C interface passes
    /// `.refused` unless its caller grants a base folder or a resolver.
    public static func compile(
        bytes: [UInt8], name: String = "<string>",
        includes: IncludeAccess = .filesystem
    ) throws(RuleSetError) -> RuleSet {
        var loader = Loader()
        loader.access = includes
        loader.load(source: bytes, name: name)
        return try finish(loader)
    }

    /// Loads and compiles rule files and folders (every `.rules` file in a folder, recursively,
    /// in sorted order).
    public static func load(paths: [String]) throws(RuleSetError) -> RuleSet {
        var loader = Loader()
        loader.load(paths: paths)
        return try finish(loader)
    }

    /// Loads and compiles like `load(paths:)`, and says what was read: the manifest tells later,
    /// without compiling, whether the same paths would still compile to this rule set (the
    /// command's cache of compiled packs).
    package static func loadRecordingSources(paths: [String]) throws(RuleSetError) -> (RuleSet, SourceManifest) {
        let listing = SourceManifest.listing(of: paths)
        var loader = Loader()
        loader.recordsReadFiles = true
        loader.load(paths: paths)
        let rules = try finish(loader)
        return (rules, SourceManifest(paths: paths, listing: listing, files: loader.readFiles))
    }

    /// Loads and compiles one rule file or folder; see `load(paths:)`.
    public static func load(path: String) throws(RuleSetError) -> RuleSet { try load(paths: [path]) }

    /// Parses and checks without building the automaton: every diagnostic, for `invigil check`.
    public static func diagnose(paths: [String]) -> [Diagnostic] {
        var loader = Loader()
        loader.load(paths: paths)
        let (_, problems) = Checker.check(loader.files)
        return sortDiagnostics(loader.diagnostics + problems)
    }

    static func sortDiagnostics(_ d: [Diagnostic]) -> [Diagnostic] {
        var seen = Set<String>()
        return d.filter { seen.insert($0.location.description + $0.message).inserted }
    }

    private static func finish(_ loader: Loader) throws(RuleSetError) -> RuleSet {
        let (checked, problems) = Checker.check(loader.files)
        let all = sortDiagnostics(loader.diagnostics + problems)
        if !all.isEmpty { throw RuleSetError(all) }
        return RuleSet(checked: checked, sources: loader.files.map(\.source.path))
    }
}
