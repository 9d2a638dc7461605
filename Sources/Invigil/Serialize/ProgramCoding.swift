#if canImport(Glibc)
import Glibc
#endif
#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The encoding of the tables derived from the conditions (`RuleTables`): the bytecode, its
/// constant pools and keys, each rule's range of the bytecode, support keys and proximity tests,
/// and the candidate index (docs/compiled-format.md, "program" section). Reading decodes each
/// table with its own bounds and enumerations checked; `ProgramChecks` then checks how the
/// tables refer to each other and to the model.
enum ProgramCoding {
    static func write(_ t: RuleTables, to w: inout ByteWriter) {
        let p = t.program
        w.u32(p.code.count)
        w.align()
        for ins in p.code {
            w.u32(UInt32(ins.opcode.rawValue) | UInt32(ConditionCoding.operators.firstIndex(of: ins.op)!) << 8)
            w.i32(ins.a)
            w.i32(ins.b)
            w.i32(ins.c)
        }
        w.u32(t.codes.count)
        w.align()
        for range in t.codes {
            w.u32(range.lowerBound)
            w.u32(range.upperBound)
        }
        w.u32(p.ints.count)
        for v in p.ints { w.i64(v) }
        w.u32(p.strings.count)
        for s in p.strings { w.data(s) }
        w.u32(p.sets.count)
        for set in p.sets {
            w.u32(set.ints.count)
            for v in set.ints { w.i64(v) }
            w.u32(set.strings.count)
            for s in set.strings { w.data(s) }
        }
        w.u32(p.zones.count)
        for z in p.zones { ConditionCoding.writeZone(z, &w) }
        w.u32(p.keys.count)
        for k in p.keys {
            ConditionCoding.writeMatcher(k.matcher, &w)
            w.u32(k.field)
        }
        for keys in t.support { lists(keys, &w) }
        for tests in t.proximity {
            w.u32(tests.count)
            for test in tests {
                w.i32(test.first)
                w.i32(test.second)
                w.i32(test.window)
                w.bool(test.ordered)
            }
        }
        lists(t.alwaysRules, &w)
        for rules in t.rulesByKey { lists(rules, &w) }
    }

    private static func lists(_ values: some Collection<Int32>, _ w: inout ByteWriter) {
        w.u32(values.count)
        for v in values { w.i32(v) }
    }

    /// Reads the tables of a rule set of `ruleCount` rules whose keys test `scope`'s lists and
    /// fields. Every index in a per-rule or per-key table is checked here against the count it
    /// indexes; the bytecode's operands are checked by `ProgramChecks`.
    static func read(_ r: inout ByteReader, ruleCount: Int, scope: ConditionCoding.Scope) throws(CompiledRulesError) -> RuleTables {
        var program = Program()
        let n = try r.count("instructions", minimumBytes: 16)
        let words = try r.table(n * 4, "instructions")
        // Written into the array's storage in one pass; the first bad instruction stops it and
        // is reported below.
        let operators = ConditionCoding.operators
        var bad = -1
        program.code = [Instruction](unsafeUninitializedCapacity: n) { out, written in
            for i in 0..<n {
                let head = UInt32(littleEndian: words[i &* 4])
                let opIndex = Int(head >> 8)
                guard opIndex < operators.count, let opcode = Opcode(rawValue: UInt8(truncatingIfNeeded: head)) else {
                    bad = i
                    return
                }
                (out.baseAddress! + i).initialize(
                    to: Instruction(
                        opcode: opcode, op: operators[opIndex], a: Int32(bitPattern: UInt32(littleEndian: words[i &* 4 &+ 1])),
                        b: Int32(bitPattern: UInt32(littleEndian: words[i &* 4 &+ 2])),
                        c: Int32(bitPattern: UInt32(littleEndian: words[i &* 4 &+ 3]))))
                written = i + 1
            }
        }
        if bad >= 0 {
            let head = UInt32(littleEndian: words[bad * 4])
            if head >> 16 != 0 || Opcode(rawValue: UInt8(truncatingIfNeeded: head)) == nil {
                throw r.corrupted("instruction \(bad) has opcode \(head & 0xFF) and flags \(head >> 8)")
            }
            throw r.corrupted("instruction \(bad) has comparison operator \(head >> 8)")
        }

        let ranges = try r.u32("count of rule programs")
        guard ranges == ruleCount else { throw r.corrupted("\(ranges) rule programs for \(ruleCount) rules") }
        let bounds = try r.table(ruleCount * 2, "rule programs")
        var codes: [Range<Int>] = []
        codes.reserveCapacity(ruleCount)
        for i in 0..<ruleCount {
            let start = Int(UInt32(littleEndian: bounds[i * 2])), end = Int(UInt32(littleEndian: bounds[i * 2 + 1]))
            guard start <= end, end <= n else { throw r.corrupted("rule \(i)'s program \(start)..<\(end) is outside the \(n) instructions") }
            codes.append(start..<end)
        }

        let ints = try r.count("int constants", minimumBytes: 8)
        program.ints.reserveCapacity(ints)
        for _ in 0..<ints { program.ints.append(try r.i64("int constant")) }
        let strings = try r.count("string constants", minimumBytes: 4)
        program.strings.reserveCapacity(strings)
        for _ in 0..<strings { program.strings.append(try r.data("string constant")) }
        let sets = try r.count("constant sets", minimumBytes: 8)
        program.sets = try readSets(&r, count: sets)
        let zones = try r.count("time zones", minimumBytes: 9)
        program.zones.reserveCapacity(zones)
        for _ in 0..<zones { program.zones.append(try ConditionCoding.readZone(&r)) }

        let keys = try r.count("keys", minimumBytes: 9)
        program.keys.reserveCapacity(keys)
        program.keyIndex.reserveCapacity(keys)
        for k in 0..<keys {
            let key = MatchKey(matcher: try ConditionCoding.readMatcher(&r, scope), field: try ConditionCoding.readMatchedField(&r, scope))
            guard program.keyIndex.updateValue(k, forKey: key) == nil else { throw r.corrupted("key \(k) repeats an earlier key") }
            program.keys.append(key)
        }

        let support = try rows(&r, count: ruleCount, below: keys, "support key")
        var proximityStarts: [Int32] = [0]
        proximityStarts.reserveCapacity(ruleCount + 1)
        var tests: [ProximitySupport] = []
        for _ in 0..<ruleCount {
            let m = try r.count("proximity tests", minimumBytes: 13)
            for _ in 0..<m {
                let first = try r.index(keys, "proximity key"), second = try r.index(keys, "proximity key")
                let window = try r.u32("proximity window")
                guard window <= UInt32(Limits.proximityWords) else { throw r.corrupted("proximity window \(window) words") }
                tests.append(
                    ProximitySupport(first: Int32(first), second: Int32(second), window: Int32(window), ordered: try r.bool("proximity order")))
            }
            proximityStarts.append(Int32(tests.count))
        }
        let always = try rows(&r, count: 1, below: ruleCount, "rule").items
        let byKey = try rows(&r, count: keys, below: ruleCount, "rule")
        return RuleTables(
            program: program, codes: codes, support: support, proximity: JaggedTable(items: tests, starts: proximityStarts),
            alwaysRules: always, rulesByKey: byKey)
    }

    /// The constant sets. Many repeat (the packs' 303 are 80 distinct: the same enum values
    /// tested by many rules), so a set whose bytes equal an earlier set's shares that set's
    /// arrays instead of allocating its own: each set is first stepped over (its lengths
    /// checked), and built only when its bytes are new.
    private static func readSets(_ r: inout ByteReader, count: Int) throws(CompiledRulesError) -> [ConstantSet] {
        var sets: [ConstantSet] = []
        sets.reserveCapacity(count)
        var size = 16
        while size < count * 2 { size <<= 1 }
        // Open addressing by the hash of a set's bytes: the index of the first set with them.
        var slots = [Int32](repeating: -1, count: size)
        var spans: [Range<Int>] = []
        spans.reserveCapacity(count)
        for _ in 0..<count {
            #if canImport(InvigilSIMD)
            ivg_prefetch_256(r.base + (r.offset &+ 512))  // the sets ahead (a walk from set to set)
            #endif
            let start = r.offset
            let m = try r.count("set ints", minimumBytes: 8)
            r.offset += m * 8
            let k = try r.count("set strings", minimumBytes: 4)
            for _ in 0..<k { try r.skipData("set string") }
            let span = start..<r.offset
            let bytes = UnsafeBufferPointer(start: (r.base + start).assumingMemoryBound(to: UInt8.self), count: span.count)
            var h = Int(truncatingIfNeeded: ByteStringTable.hash(bytes)) & (size - 1)
            var earlier = -1
            while slots[h] >= 0 {
                let j = Int(slots[h]), other = spans[j]
                if other.count == span.count && memcmp(r.base + other.lowerBound, r.base + start, span.count) == 0 {
                    earlier = j
                    break
                }
                h = (h + 1) & (size - 1)
            }
            if earlier >= 0 {
                sets.append(sets[earlier])
            } else {
                slots[h] = Int32(sets.count)
                var set = ConstantSet()
                var b = r
                b.offset = start
                _ = try b.u32("set ints")
                set.ints.reserveCapacity(m)
                for _ in 0..<m { set.ints.append(try b.i64("set int")) }
                _ = try b.u32("set strings")
                set.strings.reserveCapacity(k)
                for _ in 0..<k { set.strings.append(try b.data("set string")) }
                sets.append(set)
            }
            spans.append(span)
        }
        return sets
    }

    /// `count` lists, each a count and that many indices below `limit`, read into one flat table
    /// (two allocations, whatever the number of lists). Each list's count is checked against
    /// the bytes left before its indices are read, and each index in one pass over the list.
    private static func rows(_ r: inout ByteReader, count: Int, below limit: Int, _ what: @autoclosure () -> String)
        throws(CompiledRulesError) -> JaggedTable<Int32>
    {
        var starts: [Int32] = []
        starts.reserveCapacity(count + 1)
        starts.append(0)
        var items: [Int32] = []
        for _ in 0..<count {
            #if canImport(InvigilSIMD)
            ivg_prefetch_256(r.base + (r.offset &+ 512))  // the lists ahead (a walk from list to list)
            #endif
            let m = try r.count(what(), minimumBytes: 4)
            let base = r.base + r.offset
            var largest: UInt32 = 0
            for i in 0..<m {
                let v = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                largest = max(largest, v)
                items.append(Int32(bitPattern: v))
            }
            guard m == 0 || Int(largest) < limit else {
                throw r.corrupted("\(what()) \(largest) is out of range (\(limit) defined)")
            }
            r.offset += m * 4
            starts.append(Int32(items.count))
        }
        return JaggedTable(items: items, starts: starts)
    }
}
