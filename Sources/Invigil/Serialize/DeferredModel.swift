#if canImport(Glibc)
import Glibc
#endif
#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The part of a loaded rule set's model that scanning never reads: each rule's condition tree
/// and the examples, in the file's cold part, and the rules' descriptions. Only `explain` (the
/// tree evaluator), `invigil test`, `inspect` and the writer need the conditions and examples,
/// so a load neither reads nor checks them: the first use reads the cold part (from the loaded
/// bytes, or from the file again: `ColdSource`), checks it (checksum, tie to the payload, then
/// the same checks a format 3 load ran) and decodes it; it throws if the cold part cannot be
/// read, has changed or is damaged, and a later use tries again. The rules' descriptions (name,
/// clauses, action, message) are in the payload, checked at load and decoded on their own first
/// use, which cannot fail: printing a finding needs them, not the rest.
///
/// Each decode happens once, under a lock, and is published with a release store that readers
/// test with an acquire load, as `DeferredRows` does, so a loaded rule set may be shared by
/// threads from the start.
final class DeferredModel: @unchecked Sendable {
    /// The loaded file, which holds the encoded descriptions.
    private let storage: AnyObject
    private let payload: UnsafeRawBufferPointer
    /// The model without its rules and examples, which the decode adds.
    let shell: RuleSet.Model
    private let rulePacks: [Int32]
    /// Per rule, the payload offset of its record; the rules section ends at `rulesEnd`.
    private let ruleOffsets: [Int]
    private let rulesEnd: Int
    private let files: [String]
    private let scope: ConditionCoding.Scope
    /// The program's keys, which every key a condition tests must be one of.
    private let programKeys: [MatchKey]
    private let header: CompiledRulesHeader
    private let cold: ColdSource

    /// The checked cold part: its bytes (kept alive by `coldOwner` until the decode) and where
    /// its examples and each condition start.
    private var coldOwner: AnyObject?
    private var coldBytes = UnsafeRawBufferPointer(start: nil, count: 0)
    private var examplesRange = 0..<0
    private var conditionStarts: [Int] = []
    private var conditionsEnd = 0

    private var decodedModel: RuleSet.Model?
    private var decodedConditions: [Condition] = []
    private var decodedInfos: [RuleInfo] = []
    /// Passed once the cold part is read and checked.
    private let checkGate = OnceGate()
    /// Passed once the conditions and examples are decoded from the checked cold part.
    private let gate = OnceGate()
    /// Passed once the descriptions are decoded.
    private let infosGate = OnceGate()

    init(
        storage: AnyObject, payload: UnsafeRawBufferPointer, shell: RuleSet.Model, rules: ModelCoding.CheckedRules,
        rulesEnd: Int, files: [String], scope: ConditionCoding.Scope, programKeys: [MatchKey], header: CompiledRulesHeader,
        cold: ColdSource
    ) {
        self.storage = storage
        self.payload = payload
        self.shell = shell
        self.rulePacks = rules.packs
        self.ruleOffsets = rules.starts
        self.rulesEnd = rulesEnd
        self.files = files
        self.scope = scope
        self.programKeys = programKeys
        self.header = header
        self.cold = cold
        #if !canImport(InvigilSIMD)
        // Without the flag's acquire and release operations, decode at once (the cold part
        // too, when it can be read; when not, each use tries again under the lock).
        decodeInfos()
        infosGate.markDone()
        if (try? checkCold()) != nil {
            checkGate.markDone()
            decode()
            gate.markDone()
        }
        #endif
    }

    /// The rules' descriptions.
    var infos: [RuleInfo] {
        infosGate.run(decodeInfos)
        return decodedInfos
    }

    /// Whether the descriptions have been decoded (tests report it).
    var areInfosDecoded: Bool { infosGate.isDone }

    /// Reads and checks the cold part, if no use has yet: throws when it cannot be read, has
    /// changed since the load, or is damaged (and the next use tries again).
    func ensureColdChecked() throws(CompiledRulesError) { try checkGate.run(throwing: checkCold) }

    /// The whole model, its conditions and examples read from the cold part.
    func model() throws(CompiledRulesError) -> RuleSet.Model {
        try ensureColdChecked()
        gate.run(decode)
        return decodedModel!
    }

    /// Each rule's condition; `false` conditions when the cold part cannot be read (callers
    /// that must know call `ensureColdChecked()` first).
    var conditions: [Condition] {
        if (try? ensureColdChecked()) == nil { return [Condition](repeating: .constant(false), count: ruleOffsets.count) }
        gate.run(decode)
        return decodedConditions
    }

    /// Whether the conditions and examples have been decoded (tests report it).
    var isDecoded: Bool { gate.isDone }

    private func decodeInfos() {
        let rules = UnsafeRawBufferPointer(rebasing: payload[0..<rulesEnd])
        var infos: [RuleInfo] = []
        infos.reserveCapacity(ruleOffsets.count)
        let fallback = RuleInfo(
            name: "", pack: "", clauses: [], severity: .info, action: "", message: "", location: SourceLocation(file: "", line: 0, column: 0))
        for offset in ruleOffsets {
            var r = ByteReader(rules, from: offset, context: CompiledFormat.Section.rules.name + " section")
            infos.append(Self.decoded((try? ModelCoding.readRuleInfo(&r, packs: shell.packs, files: files)), or: fallback))
        }
        decodedInfos = infos
    }

    /// Reads and checks the cold part (checksum, tie, sections, then every example and
    /// condition as the readers read them) and records where its records start.
    private func checkCold() throws(CompiledRulesError) {
        let (owner, bytes) = try cold.read(header)
        let sections = try Self.sections(bytes)
        let ruleCount = ruleOffsets.count
        var checking = scope
        checking.programKeys = ProgramKeySet(
            programKeys, phraseListCount: scope.phraseListCount, hostListCount: scope.hostListCount, fieldCount: scope.fields.count)
        var r = sections.reader(.examples, bytes)
        let examplesStart = r.offset
        try ModelCoding.checkExamples(&r, ruleCount: ruleCount, files: files)
        try sections.finish(r)
        examplesRange = examplesStart..<r.offset
        r = sections.reader(.conditions, bytes)
        conditionStarts = try ModelCoding.checkConditions(&r, ruleCount: ruleCount, scope: checking)
        try sections.finish(r)
        conditionsEnd = r.offset
        coldBytes = bytes
        coldOwner = owner
    }

    /// Decodes the conditions and examples from the checked cold part: nothing left to fail.
    private func decode() {
        let infos = self.infos
        let ruleCount = ruleOffsets.count
        let conditionBytes = UnsafeRawBufferPointer(rebasing: coldBytes[0..<conditionsEnd])
        var conditions: [Condition] = []
        conditions.reserveCapacity(conditionStarts.count)
        for offset in conditionStarts {
            var c = ByteReader(conditionBytes, from: offset, context: CompiledFormat.Section.conditions.name + " section")
            conditions.append(Self.decoded((try? ConditionCoding.read(&c, scope)), or: .constant(false)))
        }
        var e = ByteReader(
            UnsafeRawBufferPointer(rebasing: coldBytes[0..<examplesRange.upperBound]), from: examplesRange.lowerBound,
            context: CompiledFormat.Section.examples.name + " section")
        var model = shell
        model.examples = Self.decoded((try? ModelCoding.readExamples(&e, ruleCount: ruleCount, files: files)), or: [])
        model.rules = (0..<ruleCount).map { CheckedRule(info: infos[$0], pack: Int(rulePacks[$0]), condition: conditions[$0]) }
        decodedConditions = conditions
        decodedModel = model
        // The decoded values own their bytes: a cold part read from the file is freed.
        coldBytes = UnsafeRawBufferPointer(start: nil, count: 0)
        coldOwner = nil
    }

    /// The cold part's sections after its tie: the examples and the conditions, each once.
    private struct ColdSections {
        var ranges: [CompiledFormat.Section: Range<Int>]

        func reader(_ s: CompiledFormat.Section, _ bytes: UnsafeRawBufferPointer) -> ByteReader {
            let range = ranges[s]!
            return ByteReader(UnsafeRawBufferPointer(rebasing: bytes[0..<range.upperBound]), from: range.lowerBound, context: s.name + " section")
        }

        func finish(_ r: ByteReader) throws(CompiledRulesError) {
            if !r.isAtEnd { throw r.corrupted("\(r.remaining) unread bytes") }
        }
    }

    private static func sections(_ bytes: UnsafeRawBufferPointer) throws(CompiledRulesError) -> ColdSections {
        var found: [CompiledFormat.Section: Range<Int>] = [:]
        var walker = ByteReader(bytes, from: CompiledFormat.coldTieLength, context: "cold part's section table")
        while !walker.isAtEnd {
            let (id, flags, bytes) = try walker.nextSection(in: "cold part")
            if let section = CompiledFormat.Section(rawValue: id) {
                guard section.isCold else { throw walker.corrupted("the \(section.name) section belongs in the payload") }
                guard found[section] == nil else { throw walker.corrupted("the \(section.name) section is repeated") }
                found[section] = bytes
            } else if flags & CompiledFormat.requiredFlag != 0 {
                throw ByteReader.unknownRequiredSection(id)
            }
        }
        for s in [CompiledFormat.Section.examples, .conditions] where found[s] == nil {
            throw CompiledRulesError(.corrupted, "corrupted compiled rule file: the \(s.name) section is missing")
        }
        return ColdSections(ranges: found)
    }

    /// A value the checks guarantee: the fallback is unreachable (a debug build stops).
    private static func decoded<T>(_ value: T?, or fallback: T) -> T {
        if let value { return value }
        assertionFailure("a check passed but the decode failed")
        return fallback
    }
}
