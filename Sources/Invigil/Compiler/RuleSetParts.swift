extension RuleSet {
    /// Where the model is: whole, for a rule set compiled from sources; for one loaded from a
    /// compiled file, the conditions and examples are decoded on first use (`DeferredModel`),
    /// since only `explain`, `test`, `inspect` and the writer read them.
    enum ModelHolding {
        case held(Model, conditions: [Condition])
        case deferred(DeferredModel)
    }

    /// What the scanner needs of the model: everything but the conditions, the examples and the
    /// source names. A compiled file's loader decodes these eagerly.
    struct Parts {
        /// The model's schema, packs, lists and schedules; its rules and examples are not read.
        var schema: Model
        /// The rules' descriptions; empty for a loaded rule set, which decodes them on first use.
        var rules: [RuleInfo]
        /// Per rule, the index of its pack.
        var rulePacks: [Int32]
        /// The fields' names as a byte-string table, when the loader has built it already (to
        /// check that they are unique); else the rule set builds it.
        var fieldNames: ByteStringTable? = nil

        /// The parts of a whole model.
        init(_ model: Model) {
            self.init(schema: model, rules: model.rules.map(\.info), rulePacks: model.rules.map { Int32($0.pack) })
        }

        init(schema: Model, rules: [RuleInfo], rulePacks: [Int32]) {
            self.schema = schema
            self.rules = rules
            self.rulePacks = rulePacks
        }
    }
}
