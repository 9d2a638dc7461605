import Invigil

/// `rules`: the input is rule source. It must compile or be refused with diagnostics, never trap
/// or hang. A rule set that compiles is then given an event derived from the input (every declared
/// field set, strings to the source text itself so that its phrases occur) and its examples; each
/// scan's findings must agree with the tree evaluator (the bytecode's reference).
enum FuzzRules {
    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(data)
        let rules: RuleSet
        do {
            // A name in a folder that does not exist: includes fail to read instead of reading files.
            rules = try RuleSet.compile(bytes: bytes, name: "/nonexistent-invigil-fuzz/fuzz.rules")
        } catch {
            if error.diagnostics.isEmpty { fuzzFail("compile failed without a diagnostic") }
            for d in error.diagnostics { _ = d.description }
            return
        }
        let scanner = Scanner(rules: rules)
        fill(scanner, data)
        _ = scanner.scan()
        check(scanner, "derived event")
        for example in ((try? rules.examples) ?? []).prefix(8) {
            do {
                try scanner.scanJSON(example.json)
                check(scanner, "example")
            } catch {
                _ = error.description
            }
        }
    }

    /// Sets every declared field from the input.
    static func fill(_ scanner: Scanner, _ data: UnsafeBufferPointer<UInt8>) {
        var h = data.fnv
        func next() -> UInt64 { h = h &* 6364136223846793005 &+ 1442695040888963407; return h >> 33 }
        for (slot, field) in scanner.rules.fields.enumerated() {
            let count = field.isList ? Int(next() % 3) : 1
            for k in 0..<count {
                let append = field.isList && k > 0
                do throws(FieldError) {
                    switch field.kind {
                    case .string, .text:
                        // A window of the source, so that its phrases and hosts appear.
                        let n = data.count
                        let start = n == 0 ? 0 : Int(next() % UInt64(n))
                        let len = n == 0 ? 0 : Int(next() % UInt64(n - start + 1))
                        var slice = Array(data[start..<(start + len)])
                        if !validUTF8(slice) { slice = Array(String(decoding: slice, as: UTF8.self).utf8) }
                        try slice.withUnsafeBufferPointer { b throws(FieldError) in
                            try scanner.setString(slot: slot, b, append: append, element: nil)
                        }
                    case .enumeration:
                        let values = field.enumValues
                        if values.isEmpty { continue }
                        let v = Array(values[Int(next() % UInt64(values.count))].utf8)
                        try v.withUnsafeBufferPointer { b throws(FieldError) in
                            try scanner.setString(slot: slot, b, append: append, element: nil)
                        }
                    case .bool:
                        try scanner.setBool(slot: slot, next() & 1 == 1, append: append, element: nil)
                    case .int:
                        try scanner.setInt(slot: slot, Int64(bitPattern: next()) % 200 - 100, append: append, element: nil)
                    case .time:
                        // 2020 .. 2027, any time of day.
                        try scanner.setInt(slot: slot, 1_577_836_800 + Int64(next() % 250_000_000), append: append, element: nil)
                    }
                } catch {
                    fuzzFail("setting declared field \(field.name) (\(field.typeDescription)): \(error)")
                }
            }
        }
    }

    static func check(_ scanner: Scanner, _ what: String) {
        checkFindings(scanner)
        if scanner.timedOut { fuzzFail("timed out without a budget") }
        let fired = Set(scanner.findings.map(\.rule))
        for r in scanner.rules.rules.indices {
            let applies = scanner.packApplies(rule: r)
            let reference = applies && scanner.evaluateTree(rule: r)
            if reference != fired.contains(r) {
                fuzzFail("\(what): rule \(scanner.rules.rules[r].name): bytecode \(fired.contains(r)), tree \(reference) (pack applies: \(applies))")
            }
        }
    }
}

func validUTF8(_ bytes: [UInt8]) -> Bool {
    var it = bytes.makeIterator()
    var d = UTF8()
    while true {
        switch d.decode(&it) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}
