#if canImport(Glibc)
import Glibc
#endif

/// Why a field could not be set.
public enum FieldError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The rule set's schema does not declare this field.
    case unknownField(String)
    /// The value does not fit the field's declared type.
    case wrongType(field: String, expected: String, got: String)
    /// The value is not valid UTF-8.
    case invalidUTF8(field: String)
    /// The event holds more values than `Limits.eventValues`, or more bytes than `Limits.eventBytes`.
    case tooLarge(field: String)

    /// The message shown for the error (`unknown field 'x'`).
    public var description: String {
        switch self {
        case .unknownField(let f): return "unknown field '\(f)'"
        case .wrongType(let f, let e, let g): return "field '\(f)' is \(e), not \(g)"
        case .invalidUTF8(let f): return "field '\(f)' is not valid UTF-8"
        case .tooLarge(let f): return "event is too large at field '\(f)'"
        }
    }
}

/// One rule that an event breaks.
public struct Finding: Sendable {
    /// Index into `RuleSet.rules`.
    public var rule: Int
    /// Range into `Scanner.matches` of the spans that support the finding (the stored ones: at
    /// most `Scanner.storedSpanLimit`).
    public var matches: Range<Int>
    /// The spans that support the finding, counted: at least `matches.count`. Exact unless a
    /// pass stopped early (`truncated` is then set and this is a lower bound).
    public var matchTotal: Int = 0
    /// Whether spans of the finding were not stored (the event had more than
    /// `Scanner.storedSpanLimit`) or not looked for (a pass stopped early once no rule could
    /// change its answer): `matches` is then a prefix of the supporting spans.
    public var truncated: Bool = false
}

/// A span of a field's value that a phrase list, host list or detector matched.
public struct MatchSpan: Sendable {
    /// Field slot (`RuleSet.fields`).
    public var field: Int
    /// Which value of the field, for list fields (0 for single values).
    public var valueIndex: Int
    /// Byte offsets into the value as it was given.
    public var start: Int
    /// Byte offset just past the match in the value.
    public var end: Int
    /// Index into `RuleSet.matcherNames`.
    public var pattern: Int
}

struct EventValue {
    var element: Int32
    var a: Int64
    var b: Int64
}

struct Span {
    var key: Int32
    var field: Int32
    var value: Int32
    var start: Int32
    var end: Int32
}

/// Per-thread working state: the current event's fields, scratch space, and its findings.
/// Reuse one scanner for many events; it does not allocate per event once warm. Not thread-safe:
/// give each thread its own, all sharing one ``RuleSet``.
public final class Scanner {
    // Exclusivity: every access to a `var` property of a class is a run-time exclusivity check
    // (`swift_beginAccess`) unless it is turned off; on the scanner's working state they cost a
    // quarter of the end-to-end scan speed (docs/performance.md). The package cannot turn them
    // off module-wide (`-enforce-exclusivity=unchecked` is an unsafe flag, which SwiftPM refuses
    // in a dependency), so `@exclusivity(unchecked)` turns them off for these properties only. A
    // scanner has one owner (one thread) and its methods never overlap two accesses to one of
    // them (the test suite ran clean with the checks on); the compile-time checks still apply.

    /// The rule set the scanner evaluates (shared, immutable).
    public let rules: RuleSet
    /// The event's fields' values (see `EventValues` for why not an array of arrays).
    let values: EventValues
    /// The bytes of the event's string and text values.
    @exclusivity(unchecked) var arena = ByteArena(capacity: 4096)
    @exclusivity(unchecked) var groupCounts: [Int32]
    @exclusivity(unchecked) var totalValues = 0
    @exclusivity(unchecked) var keyCount: [Int32]
    @exclusivity(unchecked) var keyStamp: [UInt32]
    @exclusivity(unchecked) var stamp: UInt32 = 0
    @exclusivity(unchecked) var spans: [Span] = []
    @exclusivity(unchecked) var hits: [AutomatonHit] = []
    /// One block's hits, for every automaton scan of this scanner.
    let blockHits = BlockHitBuffer()
    /// This event's candidate rules are the first `candidateCount` (`collectCandidates`); the
    /// array holds one entry per rule, so that filling it is a store per rule, not an append.
    @exclusivity(unchecked) var candidates: [Int32] = []
    @exclusivity(unchecked) var candidateCount = 0
    /// Phrase keys that matched in this event, so candidate selection visits only them.
    @exclusivity(unchecked) var touchedKeys: [Int32] = []
    /// The rules to look at, as bits (see `collectCandidates`).
    @exclusivity(unchecked) var candidateBits: [UInt64]
    @exclusivity(unchecked) var packAllowed: [Bool]
    /// The rules of the packs that judge the current event, as bits (`selectPacks`): what the
    /// passes needed and the candidates are narrowed to.
    @exclusivity(unchecked) var judgingRules: [UInt64]
    /// Per pack, when the school field is an enum: the value (its index among the enum's values)
    /// that names the pack's code; `Scanner.anySchool` for a pack without a code, which judges
    /// every event, and `Scanner.noSchool` when no value is the code. Read by `selectPacks`,
    /// which compared each pack's code with the event's value as strings, retaining both.
    let packSchoolValue: [Int64]
    static let anySchool: Int64 = -1
    static let noSchool = Int64.min
    @exclusivity(unchecked) var supportScratch: [Bool] = []
    /// Proximity scratch: the two keys' spans, sorted.
    @exclusivity(unchecked) var proximityEarlier: [Span] = []
    @exclusivity(unchecked) var proximityLater: [Span] = []
    /// The current event's findings, in rule order.
    @exclusivity(unchecked) public private(set) var findings: [Finding] = []
    /// The spans of all findings (see `Finding.matches`).
    @exclusivity(unchecked) public private(set) var matches: [MatchSpan] = []
    /// Normalised text and the original span of each of its bytes.
    @exclusivity(unchecked) var normalizedText: [UInt8] = []
    /// One value's normalised pass in progress (`runNormalizedAutomata`).
    @exclusivity(unchecked) var valuePass = NormalizedValuePass()
    @exclusivity(unchecked) var normalizedOrigin: [SIMD4<Int32>] = []
    /// The origins of hits in normalised text, made lazily; reused for every value.
    @exclusivity(unchecked) var originWindow = OriginWindow(mode: [])
    /// The origins of ASCII text under `spaced`, from the text (`SpacedASCIIOrigins`); and whether
    /// the passes use them (on by default; the tests compare both ways).
    @exclusivity(unchecked) var spacedOrigins = SpacedASCIIOrigins()
    @exclusivity(unchecked) package var findsOriginsInText = true
    /// Whether such text, when short enough, is scanned where it lies (`SpacedTextAutomaton`; on by
    /// default, the tests compare both ways). Needs `findsOriginsInText`.
    @exclusivity(unchecked) package var scansSpacedTextInPlace = true
    /// A time budget per `scan()` in nanoseconds (0: none). When it runs out, the scan stops
    /// between fields and between rules and sets `timedOut`; the findings so far are kept.
    @exclusivity(unchecked) public var timeBudgetNanoseconds: UInt64 = 0
    /// Whether the last scan stopped because its time budget ran out.
    @exclusivity(unchecked) public private(set) var timedOut = false
    @exclusivity(unchecked) var deadline: UInt64 = 0
    /// Per normalised automaton, the uncommon bytes one of which an ASCII text must hold for the
    /// pass to find anything (`Automaton.requiredUncommonBytes`), or nil.
    let passNeedles: [[UInt8]?]
    /// Per normalised automaton, what its pass reads (see `runNormalizedPasses`).
    let normalizedPlans: [NormalizedPassPlan]
    /// Cue lists' hits set aside during the current scan (see `DeferredHits`).
    @exclusivity(unchecked) var deferred = DeferredHits()
    /// Per key, whether its hits may be set aside; and whether any key's may.
    let deferrableKey: [Bool]
    let anyDeferrableKey: Bool
    /// Whether cue lists' hits are set aside (on by default; the tests compare both ways).
    @exclusivity(unchecked) package var defersCueHits = true
    /// Whether deferring passes run the cue-free automata (`CueFreeAutomaton`; on by default, the
    /// tests compare both ways).
    @exclusivity(unchecked) package var usesCueFreeAutomata = true
    /// JSON parsing scratch.
    @exclusivity(unchecked) var json = JSONEventReader()
    /// The last value of each enum field and its index, for `setString`.
    let recentEnums: RecentEnumValues
    /// The schema's field names by their dotted segments, for `setJSON`.
    let keyTree: EventKeyTree
    /// The keys of the last objects `setJSON` read, per node of `keyTree`, in order.
    let keyOrder: KeyOrderCache
    /// Whether `setJSON` checks keys against `keyOrder` first (on by default; the fuzz target
    /// compares both ways).
    @exclusivity(unchecked) package var remembersKeyOrder = true
    /// At most this many match spans are stored per event (docs/limits.md); the rest are counted,
    /// so that counts, thresholds and findings are those of an unbounded scan. Memory for spans
    /// is then bounded whatever the event holds: scratch spans (20 bytes each) plus, per
    /// finding, a subset of them (40 bytes each).
    public var storedSpanLimit: Int {
        get { spanLimit }
        set { spanLimit = min(max(0, newValue), Limits.storedSpansMaximum) }
    }
    /// `storedSpanLimit`, read for every match (see the note on exclusivity above).
    @exclusivity(unchecked) var spanLimit: Int = Limits.storedSpans
    /// Per key, the stamp of the last scan in which a span of it was not stored.
    @exclusivity(unchecked) var keyTruncatedStamp: [UInt32]
    /// Per key, the count from which every comparison of the rules on it has its final answer.
    let keySaturation: [Int64]
    /// Per field, the phrase keys on it (those the automaton passes count).
    let phraseKeysOfField: [[Int32]]
    /// The rule set's tables that the automaton passes read for every hit, held by the scanner:
    /// a read of a `let` property of the scanner needs no retain, whereas copying them out of
    /// the rule set in each scan cost a retain and a release per array, per event (a tenth of the
    /// time of a C ABI call on a 200-byte event).
    let plainAutomaton: Automaton
    let plainEntries: PatternEntries
    let keyOfListField: [Int32]
    /// The same for what setting fields and running the rules' programs read per event.
    let program: Program
    let fieldKinds: [FieldKind]
    let fieldIsList: [Bool]
    let groupOfField: [Int32]
    let fieldHash: ByteStringTable
    /// Per field its enum values, per host list its hosts (see `StringTables`).
    let enumLookup: StringTables
    let hostLookup: StringTables
    let rulesByKey: JaggedTable<Int32>
    let ruleCode: [Range<Int>]
    let rulePack: [Int32]
    /// The field tests that open the rules' programs (see `RuleGuards`).
    let ruleGuards: RuleGuards
    /// Whether guards are checked: when enough rules have them (`RuleGuards.worthChecking`) to
    /// pay for the per-event bit sets; the tests set it either way.
    @exclusivity(unchecked) package var checksGuards: Bool
    /// Whether some field that guards test is unsure, and the rules whose guards reject them
    /// (see `rejectGuardedRules`).
    @exclusivity(unchecked) var guardFieldsUnsure = false
    @exclusivity(unchecked) var guardRejected: [UInt64]
    /// The rules no phrase selects, as bits.
    let alwaysRuleBits: [UInt64]
    /// Which rules read each automaton pass's keys (see `PassDemand`); per event, the rules that
    /// can fire, and whether each pass is needed.
    let passDemand: PassDemand
    @exclusivity(unchecked) var liveRules: [UInt64]
    @exclusivity(unchecked) var passNeeded: [Bool]
    /// Whether the last scan skipped some pass (`passNeeded` holds a false).
    @exclusivity(unchecked) var passesSkipped = false
    /// Whether `passNeeded` was set from `liveRules` by `markNeededPasses` (and not since reset
    /// to all true), so that the same live rules need no new marking.
    @exclusivity(unchecked) var passesMarked = false
    /// Whether passes that no rule able to fire needs are skipped (on by default; explanations
    /// and the tests' tree evaluation scan again without, `scanFullyIfPassesWereSkipped`).
    @exclusivity(unchecked) package var skipsUnneededPasses = true
    /// The slots of the fields a finding's context names (`context()`).
    let contextSlots: ContextSlots
    /// Checked between fields, windows and rules: returns true to stop the scan (the C
    /// interface's `invigil_scan_interrupt`). Called from the scanning thread only.
    @exclusivity(unchecked) public var interruptCheck: (() -> Bool)?
    /// Whether the last scan stopped because `interruptCheck` asked it to.
    @exclusivity(unchecked) public private(set) var interrupted = false
    /// Whether an automaton pass of the last scan stopped before the end of a value because
    /// every rule's answer was settled and no more spans could be stored.
    @exclusivity(unchecked) public internal(set) var stoppedEarly = false

    /// A scanner for `rules`, with an empty event.
    public init(rules: RuleSet) {
        self.rules = rules
        values = EventValues(fieldCount: rules.fields.count)
        groupCounts = [Int32](repeating: 0, count: rules.groups.count)
        keyCount = [Int32](repeating: 0, count: rules.program.keys.count)
        keyStamp = [UInt32](repeating: 0, count: rules.program.keys.count)
        candidateBits = [UInt64](repeating: 0, count: (rules.ruleCount + 63) / 64)
        candidates = [Int32](repeating: 0, count: (rules.ruleCount + 63) / 64 * 64)
        packAllowed = [Bool](repeating: true, count: rules.packs.count)
        packSchoolValue = Scanner.schoolValues(of: rules)
        supportScratch = [Bool](repeating: false, count: rules.program.keys.count)
        keyTruncatedStamp = [UInt32](repeating: 0, count: rules.program.keys.count)
        keySaturation = Scanner.saturation(of: rules)
        var byField = [[Int32]](repeating: [], count: rules.fields.count)
        for (k, key) in rules.program.keys.enumerated() {
            if case .phrases = key.matcher, key.field >= 0, key.field < byField.count { byField[key.field].append(Int32(k)) }
        }
        phraseKeysOfField = byField
        plainAutomaton = rules.automaton
        plainEntries = rules.patternEntries
        keyOfListField = rules.keyOfListField
        program = rules.program
        fieldKinds = rules.fieldKinds
        fieldIsList = rules.fieldIsList
        groupOfField = rules.groupOfField
        fieldHash = rules.fieldHash
        enumLookup = StringTables(rules.enumTables)
        hostLookup = StringTables(rules.hostSets)
        rulesByKey = rules.rulesByKey
        ruleCode = rules.ruleCode
        rulePack = rules.rulePack
        let shared = rules.sharedScanTables()
        ruleGuards = shared.ruleGuards
        checksGuards = ruleGuards.worthChecking
        guardRejected = [UInt64](repeating: 0, count: ruleGuards.ruleWords)
        var always = [UInt64](repeating: 0, count: ruleGuards.ruleWords)
        for r in rules.alwaysRules where r >= 0 && Int(r) < rules.ruleCount { always[Int(r) >> 6] |= 1 << UInt64(r & 63) }
        alwaysRuleBits = always
        passDemand = shared.passDemand
        liveRules = [UInt64](repeating: 0, count: passDemand.ruleWords)
        judgingRules = [UInt64](repeating: 0, count: passDemand.ruleWords)
        passNeeded = [Bool](repeating: true, count: passDemand.passCount)
        passNeedles = shared.passNeedles
        let cueFree = rules.cueFreeAutomata()
        let spacedText = rules.spacedTextAutomata()
        normalizedPlans = rules.normalizedAutomata.indices.map {
            NormalizedPassPlan(rules.normalizedAutomata[$0], cueFree: cueFree[$0], spacedText: spacedText[$0])
        }
        deferrableKey = DeferredHits.deferrableKeys(of: rules)
        contextSlots = ContextSlots(rules: rules)
        recentEnums = RecentEnumValues(slotCount: rules.fields.count)
        keyTree = EventKeyTree(fieldNames: rules.fields.map(\.name), groupNames: rules.groups)
        keyOrder = KeyOrderCache()
        anyDeferrableKey = deferrableKey.contains(true)
    }

    deinit {
        for plan in normalizedPlans { plan.fields.deallocate() }
    }

    /// Forgets the event's fields and its findings.
    public func reset() {
        values.removeAllFields()
        groupCounts.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        arena.removeAll()
        totalValues = 0
        findings.removeAllKeepingCapacity()
        matches.removeAllKeepingCapacity()
        spans.removeAllKeepingCapacity()
        deferred.clear()
    }

    // MARK: Setting fields

    /// The slot of a field by name, for the fast setters.
    package func slot(of field: String) -> Int? { rules.fieldIndex[field] }

    func slot(of name: UnsafeBufferPointer<UInt8>) -> Int? { fieldHash.find(name) }

    /// Sets a field from its textual form: strings, text, enum values, times (ISO 8601). For a
    /// list field, `append` adds an element; otherwise the value replaces what was there.
    public func setString(_ field: String, _ value: String, append: Bool = false) throws(FieldError) {
        guard let slot = rules.fieldIndex[field] else { throw .unknownField(field) }
        var v = value
        let result: Result<Void, FieldError> = v.withUTF8 { buffer in
            Result { () throws(FieldError) in try setString(slot: slot, buffer, append: append, element: nil) }
        }
        try result.get()
    }

    /// Appends to a list field.
    public func addString(_ field: String, _ value: String) throws(FieldError) {
        try setString(field, value, append: true)
    }

    /// Sets a `bool` field; for a list field, `append` adds an element.
    public func setBool(_ field: String, _ value: Bool, append: Bool = false) throws(FieldError) {
        guard let slot = rules.fieldIndex[field] else { throw .unknownField(field) }
        try setBool(slot: slot, value, append: append, element: nil)
    }

    /// Sets an `int` field, or a `time` field in seconds since 1970 (UTC); for a list field, `append` adds an element.
    public func setInt(_ field: String, _ value: Int64, append: Bool = false) throws(FieldError) {
        guard let slot = rules.fieldIndex[field] else { throw .unknownField(field) }
        try setInt(slot: slot, value, append: append, element: nil)
    }

    @inline(__always)
    private func store(
        _ slot: Int, _ value: EventValue, append: Bool, element: Int32?,
        replace: Bool = false
    ) throws(FieldError) {
        // With `replace`, an element set again replaces its value (the C interface's
        // invigil_set_element_*: "element" is an object's index). Without it an element may hold
        // several values of a field (a JSON list inside an object of a list).
        if replace && fieldIsList[slot] && append, let e = element, let i = valueIndex(slot, ofElement: e) {
            var v = value
            v.element = e
            values[slot, i] = v
            return
        }
        totalValues += 1
        if totalValues > Limits.eventValues { throw tooLarge(slot: slot) }
        var v = value
        if fieldIsList[slot] && append {
            v.element = element ?? Int32(values.count(slot))
        } else {
            values.removeAll(slot)
            v.element = element ?? 0
        }
        values.append(slot, v)
        let g = groupOfField[slot]
        if g >= 0, v.element + 1 > groupCounts[Int(g)] { groupCounts[Int(g)] = v.element + 1 }
    }

    /// Sets a field from UTF-8 bytes. `element` places the value in a list-of-objects group.
    /// `validated`: the caller has checked that `bytes` are UTF-8 (a JSON string without escapes,
    /// in an event checked whole).
    @inline(__always)
    package func setString(
        slot: Int, _ bytes: UnsafeBufferPointer<UInt8>, append: Bool, element: Int32?,
        replace: Bool = false, validated: Bool = false
    ) throws(FieldError) {
        switch fieldKinds[slot] {
        case .string, .text:
            // The size first: a length beyond the limits is refused before any byte is read.
            if bytes.count > Limits.eventBytes || arena.count + bytes.count > Limits.eventBytes { throw tooLarge(slot: slot) }
            if !validated && !validUTF8(bytes) { throw notUTF8(slot: slot) }
            let offset = arena.count
            arena.append(bytes)
            try store(slot, EventValue(element: 0, a: Int64(offset), b: Int64(bytes.count)), append: append, element: element, replace: replace)
        case .enumeration:
            let index: Int32
            if let recent = recentEnums.index(of: bytes, slot: slot) {
                index = recent
            } else {
                index = Int32(enumLookup.find(bytes, in: slot) ?? -1)
                if index >= 0 { recentEnums.remember(bytes, index: index, slot: slot) }
            }
            if index < 0 { throw notAnEnumValue(slot: slot, bytes) }
            try store(slot, EventValue(element: 0, a: Int64(index), b: 0), append: append, element: element, replace: replace)
        case .time:
            guard let t = CivilTime.parseISO8601(bytes) else { throw notATime(slot: slot, bytes) }
            // The text as given is kept beside the instant for findings' context (`b`: its arena
            // offset times 128 plus its length; 0 when not kept).
            var given: Int64 = 0
            if bytes.count < 128, arena.count + bytes.count <= Limits.eventBytes {
                given = Int64(arena.count) << 7 | Int64(bytes.count)
                arena.append(bytes)
            }
            try store(slot, EventValue(element: 0, a: t, b: given), append: append, element: element, replace: replace)
        case .bool, .int:
            throw wrongType(slot: slot, got: "a string")
        }
    }

    // The errors of setting a field, built out of line: inlined into the JSON reader's value
    // path, their strings' code cost that path about six instructions a value (2.2 M on the
    // benchmark slice's 355,000 values, with the errors of `readValue`).

    @inline(never) private func tooLarge(slot: Int) -> FieldError { .tooLarge(field: rules.fields[slot].name) }

    @inline(never) private func notUTF8(slot: Int) -> FieldError { .invalidUTF8(field: rules.fields[slot].name) }

    @inline(never) private func wrongType(slot: Int, got: String) -> FieldError {
        .wrongType(field: rules.fields[slot].name, expected: rules.fields[slot].typeDescription, got: got)
    }

    @inline(never) private func notAnEnumValue(slot: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> FieldError {
        if !validUTF8(bytes) { return notUTF8(slot: slot) }
        let shown = String(decoding: bytes.prefix(40), as: UTF8.self)
        let names = rules.fields[slot].enumValues
        return .wrongType(field: rules.fields[slot].name, expected: "one of \(names.joined(separator: ", "))", got: "'\(shown)'")
    }

    @inline(never) private func notATime(slot: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> FieldError {
        .wrongType(field: rules.fields[slot].name, expected: "a time (ISO 8601)", got: "'\(String(decoding: bytes.prefix(40), as: UTF8.self))'")
    }

    package func setBool(slot: Int, _ value: Bool, append: Bool, element: Int32?, replace: Bool = false) throws(FieldError) {
        guard fieldKinds[slot] == .bool else { throw wrongType(slot: slot, got: "a bool") }
        try store(slot, EventValue(element: 0, a: value ? 1 : 0, b: 0), append: append, element: element, replace: replace)
    }

    package func setInt(slot: Int, _ value: Int64, append: Bool, element: Int32?, replace: Bool = false) throws(FieldError) {
        guard fieldKinds[slot] == .int || fieldKinds[slot] == .time else { throw wrongType(slot: slot, got: "an int") }
        try store(slot, EventValue(element: 0, a: value, b: 0), append: append, element: element, replace: replace)
    }

    /// The value index of the value a list field holds for group element `e`, if any: O(1) when
    /// `e` is above every element set so far (elements set in increasing order), else a search.
    private func valueIndex(_ slot: Int, ofElement e: Int32) -> Int? {
        guard let last = values.last(slot), e <= values.maxElement(slot) else { return nil }
        if last.element == e { return values.count(slot) - 1 }
        return values.of(slot).lastIndex { $0.element == e }
    }

    /// Marks a group element as present without setting any of its fields (an empty object in a
    /// JSON list), so that `any` sees it.
    func touch(group: Int, element: Int32) {
        if element + 1 > groupCounts[group] { groupCounts[group] = element + 1 }
    }

    // MARK: Reading the event back

    /// Where a string or text value lies in the arena, or nil for an out-of-range field or value,
    /// or a field of another kind: what every reader of a value's bytes checks first.
    @inline(__always) func stringRange(field: Int, valueIndex: Int) -> Range<Int>? {
        guard field >= 0, field < values.fieldCount, valueIndex >= 0, valueIndex < values.count(field),
            rules.fields[field].kind == .string || rules.fields[field].kind == .text
        else { return nil }
        let v = values[field, valueIndex]
        guard v.b >= 0 else { return nil }
        return Int(v.a)..<Int(v.a + v.b)
    }

    /// The bytes of a string value.
    public func bytes(field: Int, valueIndex: Int) -> ArraySlice<UInt8> {
        guard let range = stringRange(field: field, valueIndex: valueIndex) else { return [] }
        return ArraySlice(arena[range])
    }

    /// The matched text of a span.
    public func excerpt(_ m: MatchSpan) -> String {
        withExcerptBytes(m) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 bytes of `excerpt(m)`, without making a `String` when the
    /// span holds valid UTF-8 (nearly always): the finding writers copy them straight out. The
    /// bytes are read where they lie in the arena, not copied out of it first.
    public func withExcerptBytes<R>(_ m: MatchSpan, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard let value = stringRange(field: m.field, valueIndex: m.valueIndex), m.start >= 0, m.end <= value.count, m.start <= m.end
        else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return arena.withUnsafeBufferPointer { all in
            let part = UnsafeBufferPointer(rebasing: all[(value.lowerBound + m.start)..<(value.lowerBound + m.end)])
            if validUTF8(part) { return body(part) }
            // As `excerpt` gives it: invalid sequences replaced.
            var repaired = String(decoding: part, as: UTF8.self)
            return repaired.withUTF8(body)
        }
    }

    /// The event's `id`, if the schema declares it and the event has one.
    public var eventID: String? {
        guard let f = rules.idField, !values.isEmpty(f) else { return nil }
        guard let range = stringRange(field: f, valueIndex: 0) else { return "" }
        return String(decoding: arena[range], as: UTF8.self)
    }

    /// The text a time value was given as, when it was set from text.
    func givenTimeText(_ v: EventValue) -> String? {
        guard v.b > 0 else { return nil }
        let offset = Int(v.b >> 7), count = Int(v.b & 127)
        guard count > 0, offset + count <= arena.count else { return nil }
        return String(decoding: arena[offset..<(offset + count)], as: UTF8.self)
    }

    /// Number of values a field holds.
    public func valueCount(field: Int) -> Int { values.count(field) }

    // MARK: Scanning

    /// Evaluates every rule against the current event. Returns the number of findings, which
    /// are then in `findings` (and stay until the next scan or reset).
    @discardableResult
    public func scan() -> Int {
        findings.removeAllKeepingCapacity()
        matches.removeAllKeepingCapacity()
        spans.removeAllKeepingCapacity()
        stamp &+= 1
        if stamp == 0 {
            for i in keyStamp.indices { keyStamp[i] = 0 }
            for i in keyTruncatedStamp.indices { keyTruncatedStamp[i] = 0 }
            stamp = 1
        }
        touchedKeys.removeAllKeepingCapacity()
        deferred.clear()
        timedOut = false
        interrupted = false
        stoppedEarly = false
        deadline = timeBudgetNanoseconds == 0 ? 0 : monotonicNanoseconds() &+ timeBudgetNanoseconds
        selectPacks()
        if checksGuards {
            rejectGuardedRules()
        } else {
            for w in guardRejected.indices { guardRejected[w] = 0 }
        }
        // With one pack and no guards checked every rule can fire: every pass is needed.
        if skipsUnneededPasses && (packAllowed.count > 1 || checksGuards) {
            markNeededPasses()
        } else if passesSkipped || passesMarked {
            for p in passNeeded.indices { passNeeded[p] = true }
            passesSkipped = false
            passesMarked = false
        }
        runAutomaton()
        if !normalizedPlans.isEmpty && !outOfTime() { runNormalizedAutomata() }
        collectCandidates()
        // The interrupt check costs a call: between rules it is made every 16th rule (the time
        // budget, when set, is checked before every rule as before).
        var evaluated = 0
        for r in candidates[..<candidateCount] {
            if (deadline != 0 || evaluated & 15 == 0) && outOfTime() { break }
            evaluated &+= 1
            if evaluateAfterGuards(Int(r)) { addFinding(Int(r)) }
        }
        return findings.count
    }

    /// Whether the scan must stop: its time budget ran out or it was interrupted. Once true, stays
    /// true for the rest of the scan.
    @inline(__always) func outOfTime() -> Bool {
        if timedOut || interrupted { return true }
        if let check = interruptCheck, check() {
            interrupted = true
            return true
        }
        if deadline == 0 { return false }
        if monotonicNanoseconds() >= deadline { timedOut = true }
        return timedOut
    }

    /// `packSchoolValue` of a rule set (empty unless its school field is an enum).
    static func schoolValues(of rules: RuleSet) -> [Int64] {
        guard let f = rules.schoolField, rules.fields[f].kind == .enumeration else { return [] }
        let values = rules.fields[f].enumValues
        return rules.packs.indices.map { i in
            guard rules.packCodes[i] != nil else { return anySchool }
            guard let code = rules.packs[i].code else { return noSchool }
            return values.firstIndex(of: code).map { Int64($0) } ?? noSchool
        }
    }

    /// Decides which packs judge the event (`packAllowed`) and sets their rules' bits
    /// (`judgingRules`).
    private func selectPacks() {
        decideJudgingPacks()
        let words = passDemand.ruleWords
        passDemand.packRules.withUnsafeBufferPointer { packRules in
            judgingRules.withUnsafeMutableBufferPointer { judging in
                for w in 0..<words {
                    var bits: UInt64 = 0
                    for p in packAllowed.indices where packAllowed[p] { bits |= packRules[p &* words &+ w] }
                    judging[w] = bits
                }
            }
        }
    }

    private func decideJudgingPacks() {
        guard let f = rules.schoolField, let v = values.first(f) else {
            for i in packAllowed.indices { packAllowed[i] = true }
            return
        }
        if fieldKinds[f] == .enumeration {
            for i in packAllowed.indices {
                let value = packSchoolValue[i]
                packAllowed[i] = value == Scanner.anySchool || (v.a >= 0 && value == v.a)
            }
            return
        }
        for i in packAllowed.indices {
            guard let code = rules.packCodes[i] else { packAllowed[i] = true; continue }
            packAllowed[i] =
                v.b == Int64(code.count)
                && arena.withUnsafeBufferPointer { a in
                    var equal = true
                    for k in 0..<code.count where a[Int(v.a) + k] != code[k] { equal = false; break }
                    return equal
                }
        }
    }

    private func runAutomaton() {
        let fieldCount = rules.fields.count
        for (pass, f32) in rules.plainFields.enumerated() where passNeeded[pass] {
            let f = Int(f32)
            for vi in 0..<values.count(f) {
                let v = values[f, vi]
                guard v.b > 0 else { continue }
                if outOfTime() { return }
                let start = Int(v.a), length = Int(v.b)
                arena.withUnsafeBufferPointer { all in
                    let text = UnsafeBufferPointer(rebasing: all[start..<(start + length)])
                    plainAutomaton.scan(text, into: &hits, blockHits: blockHits) { hits in
                        for hit in hits {
                            let end = Int(hit.end)
                            for k in plainAutomaton.outputs(of: hit.state) {
                                let p = Int(plainAutomaton.outputs[k])
                                let begin = end - Int(plainAutomaton.patternLengths[p])
                                // Never for a built automaton; a loaded one is checked, but not that
                                // its states' depths bound their patterns' lengths.
                                if begin < 0 { continue }
                                for e in plainEntries.entries(of: p) {
                                    let key = keyOfListField[Int(plainEntries.list[e]) * fieldCount + f]
                                    if key < 0 { continue }
                                    let flags = plainEntries.flags[e]
                                    if flags & PatternEntries.wholeWord != 0 {
                                        if Detectors.isWordBefore(text, begin) { continue }
                                        if Detectors.isWordAt(text, end) { continue }
                                    }
                                    if flags & PatternEntries.caseSensitive != 0, !plainEntries.original(e).elementsEqual(text[begin..<end]) {
                                        continue
                                    }
                                    freshen(Int(key))
                                    record(Int(key), f, vi, begin, end)
                                }
                            }
                        }
                        return continueOrSettle(field: f)
                    }
                }
            }
        }
    }

    @inline(__always) func freshen(_ key: Int) {
        if keyStamp[key] != stamp {
            keyStamp[key] = stamp
            keyCount[key] = 0
            touchedKeys.append(Int32(key))
        }
    }

    /// The rules to evaluate, in rule order: those with no phrase requirement and those indexed
    /// under a phrase key that matched, less those whose guards reject them (`RuleGuards`), read
    /// off bit sets in order.
    private func collectCandidates() {
        var n = 0
        // One access to the bit words and to the candidates for the whole loop, not a uniqueness
        // check per write or per append.
        candidates.withUnsafeMutableBufferPointer { out in
            candidateBits.withUnsafeMutableBufferPointer { bits in
                for w in bits.indices { bits[w] = alwaysRuleBits[w] }
                for k32 in touchedKeys {
                    let k = Int(k32)
                    guard keyCount[k] > 0 else { continue }
                    for r in rulesByKey[k] { bits[Int(r) >> 6] |= 1 << UInt64(r & 63) }
                }
                // Only rules of the packs that judge the event (`selectPacks`): most rules a key
                // selects belong to other schools' packs, and the loop over candidates skipped
                // them one by one.
                for w in bits.indices {
                    var word = bits[w] & ~guardRejected[w] & judgingRules[w]
                    while word != 0 {
                        out[n] = Int32(w << 6 | word.trailingZeroBitCount)
                        n &+= 1
                        word &= word &- 1
                    }
                }
            }
        }
        candidateCount = n
    }

    /// The number of matches of a key in this event, computing detector and host-list keys on
    /// first use.
    @inline(__always) func count(key: Int) -> Int64 {
        // A deferrable key whose hits were set aside has no stamp yet (the passes skip it).
        if keyStamp[key] == stamp { return Int64(keyCount[key]) }
        return countFirstTime(key: key)
    }

    /// `count(key:)` the first time in an event: replays set-aside hits, runs a detector or
    /// host list, or finds no match.
    @inline(never) private func countFirstTime(key: Int) -> Int64 {
        if !deferred.pending.isEmpty && deferrableKey[key] { resolveDeferredHits() }
        if keyStamp[key] == stamp { return Int64(keyCount[key]) }
        keyStamp[key] = stamp
        keyCount[key] = 0
        let k = program.keys[key]
        switch k.matcher {
        case .phrases:
            return 0
        case .detector(let d):
            computeDetector(d, key: key, field: k.field)
        case .hosts(let h):
            computeHosts(h, key: key, field: k.field)
        }
        return Int64(keyCount[key])
    }

    private func addSpan(_ key: Int, _ field: Int, _ value: Int, _ start: Int, _ end: Int) {
        record(key, field, value, start, end)
    }

    private func computeDetector(_ d: Detector, key: Int, field: Int) {
        for (vi, v) in values.of(field).enumerated() where v.b > 0 {
            let start = Int(v.a), length = Int(v.b)
            arena.withUnsafeBufferPointer { all in
                let text = UnsafeBufferPointer(rebasing: all[start..<(start + length)])
                switch d {
                case .phone:
                    Detectors.phones(in: text) { s, e in addSpan(key, field, vi, s, e) }
                    Detectors.obfuscatedPhones(in: text) { s, e in addSpan(key, field, vi, s, e) }
                case .email: Detectors.emails(in: text) { s, e, _ in addSpan(key, field, vi, s, e) }
                case .url: Detectors.urls(in: text) { s, e, _, _ in addSpan(key, field, vi, s, e) }
                }
            }
        }
    }

    private func computeHosts(_ h: Int, key: Int, field: Int) {
        let isText = fieldKinds[field] == .text
        for (vi, v) in values.of(field).enumerated() where v.b > 0 {
            let start = Int(v.a), length = Int(v.b)
            arena.withUnsafeBufferPointer { all in
                let text = UnsafeBufferPointer(rebasing: all[start..<(start + length)])
                if isText {
                    Detectors.urls(in: text) { s, e, hs, he in
                        if hostInSet(UnsafeBufferPointer(rebasing: text[hs..<he]), set: h) { addSpan(key, field, vi, s, e) }
                    }
                    Detectors.emails(in: text) { s, e, hs in
                        if hostInSet(UnsafeBufferPointer(rebasing: text[hs..<e]), set: h) { addSpan(key, field, vi, s, e) }
                    }
                } else {
                    // hostInSet folds case itself: the host is looked up where it lies.
                    let host = Detectors.hostRange(ofField: text)
                    if hostInSet(UnsafeBufferPointer(rebasing: text[host]), set: h) { addSpan(key, field, vi, 0, length) }
                }
            }
        }
    }

    /// A host is in a set if it, or any parent domain of it, is.
    func hostInSet(_ host: UnsafeBufferPointer<UInt8>, set: Int) -> Bool {
        guard host.count <= 253 else { return false }  // longer than any host name
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, host.count)) { lowered in
            for i in 0..<host.count { lowered[i] = Automaton.fold(host[i]) }
            var end = host.count
            while end > 0, lowered[end - 1] == 0x2E { end -= 1 }
            let l = UnsafeBufferPointer(lowered)
            var s = 0
            while s < end {
                if hostLookup.find(UnsafeBufferPointer(rebasing: l[s..<end]), in: set) != nil { return true }
                while s < end, l[s] != 0x2E { s += 1 }
                s += 1
            }
            return false
        }
    }

    private func addFinding(_ r: Int) {
        let first = matches.count
        let support = rules.ruleSupport[r]
        var total = 0
        var truncated = false
        if !support.isEmpty {
            for k in support {
                total += Int(count(key: Int(k)))  // also computes lazily-computed keys the evaluation skipped
                if keyTruncatedStamp[Int(k)] == stamp { truncated = true }
            }
            for s in spans where support.contains(s.key) {
                let key = program.keys[Int(s.key)]
                matches.append(
                    MatchSpan(
                        field: Int(s.field), valueIndex: Int(s.value), start: Int(s.start), end: Int(s.end),
                        pattern: patternIndex(key.matcher)))
            }
        }
        for test in rules.ruleProximity[r] {
            // The pairs that make the test hold, each match once, after any already reported.
            var pairs = 0
            nearPairs(Int(test.first), Int(test.second), window: Int(test.window), ordered: test.ordered) { x, y in
                pairs += 1
                guard pairs <= 64 else { return }
                for s in [x, y] {
                    let m = MatchSpan(
                        field: Int(s.field), valueIndex: Int(s.value), start: Int(s.start), end: Int(s.end),
                        pattern: patternIndex(program.keys[Int(s.key)].matcher))
                    if !matches[first...].contains(where: {
                        $0.field == m.field && $0.valueIndex == m.valueIndex && $0.start == m.start && $0.end == m.end && $0.pattern == m.pattern
                    }) {
                        matches.append(m)
                    }
                }
            }
        }
        findings.append(
            Finding(
                rule: r, matches: first..<matches.count, matchTotal: max(total, matches.count - first),
                truncated: truncated))
    }

    func patternIndex(_ m: Matcher) -> Int {
        switch m {
        case .phrases(let l): return l
        case .hosts(let h): return rules.phraseListCount + h
        case .detector(let d): return rules.phraseListCount + rules.hostSets.count + d.rawValue
        }
    }
}

func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
