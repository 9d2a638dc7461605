extension Scanner {
    /// Runs one rule's program against the current event.
    func evaluate(_ range: Range<Int>) -> Bool {
        program.code.withUnsafeBufferPointer { code in
            var pc = range.lowerBound
            let end = range.upperBound
            var acc = false
            var group: Int32 = -1
            var element: Int32 = 0
            var groupSize: Int32 = 0
            while pc < end {
                let ins = code[pc]
                pc += 1
                switch ins.opcode {
                case .constant:
                    acc = ins.a != 0
                case .jumpIfFalse:
                    if !acc { pc = Int(ins.a) }
                case .jumpIfTrue:
                    if acc { pc = Int(ins.a) }
                case .not:
                    acc = !acc
                case .compareInt:
                    let k = program.ints[Int(ins.b)]
                    acc = anyValue(Int(ins.a), group, element) { ins.op.holds($0.a, k) }
                case .compareEnum, .compareBool:
                    let k = Int64(ins.b)
                    acc =
                        ins.op == .eq
                        ? anyValue(Int(ins.a), group, element) { $0.a == k }
                        : anyValue(Int(ins.a), group, element) { $0.a != k }
                case .compareString:
                    let k = program.strings[Int(ins.b)]
                    let eq = ins.op == .eq
                    acc = anyValue(Int(ins.a), group, element) { v in
                        arena[Int(v.a)..<Int(v.a + v.b)].elementsEqual(k) == eq
                    }
                case .inSet:
                    let set = program.sets[Int(ins.b)]
                    let f = Int(ins.a)
                    if rules.fields[f].kind == .string || rules.fields[f].kind == .text {
                        acc = anyValue(f, group, element) { v in
                            let bytes = arena[Int(v.a)..<Int(v.a + v.b)]
                            return set.strings.contains { $0.elementsEqual(bytes) }
                        }
                    } else {
                        acc = anyValue(f, group, element) { set.ints.contains($0.a) }
                    }
                case .exists:
                    acc = anyValue(Int(ins.a), group, element) { _ in true }
                case .count:
                    acc = ins.op.holds(count(key: Int(ins.a)), program.ints[Int(ins.b)])
                case .schedule:
                    let schedule = rules.schedules[Int(ins.b)]
                    let zone = program.zones[Int(ins.c)]
                    acc = anyValue(Int(ins.a), group, element) { v in
                        let (weekday, minute) = CivilTime.local(v.a, in: zone)
                        return schedule.contains(weekday: weekday, minute: minute)
                    }
                case .near:
                    acc = near(Int(ins.a), Int(ins.b), window: Int(ins.c), ordered: false)
                case .nearInOrder:
                    acc = near(Int(ins.a), Int(ins.b), window: Int(ins.c), ordered: true)
                case .anyBegin:
                    groupSize = groupCounts[Int(ins.a)]
                    if groupSize == 0 {
                        acc = false
                        pc = Int(ins.b)
                    } else {
                        group = ins.a
                        element = 0
                    }
                case .anyNext:
                    if acc {
                        group = -1
                    } else {
                        element += 1
                        if element < groupSize {
                            pc = Int(ins.b)
                        } else {
                            acc = false
                            group = -1
                        }
                    }
                }
            }
            return acc
        }
    }

    /// Whether some value of a field satisfies `test`; inside `any`, only the current element's.
    @inline(__always)
    func anyValue(_ field: Int, _ group: Int32, _ element: Int32, _ test: (EventValue) -> Bool) -> Bool {
        let restrict = group >= 0 && groupOfField[field] == group
        for v in values.of(field) {
            if restrict && v.element != element { continue }
            if test(v) { return true }
        }
        return false
    }
}
