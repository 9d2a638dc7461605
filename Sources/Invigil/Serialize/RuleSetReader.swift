/// Loads a compiled file: checks the header and the payload's checksum, walks the sections,
/// reads and checks the model and the stored program (`ProgramCoding`, `ProgramChecks`), and
/// takes the automata's tables in place from the loaded bytes. The cold part (conditions and
/// examples) is neither read nor checked: `DeferredModel` does that on first use, and the
/// rules' descriptions are checked but built only on first use; only small lookup tables
/// (fields, routing) are derived again.
enum RuleSetReader {
    /// `storage` holds the file from its start: all of it (a load from memory), or its header
    /// and payload (a load from the file at `path`, whose cold part is read again on first use).
    static func read(_ storage: CompiledStorage, path: String? = nil) throws(CompiledRulesError) -> RuleSet {
        let bytes = storage.bytes
        let header = try CompiledRulesHeader(bytes, fileLength: storage.fileLength)
        try header.verifyPayload(bytes, computed: storage.payloadChecksum)
        let payload = UnsafeRawBufferPointer(rebasing: bytes[CompiledFormat.headerLength..<header.coldOffset])

        // The sections, in any order; each known one exactly once (normalised automata: any number).
        var found: [CompiledFormat.Section: [Range<Int>]] = [:]
        var walker = ByteReader(payload, context: "section table")
        while !walker.isAtEnd {
            let (id, flags, bytes) = try walker.nextSection(in: "payload")
            if let section = CompiledFormat.Section(rawValue: id) {
                guard !section.isCold else { throw walker.corrupted("the \(section.name) section belongs in the cold part") }
                found[section, default: []].append(bytes)
            } else if flags & CompiledFormat.requiredFlag != 0 {
                throw ByteReader.unknownRequiredSection(id)
            }
        }
        func reader(_ s: CompiledFormat.Section) throws(CompiledRulesError) -> ByteReader {
            guard let ranges = found[s], ranges.count == 1 else {
                throw CompiledRulesError(
                    .corrupted, "corrupted compiled rule file: the \(s.name) section is \(found[s] == nil ? "missing" : "repeated")")
            }
            let r = ranges[0]
            return ByteReader(UnsafeRawBufferPointer(rebasing: payload[0..<r.upperBound]), from: r.lowerBound, context: s.name + " section")
        }
        func finish(_ r: ByteReader) throws(CompiledRulesError) {
            if !r.isAtEnd { throw r.corrupted("\(r.remaining) unread bytes") }
        }

        var r = try reader(.sources)
        let (sources, files) = try ModelCoding.readSources(&r)
        try finish(r)
        r = try reader(.schema)
        let (groups, fields, fieldNames) = try ModelCoding.readSchema(&r)
        try finish(r)
        r = try reader(.packs)
        let packs = try ModelCoding.readPacks(&r)
        try finish(r)
        r = try reader(.phraseLists)
        let phraseLists = try ModelCoding.readPhraseLists(&r)
        try finish(r)
        r = try reader(.hostLists)
        let hostLists = try ModelCoding.readHostLists(&r)
        try finish(r)
        r = try reader(.schedules)
        let schedules = try ModelCoding.readSchedules(&r)
        try finish(r)
        let scope = ConditionCoding.Scope(
            fields: fields, groupCount: groups.count, phraseListCount: phraseLists.count,
            hostListCount: hostLists.count, scheduleCount: schedules.count)
        r = try reader(.program)
        let ruleCount = try Self.ruleCount(try reader(.rules))
        let tables = try ProgramCoding.read(&r, ruleCount: ruleCount, scope: scope)
        try finish(r)
        try ProgramChecks.check(tables, ProgramChecks.Context(fields: fields, groupCount: groups.count, scheduleCount: schedules.count))
        r = try reader(.rules)
        let rules = try ModelCoding.checkRules(&r, packs: packs, files: files)
        let rulesEnd = r.offset
        try finish(r)
        guard phraseLists.count <= Int(Int32.max) / max(1, fields.count) else {
            throw CompiledRulesError(.corrupted, "corrupted compiled rule file: \(phraseLists.count) phrase lists × \(fields.count) fields")
        }
        let program = tables.program
        let shell = RuleSet.Model(
            fields: fields, groups: groups, packs: packs, phraseLists: phraseLists, hostLists: hostLists,
            schedules: schedules, rules: [], examples: [], sources: sources)
        // The cold part: from the file again by its path, or from the copy of the whole file.
        let cold: ColdSource
        if let path, storage.count < header.fileLength {
            cold = .file(path: ColdSource.absolute(path), header: Array(bytes[0..<CompiledFormat.headerLength]))
        } else {
            cold = .memory(storage)
        }
        let deferred = DeferredModel(
            storage: storage, payload: payload, shell: shell, rules: rules, rulesEnd: rulesEnd, files: files, scope: scope,
            programKeys: program.keys, header: header, cold: cold)

        r = try reader(.automaton)
        let (plain, plainEntries) = try AutomatonCoding.read(&r, storage: storage, lists: phraseLists, mode: NormalizeMode())
        try finish(r)
        var normalized: [(mode: NormalizeMode, automaton: Automaton, entries: PatternEntries)] = []
        for range in found[.normalizedAutomaton] ?? [] {
            var r = ByteReader(
                UnsafeRawBufferPointer(rebasing: payload[0..<range.upperBound]), from: range.lowerBound,
                context: CompiledFormat.Section.normalizedAutomaton.name + " section")
            let raw = try r.u8("normalisation modes")
            guard raw != 0, raw & ~ModelCoding.knownModes == 0 else { throw r.corrupted("normalisation modes \(raw)") }
            let mode = NormalizeMode(rawValue: raw)
            guard !normalized.contains(where: { $0.mode == mode }) else { throw r.corrupted("two automata for modes \(raw)") }
            // The automaton's tables start 8-aligned: the mode byte is followed by its header.
            let (a, e) = try AutomatonCoding.read(&r, storage: storage, lists: phraseLists, mode: mode)
            try finish(r)
            normalized.append((mode, a, e))
        }
        normalized.sort { $0.mode.rawValue < $1.mode.rawValue }
        // Every normalisation a rule tests has its automaton (else its phrases would never match).
        for key in program.keys {
            if case .phrases(let l) = key.matcher, !phraseLists[l].normalize.isEmpty,
                !normalized.contains(where: { $0.mode == phraseLists[l].normalize })
            {
                throw CompiledRulesError(.corrupted, "corrupted compiled rule file: no automaton for list '\(phraseLists[l].name)'")
            }
        }
        let automata = RuleSet.Automata(plain: plain, plainEntries: plainEntries, normalized: normalized)
        var parts = RuleSet.Parts(schema: shell, rules: [], rulePacks: rules.packs)
        parts.fieldNames = fieldNames
        return RuleSet(parts: parts, tables: tables, automata: automata, holding: .deferred(deferred))
    }

    /// The number of rules, which the program section's tables are sized by (the rules section
    /// itself is read after the program, whose keys its conditions are checked against).
    private static func ruleCount(_ rules: ByteReader) throws(CompiledRulesError) -> Int {
        var r = rules
        return try r.count("rules", minimumBytes: 30)
    }
}
