#if canImport(Glibc)
import Glibc
#endif
#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The part of a loaded rule set's model that scanning never reads: each rule's condition tree
/// and the examples. Only `explain` (the tree evaluator), `invigil test`, `inspect` and the
/// writer need them, and building them (an indirect enum per condition node, an array per
/// example) was a fifth of a load, so they are decoded on first use from the loaded bytes.
/// The rules' descriptions (name, clauses, action, message: four or more strings a rule) are
/// decoded on their own first use, separately: printing a finding needs them, not the rest.
///
/// Nothing is left to fail then: the loader ran the same readers over the same bytes in their
/// checking mode (`ConditionCoding.check`, `ModelCoding.readExamples(build: false)`), and the
/// bytes are the rule set's own copy, never written after the load. The decode happens once,
/// under a lock, and is published with a release store that readers test with an acquire load,
/// as `DeferredRows` does, so a loaded rule set may be shared by threads from the start.
final class DeferredModel: @unchecked Sendable {
    /// The loaded file, which holds the encoded conditions and examples.
    private let storage: AnyObject
    private let payload: UnsafeRawBufferPointer
    /// The model without its rules and examples, which the decode adds.
    private let shell: RuleSet.Model
    private let rulePacks: [Int32]
    /// Per rule, the payload offsets of its record and of its condition; the rules section ends
    /// at `rulesEnd`.
    private let ruleOffsets: [Int]
    private let conditionOffsets: [Int]
    private let rulesEnd: Int
    private let examples: Range<Int>
    private let files: [String]
    private let scope: ConditionCoding.Scope

    private var decodedModel: RuleSet.Model?
    private var decodedConditions: [Condition] = []
    private var decodedInfos: [RuleInfo] = []
    /// Passed once the conditions and examples are decoded.
    private let gate = OnceGate()
    /// Passed once the descriptions are decoded.
    private let infosGate = OnceGate()

    init(
        storage: AnyObject, payload: UnsafeRawBufferPointer, shell: RuleSet.Model, rules: ModelCoding.CheckedRules,
        rulesEnd: Int, examples: Range<Int>, files: [String], scope: ConditionCoding.Scope
    ) {
        self.storage = storage
        self.payload = payload
        self.shell = shell
        self.rulePacks = rules.packs
        self.ruleOffsets = rules.starts
        self.conditionOffsets = rules.conditions
        self.rulesEnd = rulesEnd
        self.examples = examples
        self.files = files
        var scope = scope
        scope.programKeys = nil  // checked at load
        self.scope = scope
        #if !canImport(InvigilSIMD)
        // Without the flag's acquire and release operations, decode at once.
        decodeInfos()
        infosGate.markDone()
        decode()
        gate.markDone()
        #endif
    }

    /// The rules' descriptions.
    var infos: [RuleInfo] {
        infosGate.run(decodeInfos)
        return decodedInfos
    }

    /// Whether the descriptions have been decoded (tests report it).
    var areInfosDecoded: Bool { infosGate.isDone }

    /// The whole model, its conditions and examples decoded.
    var model: RuleSet.Model {
        ensureDecoded()
        return decodedModel!
    }

    /// Each rule's condition.
    var conditions: [Condition] {
        ensureDecoded()
        return decodedConditions
    }

    /// Whether the conditions and examples have been decoded (tests report it).
    var isDecoded: Bool { gate.isDone }

    private func ensureDecoded() { gate.run(decode) }

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

    private func decode() {
        let infos = self.infos
        let rules = UnsafeRawBufferPointer(rebasing: payload[0..<rulesEnd])
        var conditions: [Condition] = []
        conditions.reserveCapacity(conditionOffsets.count)
        for offset in conditionOffsets {
            var r = ByteReader(rules, from: offset, context: CompiledFormat.Section.rules.name + " section")
            conditions.append(Self.decoded((try? ConditionCoding.read(&r, scope)), or: .constant(false)))
        }
        var r = ByteReader(
            UnsafeRawBufferPointer(rebasing: payload[0..<examples.upperBound]), from: examples.lowerBound,
            context: CompiledFormat.Section.examples.name + " section")
        var model = shell
        model.examples = Self.decoded((try? ModelCoding.readExamples(&r, ruleCount: infos.count, files: files)), or: [])
        model.rules = (0..<infos.count).map { CheckedRule(info: infos[$0], pack: Int(rulePacks[$0]), condition: conditions[$0]) }
        decodedConditions = conditions
        decodedModel = model
    }

    /// A value the load's check guarantees: the fallback is unreachable (a debug build stops).
    private static func decoded<T>(_ value: T?, or fallback: T) -> T {
        if let value { return value }
        assertionFailure("a check passed at load but the decode failed")
        return fallback
    }
}
