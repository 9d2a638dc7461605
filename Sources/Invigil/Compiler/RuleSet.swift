#if canImport(Glibc)
import Glibc
#endif

/// A compiled rule set: the automaton of every phrase, the predicate programs, and what the
/// rules say about themselves. Immutable; share one among any number of threads, each with its
/// own ``Scanner``.
///
/// ```swift
/// let rules = try RuleSet.compile(source: """
///     schema { text: text }
///     phrases greeting { "hello" }
///     rule hi { severity info message "A greeting." when greeting in text }
///     """, name: "demo.rules")
/// let scanner = Scanner(rules: rules)
/// try scanner.setString("text", "Hello there")
/// scanner.scan()          // 1 finding
/// ```
public final class RuleSet: @unchecked Sendable {
    /// The rules, in source order (files in load order, rules in file order).
    public let rules: [RuleInfo]
    /// The packs, in load order.
    public let packs: [PackInfo]
    /// The declared fields, by slot.
    public let fields: [FieldInfo]
    /// The examples written in the rules, for `invigil test`.
    public let examples: [RuleExample]
    /// Names of the phrase lists, host lists and detectors that findings cite, by pattern index.
    public let matcherNames: [String]
    package let automaton: Automaton

    let groups: [String]
    let fieldIndex: [String: Int]
    let fieldHash: ByteStringTable
    let groupOfField: [Int32]
    let enumIndex: [[String: Int32]]
    /// Field kinds and list flags by slot: the hot paths read these instead of copying a
    /// `FieldInfo` (whose strings and arrays would be retained and released per value).
    let fieldKinds: [FieldKind]
    let fieldIsList: [Bool]
    /// Enum values per field, looked up by bytes without allocating.
    let enumTables: [ByteStringTable]
    /// Each pack's school code as bytes.
    let packCodes: [[UInt8]?]
    let program: Program
    let ruleCode: [Range<Int>]
    let rulePack: [Int32]
    let ruleSupport: [[Int32]]
    /// Per rule, its positive proximity tests, whose matching pairs support a finding. Derived
    /// from `conditions` and the keys; nothing of its own to store.
    let ruleProximity: [[ProximitySupport]]
    let schedules: [Schedule]
    let conditions: [Condition]
    let hostSets: [ByteStringTable]
    let phraseListCount: Int
    /// Per automaton pattern: (phrase list, whole word, case sensitive, original bytes).
    let patternEntries: PatternEntries
    /// keyOfListField[list * fields.count + field] = key index, or -1.
    let keyOfListField: [Int32]
    /// Fields the automaton scans (any mode), and those the plain automaton scans.
    let scannedFields: [Int32]
    let plainFields: [Int32]
    /// Automata of normalised phrase lists, one per combination of modes.
    let normalizedAutomata: [NormalizedAutomaton]
    /// Rules evaluated for every event, and rules evaluated only when one of their keys matched.
    let alwaysRules: [Int32]
    let rulesByKey: [[Int32]]
    let schoolField: Int?
    let idField: Int?

    /// A class, not a struct: the scanner reads these per event, and a struct of four arrays
    /// would be copied (retained and released field by field) at every read.
    final class NormalizedAutomaton: Sendable {
        let mode: NormalizeMode
        let automaton: Automaton
        let patternEntries: PatternEntries
        let fields: [Int32]

        init(mode: NormalizeMode, automaton: Automaton, patternEntries: PatternEntries, fields: [Int32]) {
            self.mode = mode
            self.automaton = automaton
            self.patternEntries = patternEntries
            self.fields = fields
        }
    }

    struct PatternEntry {
        var list: Int32
        var wholeWord: Bool
        var caseSensitive: Bool
        var original: [UInt8]
    }

    /// What a rule set is made of before its derived tables: the checker's output less the
    /// phrases themselves, which only the automata need. A compiled file stores this model.
    struct Model {
        var fields: [FieldInfo]
        var groups: [String]
        var packs: [PackInfo]
        var phraseLists: [PhraseListInfo]
        var hostLists: [HostList]
        var schedules: [Schedule]
        var rules: [CheckedRule]
        var examples: [RuleExample]
        /// Files the rules were compiled from, in load order.
        var sources: [String]
    }

    /// The phrase automata: the plain one and one per combination of normalisation modes.
    struct Automata {
        var plain: Automaton
        var plainEntries: PatternEntries
        var normalized: [(mode: NormalizeMode, automaton: Automaton, entries: PatternEntries)]
    }

    /// The model, kept so that the rule set can be written to a compiled file.
    let model: Model

    convenience init(checked: CheckedRuleSet, sources: [String]) {
        let model = Model(
            fields: checked.fields, groups: checked.groups, packs: checked.packs,
            phraseLists: checked.phraseLists.map {
                PhraseListInfo(
                    name: $0.name, wholeWord: $0.wholeWord, caseSensitive: $0.caseSensitive,
                    normalize: $0.normalize, phraseCount: $0.phrases.count)
            },
            hostLists: checked.hostLists, schedules: checked.schedules, rules: checked.rules,
            examples: checked.examples, sources: sources)
        let (program, codes) = RuleSet.compileProgram(model)
        self.init(model: model, program: program, codes: codes, automata: RuleSet.buildAutomata(checked.phraseLists, program))
    }

    /// The predicate bytecode of every rule, and each rule's range in it.
    static func compileProgram(_ model: Model) -> (Program, [Range<Int>]) {
        var program = Program()
        var codes: [Range<Int>] = []
        for rule in model.rules { codes.append(program.compile(rule.condition, fields: model.fields)) }
        return (program, codes)
    }

    /// Derives the tables of a rule set from its model, its program, and the phrase automata
    /// for the program's keys (built from the phrases, or loaded from a compiled file).
    init(model: Model, program: Program, codes: [Range<Int>], automata built: Automata) {
        self.model = model
        rules = model.rules.map(\.info)
        packs = model.packs
        fields = model.fields
        examples = model.examples
        groups = model.groups
        schedules = model.schedules
        conditions = model.rules.map(\.condition)
        phraseListCount = model.phraseLists.count
        var index: [String: Int] = [:]
        for (i, f) in fields.enumerated() { index[f.name] = i }
        fieldIndex = index
        fieldHash = ByteStringTable(fields.map { Array($0.name.utf8) })
        groupOfField = fields.map { f in f.group.flatMap { g in model.groups.firstIndex(of: g).map(Int32.init) } ?? -1 }
        fieldKinds = model.fields.map(\.kind)
        fieldIsList = model.fields.map(\.isList)
        enumTables = fields.map { ByteStringTable($0.enumValues.map { Array($0.utf8) }) }
        packCodes = model.packs.map { $0.code.map { Array($0.utf8) } }
        enumIndex = fields.map { f in
            var d: [String: Int32] = [:]
            for (i, v) in f.enumValues.enumerated() { d[v] = Int32(i) }
            return d
        }
        matcherNames = model.phraseLists.map(\.name) + model.hostLists.map(\.name) + Detector.allCases.map(\.name)
        hostSets = model.hostLists.map { ByteStringTable($0.hosts) }

        var support: [[Int32]] = []
        for rule in model.rules {
            var keys: [MatchKey] = []
            supportKeys(rule.condition, into: &keys)
            support.append(keys.compactMap { program.keyIndex[$0].map(Int32.init) })
        }
        ruleSupport = support
        ruleProximity = model.rules.map { rule in
            var tests: [ProximitySupport] = []
            proximitySupport(rule.condition, keyOf: { program.keyIndex[$0] }, into: &tests)
            return tests
        }
        ruleCode = codes
        rulePack = model.rules.map { Int32($0.pack) }

        // Which (list, field) pairs the automata report, and which fields they scan.
        var keyOfListField = [Int32](repeating: -1, count: max(1, model.phraseLists.count * max(1, fields.count)))
        var scanned = Set<Int>()
        for (k, key) in program.keys.enumerated() {
            if case .phrases(let l) = key.matcher {
                keyOfListField[l * fields.count + key.field] = Int32(k)
                scanned.insert(key.field)
            }
        }
        self.keyOfListField = keyOfListField
        scannedFields = scanned.sorted().map(Int32.init)
        patternEntries = built.plainEntries
        automaton = built.plain
        normalizedAutomata = built.normalized.map { n in
            var fieldsOfMode = Set<Int>()
            for key in program.keys {
                if case .phrases(let l) = key.matcher, model.phraseLists[l].normalize == n.mode { fieldsOfMode.insert(key.field) }
            }
            return NormalizedAutomaton(mode: n.mode, automaton: n.automaton, patternEntries: n.entries, fields: fieldsOfMode.sorted().map(Int32.init))
        }
        plainFields = Set(
            program.keys.compactMap { key -> Int32? in
                if case .phrases(let l) = key.matcher, model.phraseLists[l].normalize.isEmpty { return Int32(key.field) }
                return nil
            }
        ).sorted()

        // Candidate selection.
        var always: [Int32] = []
        var byKey = [[Int32]](repeating: [], count: program.keys.count)
        let keyIndex = program.keyIndex
        for (r, rule) in model.rules.enumerated() {
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
        self.program = program
        let declared = model.fields
        schoolField = index["school"].flatMap { declared[$0].kind == .string || declared[$0].kind == .enumeration ? $0 : nil }
        idField = index["id"].flatMap { declared[$0].kind == .string || declared[$0].kind == .text ? $0 : nil }
    }

    /// The automata of the phrase lists that some rule tests, deduplicated after case folding.
    /// Plain lists share one automaton; each combination of normalisation modes gets its own.
    static func buildAutomata(_ phraseLists: [PhraseList], _ program: Program) -> Automata {
        var usedLists = Set<Int>()
        for key in program.keys { if case .phrases(let l) = key.matcher { usedLists.insert(l) } }
        var byMode: [NormalizeMode: [Int]] = [:]
        for l in usedLists.sorted() { byMode[phraseLists[l].normalize, default: []].append(l) }
        func build(_ lists: [Int], _ mode: NormalizeMode) -> (Automaton, [[PatternEntry]]) {
            var patternIds: [[UInt8]: Int] = [:]
            var patterns: [[UInt8]] = []
            var entries: [[PatternEntry]] = []
            for l in lists {
                let list = phraseLists[l]
                for p in list.phrases {
                    let folded = mode.isEmpty ? p.map(Automaton.fold) : Normalizer.normalize(phrase: p, mode: mode)
                    if folded.isEmpty { continue }
                    let id: Int
                    if let existing = patternIds[folded] {
                        id = existing
                    } else {
                        id = patterns.count
                        patternIds[folded] = id
                        patterns.append(folded)
                        entries.append([])
                    }
                    let entry = PatternEntry(list: Int32(l), wholeWord: list.wholeWord, caseSensitive: list.caseSensitive, original: p)
                    if !entries[id].contains(where: { $0.list == entry.list && $0.original == entry.original }) {
                        // One entry per list for case-insensitive lists, whatever the spelling.
                        if !list.caseSensitive, entries[id].contains(where: { $0.list == entry.list }) { continue }
                        entries[id].append(entry)
                    }
                }
            }
            return (Automaton(patterns: patterns), entries)
        }
        let (plain, plainEntries) = build(byMode[NormalizeMode()] ?? [], NormalizeMode())
        var normalized: [(mode: NormalizeMode, automaton: Automaton, entries: PatternEntries)] = []
        for (mode, lists) in byMode.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !mode.isEmpty {
            let (a, e) = build(lists, mode)
            normalized.append((mode, a, PatternEntries(e)))
        }
        return Automata(plain: plain, plainEntries: PatternEntries(plainEntries), normalized: normalized)
    }

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

    /// The slot of a declared field, or nil.
    public func field(named name: String) -> Int? { fieldIndex[name] }

    /// Number of predicate instructions over all rules.
    public var instructionCount: Int { program.code.count }

    /// Approximate bytes of the compiled form (automaton and bytecode).
    public var memoryBytes: Int { automaton.memoryBytes + program.code.count * MemoryLayout<Instruction>.stride }
}
