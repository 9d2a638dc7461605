import Invigil

/// `automaton`: differential. The input is a flag byte, a pattern count, the patterns (each a
/// length byte then bytes) and the text. The Automaton's matches (pattern, start, end), in dense,
/// mixed dense/sparse and fully sparse layouts, must equal a naive matcher's: every position where
/// a pattern ends, comparing with ASCII case folded. Flags choose a small alphabet (so that
/// patterns overlap and match often), the dense budget, and a text repeated past the 16 KiB scan
/// block (so that block and lane boundaries are crossed).
enum FuzzAutomaton {
    static let alphabet: [UInt8] = Array("aAbB".utf8) + [0x00, 0xC3, 0xFF, 0x20]

    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        guard data.count >= 2 else { return }
        let flags = data[0]
        let small = flags & 1 != 0
        func map(_ b: UInt8) -> UInt8 { small ? alphabet[Int(b) % alphabet.count] : b }
        var i = 2
        var patterns: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        for _ in 0..<(Int(data[1]) % 48 + 1) {
            guard i < data.count else { break }
            let n = Int(data[i]) % 24
            i += 1
            let end = min(data.count, i + n)
            let p = data[i..<end].map(map)
            i = end
            // The compiler gives the automaton distinct, non-empty, case-folded patterns.
            let folded = p.map(fold)
            if folded.isEmpty || !seen.insert(folded).inserted { continue }
            patterns.append(folded)
        }
        if patterns.isEmpty { return }
        var text = i < data.count ? data[i...].map(map) : []
        if flags & 2 != 0, !text.isEmpty, patterns.count <= 8 {
            // Past one scan block: repeat the text to 20,000 bytes or more.
            let unit = text
            while text.count < 20_000 { text += unit }
        }
        let budgets = [24 << 20, 0, 64, 4096]
        let budget = budgets[Int(flags >> 2) % budgets.count]
        let automaton = Automaton(patterns: patterns, denseBudgetBytes: budget)
        if automaton.patternCount != patterns.count { fuzzFail("\(automaton.patternCount) patterns of \(patterns.count)") }

        var got = automaton.matches(in: text).map { Triple($0.pattern, $0.start, $0.end) }
        var want: [Triple] = []
        let folded = text.map(fold)
        folded.withUnsafeBufferPointer { t in
            for end in 1...max(1, t.count) where end <= t.count {
                for (k, p) in patterns.enumerated() where p.count <= end {
                    let start = end - p.count
                    var equal = true
                    for q in 0..<p.count where t[start + q] != p[q] { equal = false; break }
                    if equal { want.append(Triple(k, start, end)) }
                }
            }
        }
        // Hits come in order of end offset; within one end, any order.
        for (x, y) in zip(got, got.dropFirst()) where x.end > y.end { fuzzFail("matches out of order: \(x) before \(y)") }
        got.sort()
        want.sort()
        if got != want {
            let missing = want.filter { !got.contains($0) }.prefix(5)
            let extra = got.filter { !want.contains($0) }.prefix(5)
            fuzzFail(
                "automaton (budget \(budget), \(patterns.count) patterns, \(text.count) bytes): \(got.count) matches, naive \(want.count); missing \(Array(missing)), extra \(Array(extra))"
            )
        }
        // The raw scan's hit count equals the number of distinct match ends.
        var hits: [AutomatonHit] = []
        automaton.scan(text, into: &hits)
        let ends = Set(want.map(\.end)).count
        if hits.count != ends { fuzzFail("\(hits.count) hits for \(ends) match ends") }
    }

    @inline(__always) static func fold(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    struct Triple: Comparable, CustomStringConvertible {
        var pattern: Int, start: Int, end: Int
        init(_ p: Int, _ s: Int, _ e: Int) { pattern = p; start = s; end = e }
        static func < (a: Triple, b: Triple) -> Bool { (a.end, a.pattern, a.start) < (b.end, b.pattern, b.start) }
        var description: String { "p\(pattern)@\(start)..<\(end)" }
    }
}
