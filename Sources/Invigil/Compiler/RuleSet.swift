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
    /// The rules, in source order (files in load order, rules in file order). For a rule set
    /// loaded from a compiled file, decoded on first use (scanning needs only their indices).
    public var rules: [RuleInfo] {
        if case .deferred(let d) = holding { return d.infos }
        return heldRules
    }
    /// The rules of a rule set compiled from sources (empty for a loaded one: see `rules`).
    private let heldRules: [RuleInfo]
    /// The number of rules, without decoding a loaded rule set's descriptions.
    var ruleCount: Int { rulePack.count }
    /// The packs, in load order.
    public let packs: [PackInfo]
    /// The declared fields, by slot.
    public let fields: [FieldInfo]
    /// The examples written in the rules, for `invigil test`. For a rule set loaded from a
    /// compiled file, read from the file's cold part on first use, which throws when the file
    /// has since been changed, removed or damaged (docs/compiled-format.md, "The cold part").
    public var examples: [RuleExample] {
        get throws(CompiledRulesError) { try model.examples }
    }
    /// Names of the phrase lists, host lists and detectors that findings cite, by pattern index.
    public let matcherNames: [String]
    package let automaton: Automaton

    let groups: [String]
    let fieldIndex: FieldNameIndex
    let fieldHash: ByteStringTable
    let groupOfField: [Int32]
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
    let ruleSupport: JaggedTable<Int32>
    /// Per rule, its positive proximity tests, whose matching pairs support a finding. Derived
    /// from `conditions` and the keys; nothing of its own to store.
    let ruleProximity: JaggedTable<ProximitySupport>
    let schedules: [Schedule]
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
    /// Their cue-free forms, built on first use (`cueFreeAutomata()`).
    let cueFree = OnceValue<[CueFreeAutomaton?]>()
    /// Their forms that read ASCII text under `spaced` where it lies, built on first use
    /// (`spacedTextAutomata()`).
    let spacedText = OnceValue<[SpacedTextAutomaton?]>()
    /// What every scanner derives from these rules alike, built on first use
    /// (`sharedScanTables()`).
    let scanTables = OnceValue<SharedScanTables>()
    /// Rules evaluated for every event, and rules evaluated only when one of their keys matched.
    let alwaysRules: [Int32]
    let rulesByKey: JaggedTable<Int32>
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

    let holding: ModelHolding

    /// The model, kept so that the rule set can be written to a compiled file. For a loaded rule
    /// set, its conditions and examples come from the file's cold part, which can fail.
    var model: Model {
        get throws(CompiledRulesError) {
            switch holding {
            case .held(let model, _): return model
            case .deferred(let d): return try d.model()
            }
        }
    }

    /// The model without its rules and examples (what a load reads at once).
    var schemaModel: Model {
        switch holding {
        case .held(let model, _): return model
        case .deferred(let d): return d.shell
        }
    }

    /// Each rule's condition, for the tree evaluator (`explain`). For a loaded rule set, call
    /// `loadExamplesAndConditions()` first to learn whether they can be read: after a failure
    /// this gives `false` conditions (never a trap), so `explain` (the command and
    /// `invigil_explain`) checks first.
    var conditions: [Condition] {
        switch holding {
        case .held(_, let conditions): return conditions
        case .deferred(let d): return d.conditions
        }
    }

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
        let tables = RuleTables(deriving: model)
        self.init(
            parts: Parts(model), tables: tables, automata: Automata(building: checked.phraseLists, for: tables.program),
            holding: .held(model, conditions: model.rules.map(\.condition)))
    }

    /// Assembles a rule set from the model's parts, the tables derived from its conditions
    /// (derived by a compile, or loaded and checked), and the phrase automata for the program's
    /// keys (built from the phrases, or loaded): what findings cite, the field lookups, and which
    /// automaton scans which field.
    init(parts: Parts, tables: RuleTables, automata built: Automata, holding: ModelHolding) {
        self.holding = holding
        heldRules = parts.rules
        packs = parts.schema.packs
        fields = parts.schema.fields
        groups = parts.schema.groups
        schedules = parts.schema.schedules
        phraseListCount = parts.schema.phraseLists.count
        // Closures, not key paths: a key path is projected through the runtime per element.
        matcherNames = parts.schema.phraseLists.map { $0.name } + parts.schema.hostLists.map { $0.name } + Detector.allCases.map { $0.name }
        hostSets = parts.schema.hostLists.map { ByteStringTable($0.hosts) }

        let fieldTables = FieldTables(
            fields: parts.schema.fields, groups: parts.schema.groups, packs: parts.schema.packs, names: parts.fieldNames)
        fieldIndex = fieldTables.fieldIndex
        fieldHash = fieldTables.fieldHash
        groupOfField = fieldTables.groupOfField
        fieldKinds = fieldTables.fieldKinds
        fieldIsList = fieldTables.fieldIsList
        enumTables = fieldTables.enumTables
        packCodes = fieldTables.packCodes
        schoolField = fieldTables.schoolField
        idField = fieldTables.idField

        program = tables.program
        ruleCode = tables.codes
        rulePack = parts.rulePacks
        ruleSupport = tables.support
        ruleProximity = tables.proximity
        alwaysRules = tables.alwaysRules
        rulesByKey = tables.rulesByKey

        automaton = built.plain
        patternEntries = built.plainEntries
        let routing = PhraseRouting(
            automata: built, program: tables.program, phraseLists: parts.schema.phraseLists, fieldCount: parts.schema.fields.count)
        keyOfListField = routing.keyOfListField
        scannedFields = routing.scannedFields
        plainFields = routing.plainFields
        normalizedAutomata = routing.normalizedAutomata
    }

    /// The tables derived from the conditions, as a compiled file stores them.
    var tables: RuleTables {
        RuleTables(
            program: program, codes: ruleCode, support: ruleSupport, proximity: ruleProximity, alwaysRules: alwaysRules,
            rulesByKey: rulesByKey)
    }

    /// The slot of a declared field, or nil.
    public func field(named name: String) -> Int? { fieldIndex[name] }

    /// Number of predicate instructions over all rules.
    public var instructionCount: Int { program.code.count }

    /// Approximate bytes of the compiled form (automaton and bytecode).
    public var memoryBytes: Int { automaton.memoryBytes + program.code.count * MemoryLayout<Instruction>.stride }
}
