/// A multi-pattern matcher (Aho-Corasick) over ASCII-case-folded bytes.
///
/// States are numbered in breadth-first order. The first `denseStateCount` states, the shallow ones
/// where a scan spends most of its time, have full transition rows over the byte classes, with
/// failure transitions already resolved: one table load per byte. Deeper states, when the whole
/// automaton would not fit the dense budget, keep only their own (sparse) transitions and a
/// failure link. See docs/design.md.
///
/// ```swift
/// let automaton = Automaton(patterns: [Array("he".utf8), Array("she".utf8)])
/// var hits: [AutomatonHit] = []
/// automaton.scan(Array("ushers".utf8), into: &hits)   // "she" ending at 4, "he" ending at 4
/// ```
public final class Automaton: Sendable {
    /// Byte → class, with ASCII upper case folded onto lower case first.
    let classOf: [UInt8]
    public let classCount: Int
    public let stateCount: Int
    /// States below this id have dense rows.
    public let denseStateCount: Int
    /// Dense rows. Entry = (target << shift) | matchBit where the target is premultiplied by
    /// `classCount` in fully dense automata and a plain state id otherwise.
    let dense: [UInt32]
    let premultiplied: Bool
    /// Sparse transitions of states ≥ `denseStateCount`: labels and flagged targets, per state.
    let sparseStart: [UInt32]
    let sparseLabels: [UInt8]
    let sparseTargets: [UInt32]
    let fail: [UInt32]
    /// Pattern ids reported at each state (own and inherited through failure links).
    let outputStart: [UInt32]
    let outputs: [UInt32]
    public let patternLengths: [UInt32]

    static let matchBit: UInt32 = 0x8000_0000
    static let stateMask: UInt32 = 0x7FFF_FFFF

    /// Bytes of automaton tables, for reporting.
    public var memoryBytes: Int {
        dense.count * 4 + sparseStart.count * 4 + sparseLabels.count + sparseTargets.count * 4 + fail.count * 4
            + outputStart.count * 4 + outputs.count * 4 + patternLengths.count * 4 + 256
    }

    public var patternCount: Int { patternLengths.count }

    @inline(__always) static func fold(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// Builds the automaton. `denseBudgetBytes` bounds the dense rows.
    public init(patterns: [[UInt8]], denseBudgetBytes: Int = 24 << 20) {
        // Byte classes: each byte that occurs in a pattern (folded) gets a class; all others share 0.
        var classes = [UInt8](repeating: 0, count: 256)
        var used = [Bool](repeating: false, count: 256)
        for p in patterns { for b in p { used[Int(Automaton.fold(b))] = true } }
        var next: UInt8 = 1
        for b in 0..<256 where used[b] {
            classes[b] = next
            next &+= 1
        }
        var classOf = [UInt8](repeating: 0, count: 256)
        for b in 0..<256 { classOf[b] = classes[Int(Automaton.fold(UInt8(b)))] }
        let C = Int(next)
        self.classOf = classOf
        self.classCount = C

        // Trie with first-child / next-sibling lists.
        var firstChild: [Int32] = [-1]
        var sibling: [Int32] = [-1]
        var label: [UInt8] = [0]
        var terminal: [[UInt32]] = [[]]
        firstChild.reserveCapacity(patterns.count * 8)
        for (pid, p) in patterns.enumerated() {
            var s = 0
            for b in p {
                let c = classOf[Int(b)]
                var child = firstChild[s]
                while child >= 0 && label[Int(child)] != c { child = sibling[Int(child)] }
                if child < 0 {
                    child = Int32(label.count)
                    label.append(c)
                    firstChild.append(-1)
                    terminal.append([])
                    sibling.append(firstChild[s])
                    firstChild[s] = child
                }
                s = Int(child)
            }
            terminal[s].append(UInt32(pid))
        }
        let n = label.count
        self.stateCount = n

        // Breadth-first numbering.
        var order = [Int32](repeating: 0, count: n)   // new id → old id
        var newId = [Int32](repeating: 0, count: n)   // old id → new id
        var head = 0, tail = 1
        order[0] = 0
        while head < tail {
            let s = Int(order[head]); head += 1
            // Children in label order, for a deterministic layout.
            var kids: [(UInt8, Int32)] = []
            var c = firstChild[s]
            while c >= 0 { kids.append((label[Int(c)], c)); c = sibling[Int(c)] }
            kids.sort { $0.0 < $1.0 }
            for (_, k) in kids { newId[Int(k)] = Int32(tail); order[tail] = k; tail += 1 }
        }
        // Children per new state, sorted by label (CSR).
        var childStart = [UInt32](repeating: 0, count: n + 1)
        var childLabel = [UInt8](repeating: 0, count: max(0, n - 1))
        var childTarget = [UInt32](repeating: 0, count: max(0, n - 1))
        do {
            var pos = 0
            for ns in 0..<n {
                childStart[ns] = UInt32(pos)
                let old = Int(order[ns])
                var c = firstChild[old]
                var kids: [(UInt8, UInt32)] = []
                while c >= 0 { kids.append((label[Int(c)], UInt32(newId[Int(c)]))); c = sibling[Int(c)] }
                kids.sort { $0.0 < $1.0 }
                for (l, t) in kids { childLabel[pos] = l; childTarget[pos] = t; pos += 1 }
            }
            childStart[n] = UInt32(pos)
        }
        firstChild = []; sibling = []; label = []

        @inline(__always) func child(_ s: Int, _ c: UInt8) -> Int {
            var lo = Int(childStart[s]), hi = Int(childStart[s + 1])
            while lo < hi {
                let mid = (lo + hi) >> 1
                let l = childLabel[mid]
                if l == c { return Int(childTarget[mid]) }
                if l < c { lo = mid + 1 } else { hi = mid }
            }
            return -1
        }

        // Failure links and merged outputs, in BFS order (a state's failure target comes earlier).
        var fail = [UInt32](repeating: 0, count: n)
        var outputLists = [[UInt32]](repeating: [], count: n)
        for ns in 0..<n { outputLists[ns] = terminal[Int(order[ns])] }
        terminal = []
        for s in 0..<n {
            for k in Int(childStart[s])..<Int(childStart[s + 1]) {
                let c = childLabel[k]
                let t = Int(childTarget[k])
                if s == 0 {
                    fail[t] = 0
                } else {
                    var f = Int(fail[s])
                    while true {
                        let g = child(f, c)
                        if g >= 0 { fail[t] = UInt32(g); break }
                        if f == 0 { fail[t] = 0; break }
                        f = Int(fail[f])
                    }
                }
                if !outputLists[Int(fail[t])].isEmpty { outputLists[t] += outputLists[Int(fail[t])] }
            }
        }
        var outputStart = [UInt32](repeating: 0, count: n + 1)
        var outputs: [UInt32] = []
        for s in 0..<n {
            outputStart[s] = UInt32(outputs.count)
            outputs += outputLists[s]
        }
        outputStart[n] = UInt32(outputs.count)
        outputLists = []
        self.outputStart = outputStart
        self.outputs = outputs
        self.fail = fail
        self.patternLengths = patterns.map { UInt32($0.count) }

        @inline(__always) func isMatch(_ s: Int) -> Bool { outputStart[s + 1] > outputStart[s] }

        // Dense rows for the shallow states.
        let fullyDense = n * C * 4 <= denseBudgetBytes
        let denseCount = fullyDense ? n : max(1, min(n, denseBudgetBytes / (C * 4)))
        self.denseStateCount = denseCount
        self.premultiplied = fullyDense
        var dense = [UInt32](repeating: 0, count: denseCount * C)
        let scale = fullyDense ? C : 1
        for s in 0..<denseCount {
            for c in 0..<C {
                let g = child(s, UInt8(c))
                var entry: UInt32
                if g >= 0 {
                    entry = UInt32(g * scale) | (isMatch(g) ? Automaton.matchBit : 0)
                } else if s == 0 {
                    entry = 0
                } else {
                    entry = dense[Int(fail[s]) * C + c]
                }
                dense[s * C + c] = entry
            }
        }
        self.dense = dense

        // Sparse transitions for the rest.
        if fullyDense {
            self.sparseStart = []
            self.sparseLabels = []
            self.sparseTargets = []
        } else {
            var start = [UInt32](repeating: 0, count: n - denseCount + 1)
            let base = Int(childStart[denseCount])
            for s in denseCount...n { start[s - denseCount] = childStart[s] - UInt32(base) }
            self.sparseStart = start
            self.sparseLabels = Array(childLabel[base...])
            self.sparseTargets = childTarget[base...].map { t in UInt32(t) | (isMatch(Int(t)) ? Automaton.matchBit : 0) }
        }
    }

    /// Scans `text`, appending a hit for every position where some pattern ends.
    public func scan(_ text: [UInt8], into hits: inout [AutomatonHit]) {
        text.withUnsafeBufferPointer { scan($0, into: &hits) }
    }

    /// Scans `text`, appending a hit (state, end offset) for every position where some pattern ends.
    public func scan(_ text: UnsafeBufferPointer<UInt8>, into hits: inout [AutomatonHit]) {
        guard let base = text.baseAddress, text.count > 0 else { return }
        if premultiplied {
            dense.withUnsafeBufferPointer { d in
                classOf.withUnsafeBufferPointer { cls in
                    Automaton.scanDense(d.baseAddress!, cls.baseAddress!, base, text.count, classCount, &hits)
                }
            }
        } else {
            scanHybrid(base, text.count, &hits)
        }
    }

    @inline(never)
    static func scanDense(_ table: UnsafePointer<UInt32>, _ cls: UnsafePointer<UInt8>, _ text: UnsafePointer<UInt8>,
                          _ n: Int, _ C: Int, _ hits: inout [AutomatonHit]) {
        var s: UInt32 = 0
        var i = 0
        while i < n {
            let t = table[Int(s) &+ Int(cls[Int(text[i])])]
            s = t & stateMask
            if t >= matchBit {
                hits.append(AutomatonHit(state: s / UInt32(C), end: UInt32(i &+ 1)))
            }
            i &+= 1
        }
    }

    @inline(never)
    func scanHybrid(_ text: UnsafePointer<UInt8>, _ n: Int, _ hits: inout [AutomatonHit]) {
        let C = classCount
        let D = UInt32(denseStateCount)
        dense.withUnsafeBufferPointer { dp in
        sparseStart.withUnsafeBufferPointer { ss in
        sparseLabels.withUnsafeBufferPointer { sl in
        sparseTargets.withUnsafeBufferPointer { st in
        fail.withUnsafeBufferPointer { fl in
        classOf.withUnsafeBufferPointer { cp in
            let d = dp.baseAddress!, cls = cp.baseAddress!
            var s: UInt32 = 0
            var i = 0
            while i < n {
                let c = cls[Int(text[i])]
                var t: UInt32
                if s < D {
                    t = d[Int(s) &* C &+ Int(c)]
                } else {
                    while true {
                        if s < D { t = d[Int(s) &* C &+ Int(c)]; break }
                        let k = Int(s &- D)
                        var lo = Int(ss[k]), hi = Int(ss[k &+ 1])
                        var found: UInt32 = UInt32.max
                        while lo < hi {
                            let mid = (lo &+ hi) >> 1
                            let l = sl[mid]
                            if l == c { found = st[mid]; break }
                            if l < c { lo = mid &+ 1 } else { hi = mid }
                        }
                        if found != UInt32.max { t = found; break }
                        s = fl[Int(s)]
                    }
                }
                s = t & Automaton.stateMask
                if t >= Automaton.matchBit { hits.append(AutomatonHit(state: s, end: UInt32(i &+ 1))) }
                i &+= 1
            }
        }}}}}}
    }

    /// The number of patterns that end at a hit's state.
    public func patternCount(at state: UInt32) -> Int { Int(outputStart[Int(state) + 1] &- outputStart[Int(state)]) }

    /// The pattern ids that end at a hit's state.
    @inline(__always)
    func outputs(of state: UInt32) -> Range<Int> { Int(outputStart[Int(state)])..<Int(outputStart[Int(state) + 1]) }

    /// Every (pattern, start, end) for a text, in order of end offset; for tests and tools.
    public func matches(in text: [UInt8]) -> [(pattern: Int, start: Int, end: Int)] {
        var hits: [AutomatonHit] = []
        scan(text, into: &hits)
        var out: [(Int, Int, Int)] = []
        for h in hits {
            for k in outputs(of: h.state) {
                let p = Int(outputs[k])
                out.append((p, Int(h.end) - Int(patternLengths[p]), Int(h.end)))
            }
        }
        return out
    }
}

/// A position where the automaton reached a matching state.
public struct AutomatonHit: Sendable {
    public var state: UInt32
    /// Offset just past the last byte of the match.
    public var end: UInt32
}
