import Testing
@testable import Invigil

/// The load's fast checks of conditions and examples (`ConditionQuickCheck`,
/// `ModelCoding.checkExamples`) against the precise readers they stand in front of
/// (`ConditionCoding.check`, `ModelCoding.readExamples(build: false)`): on every condition and
/// example the writer writes they accept where the reader does, ending at the same byte, and on
/// damaged bytes the fast check never accepts what the reader refuses.
@Suite("Compiled quick checks")
struct CompiledQuickCheckTests {
    static func packs() throws -> RuleSet { try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"]) }

    static func generated(seed: Int) throws -> RuleSet {
        var rng = SplitMix(seed: UInt64(seed) &* 7919)
        var source = BytecodeTests.schema + "\nphrases p { \"secret\" \"dm me\" }\n"
        for r in 0..<80 {
            source += "rule r\(r) { severity info message \"m\" when \(BytecodeTests.condition(&rng, depth: 5)) }\n"
        }
        return try RuleSet.compile(source: source, name: "gen.rules")
    }

    static func scope(_ rules: RuleSet, keys: [MatchKey]) -> ConditionCoding.Scope {
        let model = rules.schemaModel
        var scope = ConditionCoding.Scope(
            fields: model.fields, groupCount: model.groups.count, phraseListCount: model.phraseLists.count,
            hostListCount: model.hostLists.count, scheduleCount: model.schedules.count)
        scope.programKeys = ProgramKeySet(
            keys, phraseListCount: model.phraseLists.count, hostListCount: model.hostLists.count, fieldCount: model.fields.count)
        return scope
    }

    /// What the precise reader makes of the bytes: the offset it ends at, or nil when it throws.
    static func precise(_ bytes: [UInt8], _ scope: ConditionCoding.Scope) -> Int? {
        bytes.withUnsafeBytes { buffer in
            var r = ByteReader(buffer, context: "test")
            do throws(CompiledRulesError) {
                try ConditionCoding.check(&r, scope)
                return r.offset
            } catch { return nil }
        }
    }

    static func quick(_ bytes: [UInt8], _ check: ConditionQuickCheck) -> Int? {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            return check.accepts(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, end: buffer.count, offset: &offset) ? offset : nil
        }
    }

    /// Every condition of `rules`, written, and damaged: each byte replaced by three values, and
    /// every truncation.
    static func compareConditions(_ rules: RuleSet, keys: [MatchKey], expectAccepted: Bool) -> (accepted: Int, compared: Int) {
        let scope = scope(rules, keys: keys)
        let check = ConditionQuickCheck(scope)
        var accepted = 0, compared = 0
        var rng = SplitMix(seed: 99)
        for condition in rules.conditions {
            var w = ByteWriter()
            ConditionCoding.write(condition, to: &w)
            let bytes = w.bytes
            let exact = precise(bytes, scope)
            if expectAccepted {
                #expect(exact == bytes.count)
                #expect(quick(bytes, check) == exact, "the fast check refuses a condition the writer wrote")
            }
            var variants: [[UInt8]] = (0..<bytes.count).map { Array(bytes[..<$0]) }
            for i in bytes.indices {
                for value in [UInt8.random(in: 0...255, using: &rng), bytes[i] ^ 1, bytes[i] &+ 1, 0xFF] {
                    var damaged = bytes
                    damaged[i] = value
                    variants.append(damaged)
                }
            }
            for v in variants {
                compared += 1
                if let q = quick(v, check) {
                    accepted += 1
                    let p = precise(v, scope)
                    #expect(p == q, "the fast check accepts what the reader \(p == nil ? "refuses" : "reads differently"): \(v)")
                }
            }
        }
        return (accepted, compared)
    }

    @Test func conditionsOfThePacks() throws {
        let rules = try Self.packs()
        let (accepted, compared) = Self.compareConditions(rules, keys: rules.program.keys, expectAccepted: true)
        #expect(accepted > 0 && accepted < compared)
    }

    @Test(arguments: [1, 2, 3])
    func conditionsOfGeneratedRuleSets(seed: Int) throws {
        let rules = try Self.generated(seed: seed)
        _ = Self.compareConditions(rules, keys: rules.program.keys, expectAccepted: true)
    }

    /// With keys missing from the program, the conditions that test them must be refused by both.
    @Test func conditionsTestingKeysTheProgramLacks() throws {
        let rules = try Self.packs()
        let keys = Array(rules.program.keys.dropFirst(rules.program.keys.count / 2))
        let scope = Self.scope(rules, keys: keys)
        let check = ConditionQuickCheck(scope)
        var refused = 0
        for condition in rules.conditions {
            var w = ByteWriter()
            ConditionCoding.write(condition, to: &w)
            let q = Self.quick(w.bytes, check), p = Self.precise(w.bytes, scope)
            if p == nil { refused += 1 }
            #expect(q == nil || q == p)
        }
        #expect(refused > 0)
    }

    static func examples(_ bytes: [UInt8], ruleCount: Int, files: [String], fast: Bool) -> Result<Int, CompiledRulesError> {
        bytes.withUnsafeBytes { buffer in
            var r = ByteReader(buffer, context: "examples section")
            do throws(CompiledRulesError) {
                if fast {
                    try ModelCoding.checkExamples(&r, ruleCount: ruleCount, files: files)
                } else {
                    _ = try ModelCoding.readExamples(&r, ruleCount: ruleCount, files: files, build: false)
                }
                return .success(r.offset)
            } catch { return .failure(error) }
        }
    }

    /// The examples section of the packs, whole, truncated and damaged: the fast check and the
    /// reader end at the same byte or throw the same message.
    @Test func examplesOfThePacks() throws {
        let rules = try Self.packs()
        let model = try rules.model
        let files = ModelCoding.fileTable(model)
        var index: [String: Int] = [:]
        for (i, f) in files.enumerated() where index[f] == nil { index[f] = i }
        var w = ByteWriter()
        ModelCoding.writeExamples(model, index, &w)
        let bytes = w.bytes
        var refused = 0
        // One damaged copy at a time (the section is 0.3 MB: holding them all would take a
        // gigabyte, and the C tests measure the process's peak memory).
        func compare(_ v: [UInt8]) {
            for (ruleCount, fileSet) in [(model.rules.count, files), (model.rules.count - 5, Array(files.dropLast()))] {
                let fast = Self.examples(v, ruleCount: ruleCount, files: fileSet, fast: true)
                let exact = Self.examples(v, ruleCount: ruleCount, files: fileSet, fast: false)
                switch (fast, exact) {
                case (.success(let a), .success(let b)): #expect(a == b)
                case (.failure(let a), .failure(let b)):
                    refused += 1
                    #expect(a.message == b.message)
                default: Issue.record("fast \(fast), reader \(exact)")
                }
            }
        }
        compare(bytes)
        var damaged = bytes
        // The count and the first examples byte by byte, then random bytes and truncations.
        for i in 0..<min(bytes.count, 400) {
            for value in [bytes[i] ^ 1, bytes[i] &+ 1, 0xFF, 0] where value != bytes[i] {
                damaged[i] = value
                compare(damaged)
                damaged[i] = bytes[i]
            }
        }
        var rng = SplitMix(seed: 17)
        for _ in 0..<1000 {
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            damaged[i] = UInt8.random(in: 0...255, using: &rng)
            compare(damaged)
            damaged[i] = bytes[i]
        }
        for _ in 0..<200 { compare(Array(bytes[..<Int.random(in: 0..<bytes.count, using: &rng)])) }
        #expect(refused > 0)
        #expect((try? Self.examples(bytes, ruleCount: model.rules.count, files: files, fast: true).get()) == bytes.count)
    }
}
