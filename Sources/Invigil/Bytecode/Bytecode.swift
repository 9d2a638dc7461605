/// The predicate bytecode: a rule's condition as a flat program over one boolean register.
///
/// Tests set the register; `jumpIfFalse`/`jumpIfTrue` give `and`/`or` their short circuits;
/// `anyBegin`/`anyNext` loop a sub-program over the elements of a list-of-objects group. Field
/// names are resolved to slots and constants interned at compile time.
enum Opcode: UInt8 {
    case constant  // acc = a != 0
    case compareInt  // field a, op, constant ints[b]   (int and time fields)
    case compareEnum  // field a, op (== / !=), enum value b
    case compareBool  // field a, op (== / !=), b
    case compareString  // field a, op (== / !=), constant strings[b]
    case inSet  // field a in sets[b]
    case exists  // field a has a value
    case count  // key a, op, constant ints[b]
    case schedule  // time field a in schedule b, zone zones[c]
    case not
    case jumpIfFalse  // to a
    case jumpIfTrue  // to a
    case anyBegin  // group a; exit at b
    case anyNext  // group a; body at b
    case near  // key a near key b (either order), at most c words apart, one sentence
    case nearInOrder  // key a before key b, at most c words apart, one sentence
}

struct Instruction: Equatable {
    var opcode: Opcode
    var op: CompareOp = .eq
    var a: Int32 = 0
    var b: Int32 = 0
    var c: Int32 = 0
}

/// A set of constants for `in [..]`: ints (ints, enum indices, bools as 0/1) or byte strings.
struct ConstantSet: Equatable {
    var ints: [Int64] = []
    var strings: [[UInt8]] = []
}

/// A key is one (matcher, field) pair that some rule tests: a phrase list, host list or detector
/// in a field. Match counts and spans are kept per key.
struct MatchKey: Hashable {
    var matcher: Matcher
    var field: Int
}

/// Programs and their shared constant pools.
struct Program {
    var code: [Instruction] = []
    var ints: [Int64] = []
    var strings: [[UInt8]] = []
    var sets: [ConstantSet] = []
    var zones: [TimeZoneRule] = []
    var keys: [MatchKey] = []
    var keyIndex: [MatchKey: Int] = [:]
    private var intIndex: [Int64: Int] = [:]
    private var stringIndex: [[UInt8]: Int] = [:]

    mutating func key(_ k: MatchKey) -> Int {
        if let i = keyIndex[k] { return i }
        keyIndex[k] = keys.count
        keys.append(k)
        return keys.count - 1
    }

    mutating func int(_ v: Int64) -> Int32 {
        if let i = intIndex[v] { return Int32(i) }
        intIndex[v] = ints.count
        ints.append(v)
        return Int32(ints.count - 1)
    }

    mutating func string(_ v: [UInt8]) -> Int32 {
        if let i = stringIndex[v] { return Int32(i) }
        stringIndex[v] = strings.count
        strings.append(v)
        return Int32(strings.count - 1)
    }

    mutating func zone(_ z: TimeZoneRule) -> Int32 {
        if let i = zones.firstIndex(of: z) { return Int32(i) }
        zones.append(z)
        return Int32(zones.count - 1)
    }

    /// Compiles a condition; returns the entry point. Every program ends with `end` implied by
    /// the returned range.
    mutating func compile(_ c: Condition, fields: [FieldInfo]) -> Range<Int> {
        let start = code.count
        emit(c, fields)
        return start..<code.count
    }

    private mutating func emit(_ c: Condition, _ fields: [FieldInfo]) {
        switch c {
        case .constant(let b):
            code.append(Instruction(opcode: .constant, a: b ? 1 : 0))
        case .and(let parts), .or(let parts):
            var isAnd = false
            if case .and = c { isAnd = true }
            var patches: [Int] = []
            for (i, part) in parts.enumerated() {
                emit(part, fields)
                if i < parts.count - 1 {
                    patches.append(code.count)
                    code.append(Instruction(opcode: isAnd ? .jumpIfFalse : .jumpIfTrue))
                }
            }
            for p in patches { code[p].a = Int32(code.count) }
        case .not(let inner):
            emit(inner, fields)
            code.append(Instruction(opcode: .not))
        case .compare(let f, let op, let value):
            switch value {
            case .int(let v): code.append(Instruction(opcode: .compareInt, op: op, a: Int32(f), b: int(v)))
            case .enumValue(let v): code.append(Instruction(opcode: .compareEnum, op: op, a: Int32(f), b: v))
            case .bool(let v): code.append(Instruction(opcode: .compareBool, op: op, a: Int32(f), b: v ? 1 : 0))
            case .string(let v): code.append(Instruction(opcode: .compareString, op: op, a: Int32(f), b: string(v)))
            }
        case .inSet(let f, let values):
            var set = ConstantSet()
            for v in values {
                switch v {
                case .int(let x): set.ints.append(x)
                case .enumValue(let x): set.ints.append(Int64(x))
                case .bool(let x): set.ints.append(x ? 1 : 0)
                case .string(let x): set.strings.append(x)
                }
            }
            sets.append(set)
            code.append(Instruction(opcode: .inSet, a: Int32(f), b: Int32(sets.count - 1)))
        case .exists(let f):
            code.append(Instruction(opcode: .exists, a: Int32(f)))
        case .count(let m, let f, let op, let n):
            let k = key(MatchKey(matcher: m, field: f))
            code.append(Instruction(opcode: .count, op: op, a: Int32(k), b: int(n)))
        case .schedule(let f, let s, let z):
            code.append(Instruction(opcode: .schedule, a: Int32(f), b: Int32(s), c: zone(z)))
        case .near(let first, let second, let f, let window, let ordered):
            let a = key(MatchKey(matcher: first, field: f))
            let b = key(MatchKey(matcher: second, field: f))
            code.append(Instruction(opcode: ordered ? .nearInOrder : .near, a: Int32(a), b: Int32(b), c: Int32(window)))
        case .any(let g, let inner):
            let begin = code.count
            code.append(Instruction(opcode: .anyBegin, a: Int32(g)))
            let body = code.count
            emit(inner, fields)
            code.append(Instruction(opcode: .anyNext, a: Int32(g), b: Int32(body)))
            code[begin].b = Int32(code.count)
        }
    }
}

/// Which match keys a condition needs: if none of them matched, the condition cannot hold, so
/// the rule is not evaluated at all. `nil` means "no such requirement". The keys are distinct;
/// an array rather than a set because the lists are short and a set per node is an allocation
/// and a hash per key (this runs for every rule of every loaded compiled file).
func requiredKeys(_ c: Condition, _ keyOf: (Matcher, Int) -> Int?) -> [Int]? {
    switch c {
    case .count(let m, let f, let op, let n):
        // Holds only if the count is at least 1.
        let needsOne: Bool
        switch op {
        case .ge: needsOne = n >= 1
        case .gt: needsOne = n >= 0
        case .eq: needsOne = n >= 1
        default: needsOne = false
        }
        guard needsOne, let k = keyOf(m, f) else { return nil }
        return [k]
    case .and(let parts):
        var best: [Int]?
        for p in parts {
            if let r = requiredKeys(p, keyOf), best == nil || r.count < best!.count { best = r }
        }
        return best
    case .or(let parts):
        var all: [Int] = []
        for p in parts {
            guard let r = requiredKeys(p, keyOf) else { return nil }
            for k in r where !all.contains(k) { all.append(k) }
        }
        return all
    case .any(_, let inner):
        return requiredKeys(inner, keyOf)
    case .near(let first, let second, let f, _, _):
        // Both sides must match; one phrase key suffices to select the rule.
        if let k = keyOf(second, f) { return [k] }
        if let k = keyOf(first, f) { return [k] }
        return nil
    case .constant(false):
        return []
    default:
        return nil
    }
}

/// A proximity test in a positive position of a rule: its matching pairs support a finding.
struct ProximitySupport: Equatable {
    var first: Int32
    var second: Int32
    var window: Int32
    var ordered: Bool
}

/// The proximity tests in positive (not negated) positions, by their instructions' operands.
func proximitySupport(_ c: Condition, negated: Bool = false, keyOf: (MatchKey) -> Int?, into tests: inout [ProximitySupport]) {
    switch c {
    case .near(let first, let second, let f, let window, let ordered):
        guard !negated, let a = keyOf(MatchKey(matcher: first, field: f)), let b = keyOf(MatchKey(matcher: second, field: f)) else { return }
        let test = ProximitySupport(first: Int32(a), second: Int32(b), window: Int32(window), ordered: ordered)
        if !tests.contains(test) { tests.append(test) }
    case .and(let parts), .or(let parts):
        for p in parts { proximitySupport(p, negated: negated, keyOf: keyOf, into: &tests) }
    case .not(let inner):
        proximitySupport(inner, negated: !negated, keyOf: keyOf, into: &tests)
    case .any(_, let inner):
        proximitySupport(inner, negated: negated, keyOf: keyOf, into: &tests)
    default:
        break
    }
}

/// The keys whose matches support a finding: those tested in positive (not negated) positions.
func supportKeys(_ c: Condition, negated: Bool = false, into keys: inout [MatchKey]) {
    switch c {
    case .count(let m, let f, _, _):
        let k = MatchKey(matcher: m, field: f)
        if !negated, !keys.contains(k) { keys.append(k) }
    case .and(let parts), .or(let parts):
        for p in parts { supportKeys(p, negated: negated, into: &keys) }
    case .not(let inner):
        supportKeys(inner, negated: !negated, into: &keys)
    case .any(_, let inner):
        supportKeys(inner, negated: negated, into: &keys)
    default:
        break
    }
}
