/// A direct, recursive evaluator of a rule's checked condition tree. It is the reference the
/// bytecode is tested against, and it produces the explanation `invigil explain` prints.
package struct ConditionTrace: Sendable {
    /// Indentation depth.
    package var depth: Int
    /// The condition in the rule language's syntax.
    package var text: String
    /// Whether it held.
    package var held: Bool
}

extension Scanner {
    /// Evaluates rule `index`'s condition tree directly (not the bytecode) against the current
    /// event, after `scan()` (or `setJSON`) has set it. Returns the result and, when `trace` is
    /// given, a line per condition node.
    package func evaluateTree(rule index: Int, trace: UnsafeMutablePointer<[ConditionTrace]>? = nil) -> Bool {
        // The tree reads the counts of rules that could not fire, which a scan may have skipped.
        scanFullyIfPassesWereSkipped()
        return evalTree(rules.conditions[index], group: -1, element: 0, depth: 0, trace: trace)
    }

    /// Whether the rule's pack judges the current event (school code).
    package func packApplies(rule index: Int) -> Bool {
        packAllowed[Int(rules.rulePack[index])]
    }

    private func render(_ c: Condition) -> String {
        func fieldName(_ f: Int) -> String { rules.fields[f].name }
        func constant(_ f: Int, _ k: Constant) -> String {
            switch k {
            case .int(let v): return rules.fields[f].kind == .time ? "\"\(CivilTime.format(v))\"" : "\(v)"
            case .bool(let b): return "\(b)"
            case .enumValue(let i): return i >= 0 && Int(i) < rules.fields[f].enumValues.count ? rules.fields[f].enumValues[Int(i)] : "?"
            case .string(let s): return "\"\(String(decoding: s, as: UTF8.self))\""
            }
        }
        func matcher(_ m: Matcher) -> String { rules.matcherNames[patternIndex(m)] }
        switch c {
        case .and: return "all of:"
        case .or: return "any of:"
        case .not: return "not:"
        case .constant(let b): return b ? "true" : "false (invalid condition)"
        case .compare(let f, let op, let v): return "\(fieldName(f)) \(op.rawValue) \(constant(f, v))"
        case .inSet(let f, let vs): return "\(fieldName(f)) in [\(vs.map { constant(f, $0) }.joined(separator: ", "))]"
        case .exists(let f): return "exists(\(fieldName(f)))"
        case .count(let m, let f, let op, let n):
            if op == .ge && n == 1 { return "\(matcher(m)) in \(fieldName(f))" }
            return "count(\(matcher(m)) in \(fieldName(f))) \(op.rawValue) \(n)"
        case .schedule(let f, let s, _): return "\(fieldName(f)) in \(rules.schedules[s].name)"
        case .any(let g, _): return "any \(rules.groups[g]):"
        case .near(let a, let b, let f, let window, let ordered):
            return "\(matcher(a)) \(ordered ? "before" : "near") \(matcher(b)) within \(window) word\(window == 1 ? "" : "s") in \(fieldName(f))"
        }
    }

    private func evalTree(
        _ c: Condition, group: Int32, element: Int32, depth: Int,
        trace: UnsafeMutablePointer<[ConditionTrace]>?
    ) -> Bool {
        let traceIndex = trace?.pointee.count ?? 0
        trace?.pointee.append(ConditionTrace(depth: depth, text: render(c), held: false))
        var result: Bool
        switch c {
        case .constant(let b):
            result = b
        case .and(let parts):
            result = true
            for p in parts where !evalTree(p, group: group, element: element, depth: depth + 1, trace: trace) {
                result = false
                if trace == nil { break }
            }
        case .or(let parts):
            result = false
            for p in parts where evalTree(p, group: group, element: element, depth: depth + 1, trace: trace) {
                result = true
                if trace == nil { break }
            }
        case .not(let inner):
            result = !evalTree(inner, group: group, element: element, depth: depth + 1, trace: trace)
        case .compare(let f, let op, let k):
            result = fieldValues(f, group, element).contains { v in
                switch k {
                case .int(let x): return op.holds(v.a, x)
                case .bool(let b): return op == .eq ? (v.a != 0) == b : (v.a != 0) != b
                case .enumValue(let x): return op == .eq ? v.a == Int64(x) : v.a != Int64(x)
                case .string(let s):
                    let equal = arena[Int(v.a)..<Int(v.a + v.b)].elementsEqual(s)
                    return op == .eq ? equal : !equal
                }
            }
        case .inSet(let f, let ks):
            result = fieldValues(f, group, element).contains { v in
                ks.contains { k in
                    switch k {
                    case .int(let x): return v.a == x
                    case .bool(let b): return (v.a != 0) == b
                    case .enumValue(let x): return v.a == Int64(x)
                    case .string(let s): return arena[Int(v.a)..<Int(v.a + v.b)].elementsEqual(s)
                    }
                }
            }
        case .exists(let f):
            result = !fieldValues(f, group, element).isEmpty
        case .count(let m, let f, let op, let n):
            let key = rules.program.keyIndex[MatchKey(matcher: m, field: f)]!
            result = op.holds(count(key: key), n)
            if let trace, result || count(key: key) > 0 {
                let excerpts = spans.filter { Int($0.key) == key }.prefix(5).map { s -> String in
                    "\""
                        + String(
                            decoding: bytes(field: Int(s.field), valueIndex: Int(s.value))
                                .dropFirst(Int(s.start)).prefix(Int(s.end - s.start)), as: UTF8.self) + "\"@\(s.start)"
                }
                trace.pointee[traceIndex].text +=
                    "   [\(count(key: key)) match\(count(key: key) == 1 ? "" : "es"): \(excerpts.joined(separator: ", "))]"
            }
        case .schedule(let f, let s, let zone):
            result = fieldValues(f, group, element).contains { v in
                let (wd, minute) = CivilTime.local(v.a, in: zone)
                return rules.schedules[s].contains(weekday: wd, minute: minute)
            }
        case .near(let a, let b, let f, let window, let ordered):
            let ka = rules.program.keyIndex[MatchKey(matcher: a, field: f)]!
            let kb = rules.program.keyIndex[MatchKey(matcher: b, field: f)]!
            result = near(ka, kb, window: window, ordered: ordered)
            if let trace {
                let na = count(key: ka), nb = count(key: kb)
                var pairs: [String] = []
                if result {
                    nearPairs(ka, kb, window: window, ordered: ordered) { x, y in
                        guard pairs.count < 5 else { return }
                        let (p, q) = x.start <= y.start ? (x, y) : (y, x)
                        let text = bytes(field: Int(p.field), valueIndex: Int(p.value))
                        let excerpt = String(decoding: text.dropFirst(Int(p.start)).prefix(Int(q.end - p.start)), as: UTF8.self)
                        pairs.append("\"" + excerpt + "\"@\(p.start)")
                    }
                }
                trace.pointee[traceIndex].text +=
                    "   [matches: \(na) and \(nb)"
                    + (pairs.isEmpty ? ", none near enough" : "; near: " + pairs.joined(separator: ", ")) + "]"
            }
        case .any(let g, let inner):
            result = false
            let n = groupCounts[g]
            var e: Int32 = 0
            while e < n {
                if evalTree(inner, group: Int32(g), element: e, depth: depth + 1, trace: trace) {
                    result = true
                    if trace == nil { break }
                }
                e += 1
            }
        }
        trace?.pointee[traceIndex].held = result
        return result
    }

    private func fieldValues(_ f: Int, _ group: Int32, _ element: Int32) -> [EventValue] {
        if group >= 0 && rules.groupOfField[f] == group { return values.of(f).filter { $0.element == element } }
        return Array(values.of(f))
    }
}
