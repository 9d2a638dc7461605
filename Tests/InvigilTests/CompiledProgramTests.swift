import Testing
@testable import Invigil

/// The program section of compiled files (format 3): the stored bytecode and derived tables are
/// the ones the conditions compile to (checked against a compile of the decoded conditions, on
/// the packs and generated rule sets), the conditions and examples are decoded only on first
/// use, and each kind of damage to a stored table that the checksum would not catch (a file
/// resealed after the damage) is refused with a message naming it.
@Suite("Compiled program tables")
struct CompiledProgramTests {
    static func deferred(_ rules: RuleSet) -> DeferredModel? {
        if case .deferred(let d) = rules.holding { return d }
        return nil
    }

    /// The reference: the tables a compile derives from the loaded (decoded) conditions.
    static func expectFaithful(_ rules: RuleSet) throws {
        let loaded = try RuleSet.load(compiled: rules.compiledBytes())
        #expect(loaded.tables.isIdentical(to: rules.tables))
        #expect(try loaded.tables.isIdentical(to: RuleTables(deriving: loaded.model)))
        #expect(loaded.program.keyIndex == rules.program.keyIndex)
    }

    @Test func packsStoreTheProgramTheirConditionsCompileTo() throws {
        try Self.expectFaithful(try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"]))
    }

    @Test(arguments: [4, 5, 6])
    func generatedRuleSetsStoreTheProgramTheirConditionsCompileTo(seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed) &* 31_337)
        var source = BytecodeTests.schema + "\nphrases p { \"secret\" \"dm me\" }\n"
        for r in 0..<120 {
            source += "rule r\(r) { severity info message \"m\" when \(BytecodeTests.condition(&rng, depth: 4)) }\n"
        }
        try Self.expectFaithful(try RuleSet.compile(source: source, name: "gen.rules"))
    }

    @Test func conditionsAndExamplesAreDecodedOnFirstUse() throws {
        let rules = try RuleSet.compile(source: CompiledRulesTests.small, name: "small.rules")
        let loaded = try RuleSet.load(compiled: rules.compiledBytes())
        let deferred = try #require(Self.deferred(loaded))
        // Scanning needs neither.
        let scanner = Invigil.Scanner(rules: loaded)
        _ = try scanner.scanJSON(Array(#"{"role":"staff","text":"text me"}"#.utf8))
        #expect(scanner.findings.count == 1)
        #expect(!deferred.isDecoded)
        #expect(try loaded.examples.map(\.json) == rules.examples.map(\.json))
        #expect(deferred.isDecoded)
        let fired = Set(scanner.findings.map(\.rule))
        for r in loaded.rules.indices { #expect((scanner.packApplies(rule: r) && scanner.evaluateTree(rule: r)) == fired.contains(r)) }
        #expect(try loaded.compiledBytes() == rules.compiledBytes())
    }

    // MARK: damaged tables

    static let source = """
        schema { text: text  role: enum(staff, pupil)  score: int  time: time  to.role: list enum(staff, pupil) }
        phrases offer { "text me" "dm me" }
        phrases meet { "meet" }
        schedule day { mon-fri 09:00-15:00 }
        rule a { severity info message "m" when role == staff and (offer in text or score > 3) }
        rule b { severity info message "m" when any to (to.role == pupil) and not time in day }
        rule c { severity info message "m" when meet near offer within 5 words in text }
        """

    /// The rule set's file with its tables changed by `damage`, then loaded: the refusal.
    static func refusal(_ damage: (inout RuleTables) -> Void) throws -> CompiledRulesError? {
        let rules = try RuleSet.compile(source: source, name: "damage.rules")
        var tables = rules.tables
        damage(&tables)
        do {
            try RuleSet.load(compiled: RuleSetWriter.write(rules, tables: tables)).loadExamplesAndConditions()
            return nil
        } catch {
            return error
        }
    }

    static func index(of opcode: Opcode, in t: RuleTables) -> Int { t.program.code.firstIndex { $0.opcode == opcode }! }

    @Test func theUndamagedTablesLoad() throws {
        #expect(try Self.refusal { _ in } == nil)
        let rules = try RuleSet.compile(source: Self.source, name: "damage.rules")
        for op in [Opcode.jumpIfFalse, .jumpIfTrue, .compareInt, .compareEnum, .count, .schedule, .near, .anyBegin, .anyNext, .not] {
            #expect(rules.program.code.contains { $0.opcode == op }, "\(op) is not exercised")
        }
    }

    @Test(arguments: [
        ("field", "field 99 is out of range"), ("key", "key 99 is out of range"), ("int", "int constant 99 is out of range"),
        ("schedule", "schedule 99 is out of range"), ("zone", "time zone 99 is out of range"), ("group", "group 99 is out of range"),
        ("window", "proximity window 999"), ("backward", "is not forward inside the rule"), ("past end", "is not forward inside the rule"),
        ("string on int", "a string comparison of int field"), ("schedule on text", "a schedule test of text field"),
        ("loop end", "a loop whose end does not match its start"), ("stray anyNext", "the end of a loop that did not start"),
        ("range", "is outside the"), ("opcode", "opcode 200"), ("support", "support key 99 is out of range"),
        ("proximity", "proximity key 99 is out of range"), ("always", "rule 99 is out of range"), ("by key", "rule 99 is out of range"),
        ("duplicate key", "repeats an earlier key"), ("operator", "instruction 0 has comparison operator 9")
    ])
    func eachDamagedTableIsRefused(damage: String, words: String) throws {
        let error = try Self.refusal { t in
            func at(_ op: Opcode) -> Int { Self.index(of: op, in: t) }
            switch damage {
            case "field": t.program.code[at(.compareEnum)].a = 99
            case "key": t.program.code[at(.count)].a = 99
            case "int": t.program.code[at(.compareInt)].b = 99
            case "schedule": t.program.code[at(.schedule)].b = 99
            case "zone": t.program.code[at(.schedule)].c = 99
            case "group": t.program.code[at(.anyBegin)].a = 99
            case "window": t.program.code[at(.near)].c = 999
            case "backward": t.program.code[at(.jumpIfFalse)].a = Int32(at(.jumpIfFalse))
            case "past end": t.program.code[at(.jumpIfFalse)].a = Int32(t.codes[0].upperBound + 1)
            case "string on int":
                let i = at(.compareInt)
                t.program.code[i].opcode = .compareString
                t.program.code[i].b = 0
            case "schedule on text": t.program.code[at(.schedule)].a = 0
            case "loop end": t.program.code[at(.anyNext)].b -= 1
            case "stray anyNext": t.program.code[at(.anyBegin)].opcode = .not
            case "range": t.codes[2] = t.codes[2].lowerBound..<(t.program.code.count + 1)
            case "opcode": t.program.code[0].opcode = Opcode(rawValue: 0)!  // replaced below, in the bytes
            case "support": t.support[0] = [99]
            case "proximity": t.proximity[2][t.proximity[2].startIndex].first = 99
            case "always": t.alwaysRules = [99]
            case "by key": t.rulesByKey[0] = [99]
            case "duplicate key": t.program.keys[1] = t.program.keys[0]
            case "operator": break  // in the bytes, below
            default: Issue.record("unknown damage \(damage)")
            }
        }
        if damage == "opcode" || damage == "operator" {
            // An opcode or operator no engine knows: written into the bytes, since `Opcode` and
            // `CompareOp` cannot hold them.
            let rules = try RuleSet.compile(source: Self.source, name: "damage.rules")
            var bytes = try rules.compiledBytes()
            let code = Self.programSectionCode(bytes)
            if damage == "opcode" { bytes[code] = 200 } else { bytes[code + 1] = 9 }
            CompiledRulesTests.reseal(&bytes)
            let refused = CompiledRulesTests.refusal(bytes)
            #expect(refused?.kind == .corrupted && refused?.message.contains(words) == true, "\(refused?.message ?? "loaded")")
            return
        }
        #expect(error?.kind == .corrupted, "\(damage): \(error?.message ?? "loaded")")
        #expect(error?.message.contains(words) == true, "\(damage): \(error?.message ?? "loaded")")
    }

    /// Two fields of the same name (the schema's `time` renamed `text` in the bytes) are refused,
    /// naming the field.
    @Test func repeatedFieldNamesAreRefused() throws {
        let rules = try RuleSet.compile(source: Self.source, name: "damage.rules")
        var bytes = try rules.compiledBytes()
        let time: [UInt8] = [4, 0, 0, 0] + Array("time".utf8)
        let at = try #require((0..<(bytes.count - time.count)).first { Array(bytes[$0..<($0 + time.count)]) == time })
        bytes.replaceSubrange((at + 4)..<(at + 8), with: Array("text".utf8))
        CompiledRulesTests.reseal(&bytes)
        let refused = CompiledRulesTests.refusal(bytes)
        #expect(refused?.message.contains("field 'text' declared twice") == true, "\(refused?.message ?? "loaded")")
    }

    /// The file offset of the first instruction of the program section.
    static func programSectionCode(_ bytes: [UInt8]) -> Int {
        var offset = CompiledFormat.headerLength
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        while offset < bytes.count {
            let id = u32(offset), length = u32(offset + 8)
            if id == Int(CompiledFormat.Section.program.rawValue) { return offset + 16 + 8 }  // count u32, padded to 8
            offset += 16 + length
            offset += (8 - (offset - CompiledFormat.headerLength) % 8) % 8
        }
        return bytes.count
    }

    /// A condition that tests a key the stored program does not have: the tree evaluator would
    /// look it up in vain, so the file is refused.
    @Test func conditionsMustTestTheProgramsKeys() throws {
        let error = try Self.refusal { t in
            t.program.keys[0].matcher = .detector(.email)
        }
        #expect(error?.message.contains("that the program has no key for") == true, "\(error?.message ?? "loaded")")
    }
}
