/// The one-pass check of a loaded program (docs/compiled-format.md, "What is checked"): what
/// `Scanner.evaluate` relies on and nothing compiles again. For each rule's range of
/// instructions:
///
/// - every operand that indexes something is in range: fields, groups, keys, int and string
///   constants, constant sets, schedules and time zones;
/// - a test that reads a field as bytes (`compareString`) is of a string or text field, and a
///   schedule test of a time field, as the checker requires (the scanner reads their values as
///   byte ranges and timestamps);
/// - a proximity window is within the language's limit;
/// - jumps go forward and land inside the rule (at most its end);
/// - `anyBegin`/`anyNext` pair up as the compiler emits them: a loop's `anyNext` jumps back to
///   the instruction after its own `anyBegin`, whose exit is just past the `anyNext`, and loops
///   do not nest. With forward jumps, this bounds every evaluation: the only backward jump is a
///   loop's, which advances the element each time and nothing inside the loop resets.
///
/// A program that passes may still differ from what the conditions compile to (a file written
/// by hand can say anything, as rule sources can); it cannot make a scan trap, hang or read
/// outside its tables.
enum ProgramChecks {
    struct Context {
        var fields: [FieldInfo]
        var groupCount: Int
        var scheduleCount: Int
    }

    static func check(_ t: RuleTables, _ context: Context) throws(CompiledRulesError) {
        let p = t.program
        let fieldCount = context.fields.count
        // The kinds alone: reading `fields[f].kind` per instruction copied the field's record.
        let kinds = context.fields.map { $0.kind }
        for (rule, range) in t.codes.enumerated() {
            func refuse(_ pc: Int, _ what: String) -> CompiledRulesError {
                CompiledRulesError(
                    .corrupted, "corrupted compiled rule file: program section: rule \(rule), instruction \(pc - range.lowerBound): \(what)")
            }
            func field(_ pc: Int, _ f: Int32) throws(CompiledRulesError) -> FieldKind {
                guard f >= 0, Int(f) < fieldCount else { throw refuse(pc, "field \(f) is out of range (\(fieldCount) defined)") }
                return kinds[Int(f)]
            }
            func index(_ pc: Int, _ v: Int32, _ limit: Int, _ what: String) throws(CompiledRulesError) {
                guard v >= 0, Int(v) < limit else { throw refuse(pc, "\(what) \(v) is out of range (\(limit) defined)") }
            }
            func target(_ pc: Int, _ v: Int32) throws(CompiledRulesError) {
                guard Int(v) > pc, Int(v) <= range.upperBound else {
                    throw refuse(pc, "jump to \(Int(v) - range.lowerBound) is not forward inside the rule (\(range.count) instructions)")
                }
            }
            var openLoop = -1
            for pc in range {
                let ins = p.code[pc]
                switch ins.opcode {
                case .constant, .not:
                    break
                case .jumpIfFalse, .jumpIfTrue:
                    try target(pc, ins.a)
                case .compareInt:
                    _ = try field(pc, ins.a)
                    try index(pc, ins.b, p.ints.count, "int constant")
                case .compareEnum, .compareBool, .exists:
                    _ = try field(pc, ins.a)
                case .compareString:
                    let kind = try field(pc, ins.a)
                    guard kind == .string || kind == .text else { throw refuse(pc, "a string comparison of \(kind.name) field \(ins.a)") }
                    try index(pc, ins.b, p.strings.count, "string constant")
                case .inSet:
                    _ = try field(pc, ins.a)
                    try index(pc, ins.b, p.sets.count, "constant set")
                case .count:
                    try index(pc, ins.a, p.keys.count, "key")
                    try index(pc, ins.b, p.ints.count, "int constant")
                case .schedule:
                    let kind = try field(pc, ins.a)
                    guard kind == .time else { throw refuse(pc, "a schedule test of \(kind.name) field \(ins.a)") }
                    try index(pc, ins.b, context.scheduleCount, "schedule")
                    try index(pc, ins.c, p.zones.count, "time zone")
                case .near, .nearInOrder:
                    try index(pc, ins.a, p.keys.count, "key")
                    try index(pc, ins.b, p.keys.count, "key")
                    guard ins.c >= 0, ins.c <= Limits.proximityWords else { throw refuse(pc, "proximity window \(ins.c) words") }
                case .anyBegin:
                    guard openLoop < 0 else { throw refuse(pc, "a loop inside a loop") }
                    try index(pc, ins.a, context.groupCount, "group")
                    try target(pc, ins.b)
                    // The exit is just past this loop's `anyNext`.
                    let next = Int(ins.b) - 1
                    guard next > pc, p.code[next].opcode == .anyNext, p.code[next].a == ins.a, Int(p.code[next].b) == pc + 1 else {
                        throw refuse(pc, "a loop whose end does not match its start")
                    }
                    openLoop = pc
                case .anyNext:
                    // Its `anyBegin` (checked above) named this instruction as its end.
                    guard openLoop >= 0, Int(p.code[openLoop].b) == pc + 1 else { throw refuse(pc, "the end of a loop that did not start") }
                    openLoop = -1
                }
            }
            if openLoop >= 0 { throw refuse(openLoop, "a loop that does not end") }
        }
    }
}
