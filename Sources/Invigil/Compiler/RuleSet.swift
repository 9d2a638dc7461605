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
        let (program, codes) = ProgramCompiler.compile(model)
        self.init(model: model, program: program, codes: codes, automata: Automata(building: checked.phraseLists, for: program))
    }

    /// Derives the tables of a rule set from its model, its program, and the phrase automata
    /// for the program's keys (built from the phrases, or loaded from a compiled file): the field
    /// lookups, what findings cite, which automaton scans which field, and the candidate index.
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
        matcherNames = model.phraseLists.map(\.name) + model.hostLists.map(\.name) + Detector.allCases.map(\.name)
        hostSets = model.hostLists.map { ByteStringTable($0.hosts) }

        let tables = FieldTables(model)
        fieldIndex = tables.fieldIndex
        fieldHash = tables.fieldHash
        groupOfField = tables.groupOfField
        fieldKinds = tables.fieldKinds
        fieldIsList = tables.fieldIsList
        enumTables = tables.enumTables
        enumIndex = tables.enumIndex
        packCodes = tables.packCodes
        schoolField = tables.schoolField
        idField = tables.idField

        self.program = program
        ruleCode = codes
        rulePack = model.rules.map { Int32($0.pack) }
        ruleSupport = ProgramCompiler.ruleSupport(of: model.rules, in: program)
        ruleProximity = ProgramCompiler.ruleProximity(of: model.rules, in: program)

        automaton = built.plain
        patternEntries = built.plainEntries
        let routing = PhraseRouting(automata: built, program: program, model: model)
        keyOfListField = routing.keyOfListField
        scannedFields = routing.scannedFields
        plainFields = routing.plainFields
        normalizedAutomata = routing.normalizedAutomata

        let candidates = CandidateIndex(rules: model.rules, program: program)
        alwaysRules = candidates.alwaysRules
        rulesByKey = candidates.rulesByKey
    }

    /// The slot of a declared field, or nil.
    public func field(named name: String) -> Int? { fieldIndex[name] }

    /// Number of predicate instructions over all rules.
    public var instructionCount: Int { program.code.count }

    /// Approximate bytes of the compiled form (automaton and bytecode).
    public var memoryBytes: Int { automaton.memoryBytes + program.code.count * MemoryLayout<Instruction>.stride }
}
