/// The encoding of checked conditions (the trees the bytecode is generated from), and their
/// validation on load: every index in range and every comparison of the type the checker allows,
/// so that the bytecode generated from a loaded tree never indexes outside its tables.
///
/// A condition is a tag byte and its operands, children in prefix order:
///
/// | tag | condition | operands |
/// |---|---|---|
/// | 0 | and | count u32, children |
/// | 1 | or | count u32, children |
/// | 2 | not | child |
/// | 3 | compare | field u32, op u8, constant |
/// | 4 | in set | field u32, count u32, constants |
/// | 5 | exists | field u32 |
/// | 6 | count | matcher, field u32, op u8, n i64 |
/// | 7 | schedule | field u32, schedule u32, zone |
/// | 8 | any | group u32, child |
/// | 9 | constant | bool u8 |
/// | 10 | near (proximity) | matcher, matcher, field u32, window u32, ordered u8 |
///
/// A matcher is a kind byte (0 phrase list, 1 host list, 2 detector) and an index u32.
enum ConditionCoding {
    static let operators = CompareOp.allCases

    static func write(_ c: Condition, to w: inout ByteWriter) {
        switch c {
        case .and(let parts), .or(let parts):
            if case .and = c { w.u8(0) } else { w.u8(1) }
            w.u32(parts.count)
            for p in parts { write(p, to: &w) }
        case .not(let inner):
            w.u8(2)
            write(inner, to: &w)
        case .compare(let f, let op, let value):
            w.u8(3); w.u32(f); writeOp(op, &w); writeConstant(value, &w)
        case .inSet(let f, let values):
            w.u8(4); w.u32(f); w.u32(values.count)
            for v in values { writeConstant(v, &w) }
        case .exists(let f):
            w.u8(5); w.u32(f)
        case .count(let m, let f, let op, let n):
            w.u8(6)
            writeMatcher(m, &w)
            w.u32(f); writeOp(op, &w); w.i64(n)
        case .near(let first, let second, let f, let window, let ordered):
            w.u8(10)
            writeMatcher(first, &w)
            writeMatcher(second, &w)
            w.u32(f); w.u32(window); w.bool(ordered)
        case .schedule(let f, let s, let zone):
            w.u8(7); w.u32(f); w.u32(s)
            writeZone(zone, &w)
        case .any(let g, let inner):
            w.u8(8); w.u32(g)
            write(inner, to: &w)
        case .constant(let b):
            w.u8(9); w.bool(b)
        }
    }

    static func writeMatcher(_ m: Matcher, _ w: inout ByteWriter) {
        switch m {
        case .phrases(let l): w.u8(0); w.u32(l)
        case .hosts(let h): w.u8(1); w.u32(h)
        case .detector(let d): w.u8(2); w.u32(d.rawValue)
        }
    }

    static func readMatcher(_ r: inout ByteReader, _ scope: Scope) throws(CompiledRulesError) -> Matcher {
        switch try r.u8("matcher kind") {
        case 0: return .phrases(try r.index(scope.phraseListCount, "phrase list"))
        case 1: return .hosts(try r.index(scope.hostListCount, "host list"))
        case 2:
            let d = try r.index(Detector.allCases.count, "detector")
            return .detector(Detector(rawValue: d)!)
        case let k: throw r.corrupted("unknown matcher kind \(k)")
        }
    }

    /// A field a list or detector tests: text or string.
    static func readMatchedField(_ r: inout ByteReader, _ scope: Scope) throws(CompiledRulesError) -> Int {
        let f = try r.index(scope.fields.count, "field")
        let kind = scope.fields[f].kind
        guard kind == .text || kind == .string else {
            throw r.corrupted("a list or detector tests \(kind.name) field '\(scope.fields[f].name)'")
        }
        return f
    }

    static func writeOp(_ op: CompareOp, _ w: inout ByteWriter) {
        w.u8(UInt8(operators.firstIndex(of: op)!))
    }

    static func writeConstant(_ k: Constant, _ w: inout ByteWriter) {
        switch k {
        case .int(let v): w.u8(0); w.i64(v)
        case .bool(let v): w.u8(1); w.bool(v)
        case .enumValue(let v): w.u8(2); w.i32(v)
        case .string(let v): w.u8(3); w.data(v)
        }
    }

    /// What a condition may refer to.
    struct Scope {
        var fields: [FieldInfo]
        var groupCount: Int
        var phraseListCount: Int
        var hostListCount: Int
        var scheduleCount: Int
        /// The program's keys, when the conditions come with a stored program: every key a
        /// condition tests must be one of them (the tree evaluator looks them up).
        var programKeys: ProgramKeySet? = nil

        func checkKey(_ r: ByteReader, _ matcher: Matcher, _ field: Int) throws(CompiledRulesError) {
            if let programKeys, !programKeys.contains(matcher, field) {
                throw r.corrupted("a condition tests a list or detector in field '\(fields[field].name)' that the program has no key for")
            }
        }
    }

    /// The largest offset of a fixed time zone, in seconds (UTC±14:59).
    static let maximumZoneOffset: Int64 = 14 * 3600 + 59 * 60

    static func read(_ r: inout ByteReader, _ scope: Scope) throws(CompiledRulesError) -> Condition {
        // Built whenever asked to build.
        try node(&r, scope, depth: 0, inAny: false, build: true)!
    }

    /// Checks a condition as `read` does, without building it (nothing is allocated): what the
    /// loader does for conditions it decodes only on first use.
    static func check(_ r: inout ByteReader, _ scope: Scope) throws(CompiledRulesError) {
        _ = try node(&r, scope, depth: 0, inAny: false, build: false)
    }

    /// One condition: read, checked, and built when `build` (else nil). One function for both,
    /// so that what the loader checks is exactly what the first use decodes.
    private static func node(_ r: inout ByteReader, _ scope: Scope, depth: Int, inAny: Bool, build: Bool) throws(CompiledRulesError)
        -> Condition?
    {
        // The checker bounds nesting; a file that nests deeper is not one it wrote, and the
        // recursion here and in the bytecode compiler must stay bounded.
        guard depth <= Limits.conditionDepth * 2 + 8 else { throw r.corrupted("conditions nested too deeply") }
        let tag = try r.u8("condition tag")
        switch tag {
        case 0, 1:
            let n = try r.count("condition operands", minimumBytes: 1)
            var parts: [Condition] = []
            if build { parts.reserveCapacity(n) }
            for _ in 0..<n {
                let part = try node(&r, scope, depth: depth + 1, inAny: inAny, build: build)
                if let part { parts.append(part) }
            }
            guard build else { return nil }
            return tag == 0 ? .and(parts) : .or(parts)
        case 2:
            let inner = try node(&r, scope, depth: depth + 1, inAny: inAny, build: build)
            return inner.map { .not($0) }
        case 3:
            let f = try r.index(scope.fields.count, "field")
            let op = try readOp(&r)
            let value = try readConstant(&r, field: f, scope, build: build)
            let kind = scope.fields[f].kind
            if op != .eq && op != .ne && kind != .int && kind != .time {
                throw r.corrupted("'\(op.rawValue)' on \(kind.name) field '\(scope.fields[f].name)'")
            }
            return build ? value.map { .compare(field: f, op: op, value: $0) } : nil
        case 4:
            let f = try r.index(scope.fields.count, "field")
            let n = try r.count("set values", minimumBytes: 2)
            var values: [Constant] = []
            if build { values.reserveCapacity(n) }
            for _ in 0..<n {
                let value = try readConstant(&r, field: f, scope, build: build)
                if let value { values.append(value) }
            }
            return build ? .inSet(field: f, values: values) : nil
        case 5:
            let f = try r.index(scope.fields.count, "field")
            return build ? .exists(field: f) : nil
        case 6:
            let matcher: Matcher
            switch try r.u8("matcher kind") {
            case 0: matcher = .phrases(try r.index(scope.phraseListCount, "phrase list"))
            case 1: matcher = .hosts(try r.index(scope.hostListCount, "host list"))
            case 2:
                let d = try r.index(Detector.allCases.count, "detector")
                matcher = .detector(Detector(rawValue: d)!)
            case let k: throw r.corrupted("unknown matcher kind \(k)")
            }
            let f = try r.index(scope.fields.count, "field")
            let kind = scope.fields[f].kind
            guard kind == .text || kind == .string else {
                throw r.corrupted("a list or detector tests \(kind.name) field '\(scope.fields[f].name)'")
            }
            let op = try readOp(&r)
            let n = try r.i64("count")
            try scope.checkKey(r, matcher, f)
            return build ? .count(matcher: matcher, field: f, op: op, n: n) : nil
        case 7:
            let f = try r.index(scope.fields.count, "field")
            guard scope.fields[f].kind == .time else { throw r.corrupted("schedule test on non-time field '\(scope.fields[f].name)'") }
            let s = try r.index(scope.scheduleCount, "schedule")
            let zone = try readZone(&r)
            return build ? .schedule(field: f, schedule: s, zone: zone) : nil
        case 8:
            // The bytecode's loop over a group cannot nest (the checker forbids it).
            guard !inAny else { throw r.corrupted("nested 'any'") }
            let g = try r.index(scope.groupCount, "group")
            let inner = try node(&r, scope, depth: depth + 1, inAny: true, build: build)
            return inner.map { .any(group: g, $0) }
        case 9:
            let b = try r.bool("constant")
            return build ? .constant(b) : nil
        case 10:
            let first = try readMatcher(&r, scope)
            let second = try readMatcher(&r, scope)
            let f = try readMatchedField(&r, scope)
            let window = try r.u32("proximity window")
            guard window <= UInt32(Limits.proximityWords) else { throw r.corrupted("proximity window \(window) words") }
            let ordered = try r.bool("proximity order")
            try scope.checkKey(r, first, f)
            try scope.checkKey(r, second, f)
            return build ? .near(first: first, second: second, field: f, window: Int(window), ordered: ordered) : nil
        default:
            throw r.corrupted("unknown condition tag \(tag)")
        }
    }

    static func writeZone(_ zone: TimeZoneRule, _ w: inout ByteWriter) {
        switch zone {
        case .utc: w.u8(0); w.i64(0)
        case .fixed(let seconds): w.u8(1); w.i64(seconds)
        case .europeanSummer(let standard): w.u8(2); w.i64(standard)
        }
    }

    static func readZone(_ r: inout ByteReader) throws(CompiledRulesError) -> TimeZoneRule {
        let zoneKind = try r.u8("time zone kind")
        let offset = try r.i64("time zone offset")
        guard offset >= -maximumZoneOffset && offset <= maximumZoneOffset else { throw r.corrupted("time zone offset \(offset) s") }
        switch zoneKind {
        case 0: return .utc
        case 1: return .fixed(seconds: offset)
        case 2: return .europeanSummer(standardOffset: offset)
        default: throw r.corrupted("unknown time zone kind \(zoneKind)")
        }
    }

    static func readOp(_ r: inout ByteReader) throws(CompiledRulesError) -> CompareOp {
        operators[try r.smallIndex(operators.count, "comparison operator")]
    }

    /// A constant, which must be of the representation the field's kind uses.
    /// (The field is passed by slot: a `FieldInfo` passed by value is retained field by field.)
    static func readConstant(_ r: inout ByteReader, field f: Int, _ scope: Scope, build: Bool = true) throws(CompiledRulesError)
        -> Constant?
    {
        let tag = try r.u8("constant tag")
        let k: Constant?
        let fits: Bool
        switch tag {
        case 0:
            k = .int(try r.i64("int constant"))
            fits = scope.fields[f].kind == .int || scope.fields[f].kind == .time
        case 1:
            k = .bool(try r.bool("bool constant"))
            fits = scope.fields[f].kind == .bool
        case 2:
            let v = try r.i32("enum constant")
            guard v >= 0 && Int(v) < scope.fields[f].enumValues.count else { throw r.corrupted("enum value \(v) of field '\(scope.fields[f].name)'") }
            k = .enumValue(v)
            fits = scope.fields[f].kind == .enumeration
        case 3:
            if build {
                k = .string(try r.data("string constant"))
            } else {
                try r.skipData("string constant")
                k = nil
            }
            fits = scope.fields[f].kind == .string || scope.fields[f].kind == .text
        default:
            throw r.corrupted("unknown constant tag \(tag)")
        }
        guard fits else { throw r.corrupted("constant of the wrong type for \(scope.fields[f].kind.name) field '\(scope.fields[f].name)'") }
        // Nothing is built in checking mode: a node built there would be allocated and freed.
        return build ? k : nil
    }
}
