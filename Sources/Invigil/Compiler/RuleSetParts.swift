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
        var fields: [FieldInfo]
        var groups: [String]
        var packs: [PackInfo]
        var phraseLists: [PhraseListInfo]
        var hostLists: [HostList]
        var schedules: [Schedule]
        var rules: [RuleInfo]
        /// Per rule, the index of its pack.
        var rulePacks: [Int32]

        init(
            fields: [FieldInfo], groups: [String], packs: [PackInfo], phraseLists: [PhraseListInfo], hostLists: [HostList],
            schedules: [Schedule], rules: [RuleInfo], rulePacks: [Int32]
        ) {
            self.fields = fields
            self.groups = groups
            self.packs = packs
            self.phraseLists = phraseLists
            self.hostLists = hostLists
            self.schedules = schedules
            self.rules = rules
            self.rulePacks = rulePacks
        }

        init(_ model: Model) {
            self.init(
                fields: model.fields, groups: model.groups, packs: model.packs, phraseLists: model.phraseLists,
                hostLists: model.hostLists, schedules: model.schedules, rules: model.rules.map(\.info),
                rulePacks: model.rules.map { Int32($0.pack) })
        }
    }
}
