/// The field tests that open rules' programs, checked as bit masks against the event's values.
///
/// Most rules begin `author.role == staff and not account.kind == school and type in [...]`:
/// a run of tests on the event's enum fields, each followed by a jump to the program's end when
/// it fails. The bundled packs have 104 rules that no phrase selects, so every event ran each of
/// their programs, mostly to fail on the first or second test, through the interpreter's
/// dispatch and a closure per value.
///
/// Such an opening test (a *guard*) asks whether some value of a field lies in a fixed set of
/// enum values (or booleans): `==` and `!=` a value, `in [...]`, `exists`. So each is a bit mask
/// over the field's values, and per event each tested field's values become one bit set; a
/// guard holds when the two meet. Each distinct guard (field, mask, and whether rules need it to
/// hold or to fail) keeps the set of rules that have it, as bits; per event the guards that come
/// out wrong reject their rules' bits at once, and only the rules left are looked at, with no
/// work or branch per rejected rule. For a field with one value (most) or none, which rules its
/// guards reject is worked out for each possible value when the scanner is made, so per event
/// such a field costs a few ORs. A rejected rule's program would have returned false at the
/// first guard that came out wrong. A rule left runs its program from the first instruction
/// after its guards (`bodyStart`), since they held (or, with nothing after them, it holds).
///
/// A guard is such a test followed by `jumpIfFalse` to the end of the program, or by `not` and
/// that jump (the rule needs the test to fail), or last in the program. Only the straight run at
/// the program's start counts: after anything else, control may reach later tests other ways.
struct RuleGuards {
    /// The fields that guards test.
    var fields: [Int32] = []
    /// Per distinct guard: the field values for which its test holds (bit v for value v), and
    /// where its field's bits are in the scanner's per-event words: `2 × field slot` when rules
    /// need the test to hold, `2 × slot + 1` when they need it to fail.
    var guardValues: [UInt64] = []
    var guardWord: [Int32] = []
    /// Per distinct guard, the rules that have it: `ruleWords` words, bit r for rule r.
    var guardRules: [UInt64] = []
    let ruleWords: Int
    /// Per rule, whether it has guards, and where its program goes on after them.
    var hasGuards: [Bool] = []
    var bodyStart: [Int32] = []
    /// Per field slot, its guards: `slotGuards[slotGuardStart[s]..<slotGuardStart[s + 1]]`.
    var slotGuards: [Int32] = []
    var slotGuardStart: [Int32] = [0]
    /// The rules rejected when a field has exactly one value v (below 64), or none (v = 64):
    /// `ruleWords` words at `(slot × 65 + v) × ruleWords`. Most tested fields have one value,
    /// so most events reject their rules with a few ORs per field.
    var rejectedBySingleValue: [UInt64] = []

    init(program: Program, ruleCode: [Range<Int>], fieldKinds: [FieldKind]) {
        let code = program.code
        ruleWords = (ruleCode.count + 63) / 64
        for (r, range) in ruleCode.enumerated() {
            var pc = range.lowerBound
            var guarded = false
            defer {
                hasGuards.append(guarded)
                bodyStart.append(Int32(pc))
            }
            guard range.lowerBound >= 0, range.upperBound <= code.count else { continue }
            let end = range.upperBound
            while pc < end, let values = Self.valuesPassing(code[pc], program: program, fieldKinds: fieldKinds) {
                let negated = pc + 1 < end && code[pc + 1].opcode == .not
                let jump = negated ? pc + 2 : pc + 1
                // The test decides the result: it is the last, or failing jumps to the end.
                let decides = jump == end || (jump < end && code[jump].opcode == .jumpIfFalse && Int(code[jump].a) == end)
                guard decides else { break }
                let field = code[pc].a
                let slot = fields.firstIndex(of: field) ?? fields.count
                if slot == fields.count { fields.append(field) }
                let word = Int32(2 * slot + (negated ? 1 : 0))
                var g = 0
                while g < guardValues.count && (guardValues[g] != values || guardWord[g] != word) { g += 1 }
                if g == guardValues.count {
                    guardValues.append(values)
                    guardWord.append(word)
                    guardRules.append(contentsOf: repeatElement(0, count: ruleWords))
                }
                guardRules[g * ruleWords + r >> 6] |= 1 << UInt64(r & 63)
                guarded = true
                pc = min(jump + 1, end)
            }
        }
        for slot in fields.indices {
            let own = guardValues.indices.filter { Int(guardWord[$0]) / 2 == slot }
            slotGuards += own.map { Int32($0) }
            slotGuardStart.append(Int32(slotGuards.count))
            for v in 0...64 {
                let bits: UInt64 = v == 64 ? 0 : 1 << UInt64(v)
                var rejected = [UInt64](repeating: 0, count: ruleWords)
                for g in own where Self.rejects(g, bits, guardValues, guardWord) {
                    for w in 0..<ruleWords { rejected[w] |= guardRules[g * ruleWords + w] }
                }
                rejectedBySingleValue += rejected
            }
        }
    }

    /// Whether guard g comes out other than its rules need when its field's values are `bits`.
    @inline(__always)
    static func rejects(_ g: Int, _ bits: UInt64, _ guardValues: [UInt64], _ guardWord: [Int32]) -> Bool {
        let holds = bits & guardValues[g] != 0
        // Even words are guards that must hold, odd ones guards that must fail.
        return holds != (guardWord[g] & 1 == 0)
    }

    /// Whether checking guards pays: with a handful of guarded rules, the per-event bit sets
    /// cost about what the few programs they would spare cost (the C interface's five-rule
    /// benchmark lost 2–3 % with them); the packs have 153.
    var worthChecking: Bool { hasGuards.lazy.filter { $0 }.count >= 8 }

    /// The guards of rule `r`, as indices of distinct guards (for tests and tools).
    func guards(ofRule r: Int) -> [Int] {
        guardValues.indices.filter { guardRules[$0 * ruleWords + r >> 6] & (1 << UInt64(r & 63)) != 0 }
    }

    /// For a test that holds exactly when some value of its field is in a set of enum values or
    /// booleans (each below 64), that set as a bit mask; nil for any other instruction.
    static func valuesPassing(_ ins: Instruction, program: Program, fieldKinds: [FieldKind]) -> UInt64? {
        let field = Int(ins.a)
        guard field >= 0, field < fieldKinds.count else { return nil }
        let kind = fieldKinds[field]
        switch ins.opcode {
        case .compareEnum, .compareBool:
            guard kind == .enumeration || kind == .bool, ins.b >= 0, ins.b < 64, ins.op == .eq || ins.op == .ne else { return nil }
            let bit = UInt64(1) << UInt64(ins.b)
            return ins.op == .eq ? bit : ~bit
        case .inSet:
            guard kind == .enumeration || kind == .bool, ins.b >= 0, Int(ins.b) < program.sets.count else { return nil }
            var mask: UInt64 = 0
            for v in program.sets[Int(ins.b)].ints {
                guard v >= 0, v < 64 else { return nil }
                mask |= 1 << UInt64(v)
            }
            return mask
        case .exists:
            guard kind == .enumeration || kind == .bool else { return nil }
            return ~0
        default:
            return nil
        }
    }
}

extension Scanner {
    /// Sets `guardRejected` to the rules whose guards do not come out as they need for the
    /// current event.
    ///
    /// A field with one value or none takes its row of `rejectedBySingleValue`. Otherwise its
    /// values become a bit set (bit v: some value is v) and each of its guards is tried. A value
    /// a mask cannot hold (64 or more) makes the field unsure: its guards then reject nothing,
    /// and the rules' whole programs decide (`evaluateAfterGuards`).
    func rejectGuardedRules() {
        let words = ruleGuards.ruleWords
        guardFieldsUnsure = false
        // Raw memory for the whole loop: through the arrays, every word took a bounds check and
        // every row's offset overflow checks (900 instructions an event on the benchmark
        // archive, for about forty words).
        guardRejected.withUnsafeMutableBufferPointer { rejectedBuffer in
            let rejected = rejectedBuffer.baseAddress!
            ruleGuards.fields.withUnsafeBufferPointer { fields in
                ruleGuards.rejectedBySingleValue.withUnsafeBufferPointer { bySingleValue in
                    for w in 0..<words { rejected[w] = 0 }
                    for slot in 0..<fields.count {
                        let vs = values.of(Int(fields[slot]))
                        var row = -1
                        if vs.isEmpty {
                            row = 64
                        } else if vs.count == 1 && vs[0].a >= 0 && vs[0].a < 64 {
                            row = Int(vs[0].a)
                        }
                        if row >= 0 {
                            let single = bySingleValue.baseAddress! + (slot &* 65 &+ row) &* words
                            for w in 0..<words { rejected[w] |= single[w] }
                            continue
                        }
                        if !rejectForValues(vs, slot: slot, into: rejected) { guardFieldsUnsure = true }
                    }
                }
            }
        }
    }

    /// A field of several values: each of its guards tried on their bit set. False, rejecting
    /// nothing, when a value cannot be held in a mask (outside 0..<64), which makes the field
    /// unsure.
    private func rejectForValues(_ vs: UnsafeBufferPointer<EventValue>, slot: Int, into rejected: UnsafeMutablePointer<UInt64>) -> Bool {
        let words = ruleGuards.ruleWords
        var bits: UInt64 = 0
        for v in vs {
            guard v.a >= 0 && v.a < 64 else { return false }
            bits |= 1 << UInt64(v.a)
        }
        for i in Int(ruleGuards.slotGuardStart[slot])..<Int(ruleGuards.slotGuardStart[slot + 1]) {
            let g = Int(ruleGuards.slotGuards[i])
            if RuleGuards.rejects(g, bits, ruleGuards.guardValues, ruleGuards.guardWord) {
                for w in 0..<words { rejected[w] |= ruleGuards.guardRules[g * words + w] }
            }
        }
        return true
    }

    /// Whether rule `r` is left by `rejectGuardedRules()`.
    @inline(__always) func guardsAllow(_ r: Int) -> Bool {
        guardRejected[r >> 6] & (1 << UInt64(r & 63)) == 0
    }

    /// Runs rule `r`'s program past its guards, which `rejectGuardedRules` found as needed.
    @inline(__always) func evaluateAfterGuards(_ r: Int) -> Bool {
        let code = ruleCode[r]
        // Guards not checked, or an unsure field's: then the whole program runs.
        if !checksGuards || !ruleGuards.hasGuards[r] || guardFieldsUnsure { return evaluate(code) }
        // Guards that held, with nothing after them: the rule holds.
        let body = Int(ruleGuards.bodyStart[r])
        return body == code.upperBound || evaluate(body..<code.upperBound)
    }
}
