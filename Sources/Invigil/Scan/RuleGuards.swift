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
/// work or branch per rejected rule. A rejected rule's program would have returned false at the
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
    }

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
    /// Each tested field's values become a bit set (bit v: some value is v), written twice: the
    /// word that guards needing to hold read, and the one that guards needing to fail read. A
    /// value a mask cannot hold (64 or more) makes the field unsure: its words then let every
    /// such guard pass (all bits, and none), and the rules' whole programs decide.
    func rejectGuardedRules() {
        guardFieldsUnsure = false
        for (slot, f32) in ruleGuards.fields.enumerated() {
            var bits: UInt64 = 0
            var unsure = false
            for v in values.of(Int(f32)) {
                if v.a >= 0 && v.a < 64 { bits |= 1 << UInt64(v.a) } else { unsure = true }
            }
            guardFieldWords[2 * slot] = unsure ? ~0 : bits
            guardFieldWords[2 * slot + 1] = unsure ? 0 : bits
            if unsure { guardFieldsUnsure = true }
        }
        let words = ruleGuards.ruleWords
        for w in 0..<words { guardRejected[w] = 0 }
        for g in ruleGuards.guardValues.indices {
            let word = Int(ruleGuards.guardWord[g])
            let holds = guardFieldWords[word] & ruleGuards.guardValues[g] != 0
            // Even words are read by guards that must hold, odd ones by guards that must fail.
            if holds == (word & 1 == 0) { continue }
            for w in 0..<words { guardRejected[w] |= ruleGuards.guardRules[g * words + w] }
        }
    }

    /// Whether rule `r` is left by `rejectGuardedRules()`.
    @inline(__always) func guardsAllow(_ r: Int) -> Bool {
        guardRejected[r >> 6] & (1 << UInt64(r & 63)) == 0
    }

    /// Runs rule `r`'s program past its guards, which `rejectGuardedRules` found as needed.
    @inline(__always) func evaluateAfterGuards(_ r: Int) -> Bool {
        let code = ruleCode[r]
        // An unsure field's guards were not checked: then the whole program runs.
        if !ruleGuards.hasGuards[r] || guardFieldsUnsure { return evaluate(code) }
        // Guards that held, with nothing after them: the rule holds.
        let body = Int(ruleGuards.bodyStart[r])
        return body == code.upperBound || evaluate(body..<code.upperBound)
    }
}
