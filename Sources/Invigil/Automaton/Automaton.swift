#if canImport(Glibc)
import Glibc
#endif
#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

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
package final class Automaton: @unchecked Sendable {
    // The tables the scan reads are raw allocations owned by the automaton (immutable after init,
    // freed in deinit), so the scan loops index plain pointers without closures or bounds checks.

    /// Byte → class, with ASCII upper case folded onto lower case first (256 entries).
    let classOf: UnsafeMutablePointer<UInt8>
    package let classCount: Int
    package let stateCount: Int
    /// States below this id have dense rows.
    package let denseStateCount: Int
    /// Dense rows. Entry = (target << shift) | matchBit where the target is premultiplied by
    /// `classCount` in fully dense automata and a plain state id otherwise.
    let dense: UnsafeMutablePointer<UInt32>
    let denseEntries: Int
    let premultiplied: Bool
    /// Sparse transitions of states ≥ `denseStateCount`: labels and flagged targets, per state.
    let sparseStart: UnsafeMutablePointer<UInt32>
    let sparseLabels: UnsafeMutablePointer<UInt8>
    let sparseTargets: UnsafeMutablePointer<UInt32>
    let sparseStates: Int
    let sparseEdges: Int
    let fail: UnsafeMutablePointer<UInt32>
    /// Pattern ids reported at each state (own and inherited through failure links).
    let outputStart: UnsafeMutablePointer<UInt32>
    let outputs: UnsafeMutablePointer<UInt32>
    let outputCount: Int
    package let patternLengths: [UInt32]
    /// The longest pattern, in bytes (the warm-up of a scan lane).
    package let maxLength: Int
    /// For small sets whose patterns have few distinct first three bytes: a SIMD search for those
    /// bytes that skips text while the automaton is in its start state (nil without AVX2).
    let prefilter: UnsafeMutableRawPointer?
    /// Whether the scans use the SIMD prefilter.
    package var hasPrefilter: Bool { prefilter != nil }
    /// The distinct first three bytes (folded, packed little-endian) the prefilter searches for;
    /// empty when the patterns do not suit it. Kept for compiled files: the prefilter itself
    /// depends on the CPU that loads them.
    let prefilterTriples: [UInt32]
    /// The owner of the tables when they live inside a loaded compiled file (nil: the automaton
    /// allocated them and frees them).
    let storage: AnyObject?
    /// A loaded automaton's rows, filled on its first scan (Serialize/DeferredRows.swift).
    let deferred: DeferredRows?

    static let matchBit: UInt32 = 0x8000_0000
    static let stateMask: UInt32 = 0x7FFF_FFFF

    /// Bytes of automaton tables, for reporting.
    package var memoryBytes: Int {
        denseEntries * 4 + (sparseStates + 1) * 4 + sparseEdges * 5 + stateCount * 4
            + (stateCount + 1) * 4 + outputCount * 4 + patternLengths.count * 4 + 256
    }

    static func copy<T>(_ a: [T]) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, a.count))
        a.withUnsafeBufferPointer { if let b = $0.baseAddress { p.initialize(from: b, count: a.count) } }
        return p
    }

    deinit {
        prefilter?.deallocate()
        guard storage == nil else { return }
        classOf.deallocate()
        free(dense)
        sparseStart.deallocate()
        sparseLabels.deallocate()
        sparseTargets.deallocate()
        fail.deallocate()
        outputStart.deallocate()
        outputs.deallocate()
    }

    /// Most distinct first-byte triples the prefilter handles.
    static let prefilterMaxTriples = 16

    /// The triples of the prefilter, or empty when some pattern is shorter than three bytes or
    /// there are too many distinct ones.
    static func prefilterTriples(_ patterns: [[UInt8]]) -> [UInt32] {
        var triples: [UInt32] = []
        for p in patterns {
            guard p.count >= 3 else { return [] }
            let t = UInt32(p[0] | 0x20) | UInt32(p[1] | 0x20) << 8 | UInt32(p[2] | 0x20) << 16
            if !triples.contains(t) {
                triples.append(t)
                if triples.count > prefilterMaxTriples { return [] }
            }
        }
        return triples
    }

    /// The prefilter for `triples`, or nil when there are none or the CPU lacks AVX2.
    static func makePrefilter(_ triples: [UInt32]) -> UnsafeMutableRawPointer? {
        #if canImport(InvigilSIMD)
        guard !triples.isEmpty, triples.count <= Int(IVG_PREFILTER_MAX), ivg_prefilter_available() != 0 else { return nil }
        let pf = UnsafeMutablePointer<ivg_prefilter>.allocate(capacity: 1)
        pf.initialize(to: ivg_prefilter())
        withUnsafeMutableBytes(of: &pf.pointee.a) { a in
            withUnsafeMutableBytes(of: &pf.pointee.b) { b in
                withUnsafeMutableBytes(of: &pf.pointee.c) { c in
                    for (j, t) in triples.enumerated() {
                        a[j] = UInt8(truncatingIfNeeded: t)
                        b[j] = UInt8(truncatingIfNeeded: t >> 8)
                        c[j] = UInt8(truncatingIfNeeded: t >> 16)
                    }
                }
            }
        }
        pf.pointee.count = Int32(triples.count)
        return UnsafeMutableRawPointer(pf)
        #else
        return nil
        #endif
    }

    #if canImport(InvigilSIMD)
    /// One lane with the prefilter: in the start state, jump to the next position where some
    /// pattern's first three bytes occur. Exact: a match starts at such a position, and the state
    /// a restart there reaches at any match end has the same outputs as the sequential scan's
    /// (any longer suffix would start at an earlier candidate, which the scan did not skip).
    @inline(never)
    static func dense1P(
        _ t: UnsafePointer<UInt32>, _ cls: UnsafePointer<UInt8>, _ x: UnsafePointer<UInt8>,
        _ w: Int, _ r: Int, _ e: Int, _ out: UnsafeMutablePointer<AutomatonHit>, _ C: Int,
        _ pf: UnsafePointer<ivg_prefilter>
    ) -> Int {
        let rc = ((1 << 32) &+ UInt64(C) &- 1) / UInt64(C)
        var s: UInt32 = 0
        var k = 0
        var i = w
        while i < e {
            if s == 0 {
                i = ivg_prefilter_next(pf, x, i, e)
                if i >= e { break }
            }
            let t0 = t[Int(s) &+ Int(cls[Int(x[i])])]
            s = t0 & stateMask
            if t0 >= matchBit && i >= r {
                out[k] = AutomatonHit(state: unpremultiply(s, rc), end: UInt32(truncatingIfNeeded: i &+ 1))
                k &+= 1
            }
            i &+= 1
        }
        return k
    }
    #endif

    package var patternCount: Int { patternLengths.count }

    @inline(__always) static func fold(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// Builds the automaton. `denseBudgetBytes` bounds the dense rows.
    package init(patterns: [[UInt8]], denseBudgetBytes: Int = 24 << 20) {
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
        self.classOf = Automaton.copy(classOf)
        self.classCount = C
        self.maxLength = patterns.reduce(0) { max($0, $1.count) }
        self.prefilterTriples = Automaton.prefilterTriples(patterns)
        self.prefilter = Automaton.makePrefilter(prefilterTriples)
        self.storage = nil
        self.deferred = nil

        // The trie, built from the patterns in order of their folded bytes (which is the order of
        // their class strings): each pattern shares a prefix with the one before it, so a child
        // that exists is always the last one created under its parent, and every state's
        // children are created in label order. No sibling search, no sorting of children.
        let n0 = patterns.count
        var byText = Array(0..<n0)
        patterns.withUnsafeBufferPointer { ps in
            byText.sort { x, y in
                let a = ps[x], b = ps[y]
                let m = min(a.count, b.count)
                var i = 0
                while i < m {
                    let fa = Automaton.fold(a[i]), fb = Automaton.fold(b[i])
                    if fa != fb { return fa < fb }
                    i += 1
                }
                return a.count != b.count ? a.count < b.count : x < y
            }
        }
        var firstChild: [Int32] = [-1]
        var lastChild: [Int32] = [-1]
        var sibling: [Int32] = [-1]
        var label: [UInt8] = [0]
        var termHead: [Int32] = [-1]  // per state: first pattern ending there
        var termTail: [Int32] = [-1]
        var termNext = [Int32](repeating: -1, count: n0)
        let estimate = min(patterns.reduce(0) { $0 + $1.count } + 1, 1 << 26)
        firstChild.reserveCapacity(estimate); lastChild.reserveCapacity(estimate)
        sibling.reserveCapacity(estimate); label.reserveCapacity(estimate)
        termHead.reserveCapacity(estimate); termTail.reserveCapacity(estimate)
        for pid in byText {
            var s = 0
            for b in patterns[pid] {
                let c = classOf[Int(b)]
                let last = Int(lastChild[s])
                if last >= 0 && label[last] == c {
                    s = last
                } else {
                    let node = Int32(label.count)
                    label.append(c)
                    firstChild.append(-1); lastChild.append(-1); sibling.append(-1)
                    termHead.append(-1); termTail.append(-1)
                    if last >= 0 { sibling[last] = node } else { firstChild[s] = node }
                    lastChild[s] = node
                    s = Int(node)
                }
            }
            if termTail[s] >= 0 { termNext[Int(termTail[s])] = Int32(pid) } else { termHead[s] = Int32(pid) }
            termTail[s] = Int32(pid)
        }
        byText = []
        lastChild = []
        termTail = []
        let n = label.count
        self.stateCount = n

        // Breadth-first numbering; children (already in label order) get consecutive ids.
        var order = [Int32](repeating: 0, count: n)  // new id → old id
        var childStart = [UInt32](repeating: 0, count: n + 1)
        var childLabel = [UInt8](repeating: 0, count: max(0, n - 1))
        var childTarget = [UInt32](repeating: 0, count: max(0, n - 1))
        do {
            var head = 0, tail = 1
            order[0] = 0
            while head < tail {
                let old = Int(order[head])
                childStart[head] = UInt32(tail - 1)
                var c = firstChild[old]
                while c >= 0 {
                    childLabel[tail - 1] = label[Int(c)]
                    childTarget[tail - 1] = UInt32(tail)
                    order[tail] = c
                    tail += 1
                    c = sibling[Int(c)]
                }
                head += 1
            }
            childStart[n] = UInt32(n - 1)
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

        // Failure links, in BFS order (a state's failure target comes earlier).
        var fail = [UInt32](repeating: 0, count: n)
        for s in 1..<max(1, n) {
            for k in Int(childStart[s])..<Int(childStart[s + 1]) {
                let c = childLabel[k]
                let t = Int(childTarget[k])
                var f = Int(fail[s])
                while true {
                    let g = child(f, c)
                    if g >= 0 { fail[t] = UInt32(g); break }
                    if f == 0 { fail[t] = 0; break }
                    f = Int(fail[f])
                }
            }
        }
        // Outputs: a state's own patterns, then those of its failure target (already merged).
        var outputStart = [UInt32](repeating: 0, count: n + 1)
        var outputs: [UInt32] = []
        outputs.reserveCapacity(n0 * 2)
        for s in 0..<n {
            outputStart[s] = UInt32(outputs.count)
            var p = termHead[Int(order[s])]
            while p >= 0 { outputs.append(UInt32(p)); p = termNext[Int(p)] }
            if s > 0 {
                let f = Int(fail[s])
                var k = Int(outputStart[f])
                let e = Int(outputStart[f + 1])
                while k < e { outputs.append(outputs[k]); k += 1 }
            }
        }
        outputStart[n] = UInt32(outputs.count)
        termHead = []; termNext = []; order = []
        self.outputStart = Automaton.copy(outputStart)
        self.outputs = Automaton.copy(outputs)
        self.outputCount = outputs.count
        self.fail = Automaton.copy(fail)
        self.patternLengths = patterns.map { UInt32($0.count) }

        @inline(__always) func isMatch(_ s: Int) -> Bool { outputStart[s + 1] > outputStart[s] }

        // Dense rows for the shallow states: a row starts as a copy of its failure target's row
        // (an earlier, finished one), then the state's own transitions are written over it.
        let fullyDense = n * C * 4 <= denseBudgetBytes
        let denseCount = fullyDense ? n : max(1, min(n, denseBudgetBytes / (C * 4)))
        self.denseStateCount = denseCount
        self.premultiplied = fullyDense
        let entries = denseCount * C
        let dense = Automaton.allocateTable(entries)
        let scale = fullyDense ? C : 1
        for s in 0..<denseCount {
            let row = dense + s * C
            if s == 0 {
                row.initialize(repeating: 0, count: C)
            } else {
                row.initialize(from: dense + Int(fail[s]) * C, count: C)
            }
            for k in Int(childStart[s])..<Int(childStart[s + 1]) {
                let g = Int(childTarget[k])
                row[Int(childLabel[k])] = UInt32(g * scale) | (isMatch(g) ? Automaton.matchBit : 0)
            }
        }
        self.dense = dense
        self.denseEntries = entries

        // Sparse transitions for the rest.
        if fullyDense {
            self.sparseStart = Automaton.copy([0])
            self.sparseLabels = Automaton.copy([])
            self.sparseTargets = Automaton.copy([])
            self.sparseStates = 0
            self.sparseEdges = 0
        } else {
            let base = Int(childStart[denseCount])
            let count = childLabel.count - base
            let start = UnsafeMutablePointer<UInt32>.allocate(capacity: n - denseCount + 1)
            for s in denseCount...n { start[s - denseCount] = childStart[s] - UInt32(base) }
            let labels = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, count))
            let targets = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, count))
            for k in 0..<count {
                labels[k] = childLabel[base + k]
                let t = childTarget[base + k]
                targets[k] = t | (isMatch(Int(t)) ? Automaton.matchBit : 0)
            }
            self.sparseStart = start
            self.sparseLabels = labels
            self.sparseTargets = targets
            self.sparseStates = n - denseCount
            self.sparseEdges = count
        }
    }

    /// An automaton over tables that already exist and that the caller has checked (the loader
    /// of compiled files); `storage` owns them and lives as long as the automaton.
    init(loaded t: LoadedTables, storage: AnyObject) {
        self.storage = storage
        deferred = t.deferred
        classOf = t.classOf
        classCount = t.classCount
        stateCount = t.stateCount
        denseStateCount = t.denseStateCount
        dense = t.dense
        denseEntries = t.denseStateCount * t.classCount
        premultiplied = t.premultiplied
        sparseStart = t.sparseStart
        sparseLabels = t.sparseLabels
        sparseTargets = t.sparseTargets
        sparseStates = t.stateCount - t.denseStateCount
        sparseEdges = t.sparseEdges
        fail = t.fail
        outputStart = t.outputStart
        outputs = t.outputs
        outputCount = t.outputCount
        patternLengths = t.patternLengths
        maxLength = t.maxLength
        prefilterTriples = t.prefilterTriples
        prefilter = Automaton.makePrefilter(t.prefilterTriples)
    }

    /// Dense tables above 2 MB are 2 MB aligned and asked to live on huge pages (when the system
    /// allows it, `madvise` mode), which removes most TLB misses of large tables. Freed with `free`.
    static func allocateTable(_ entries: Int) -> UnsafeMutablePointer<UInt32> {
        let bytes = max(4, entries * 4)
        let huge = 2 << 20
        var raw: UnsafeMutableRawPointer? = nil
        if bytes >= huge {
            let rounded = (bytes + huge - 1) / huge * huge
            if posix_memalign(&raw, huge, rounded) == 0, let r = raw {
                _ = madvise(r, rounded, 14)  // MADV_HUGEPAGE
                return r.bindMemory(to: UInt32.self, capacity: entries)
            }
        }
        raw = malloc(bytes)
        return raw!.bindMemory(to: UInt32.self, capacity: max(1, entries))
    }

    /// Scans `text`, appending a hit for every position where some pattern ends.
    package func scan(_ text: [UInt8], into hits: inout [AutomatonHit]) {
        text.withUnsafeBufferPointer { scan($0, into: &hits) }
    }

    /// Scans `text`, appending a hit (state, end offset) for every position where some pattern ends,
    /// in order of end offset.
    ///
    /// The text is cut into blocks of up to `scanBlock` bytes and each block into up to four lanes
    /// that are scanned in lockstep, so that the dependent table loads of the lanes overlap (one
    /// stream is bound by the load latency). A lane starts `maxLength - 1` bytes before its own
    /// bytes, in the start state, and records hits only from its own first byte on: after that
    /// many bytes every automaton is in the state a scan from the text's start would be in (the
    /// state is the longest suffix that is a trie node, and no node is longer than `maxLength`),
    /// so the hits are exactly those of one sequential scan. Hits go to a temporary buffer, each
    /// lane to its own region, and are appended in order.
    package func scan(_ text: UnsafeBufferPointer<UInt8>, into hits: inout [AutomatonHit]) {
        guard let base = text.baseAddress, text.count > 0 else { return }
        let n = text.count
        withUnsafeTemporaryAllocation(of: AutomatonHit.self, capacity: min(n, Automaton.scanBlock)) { tmp in
            let out = tmp.baseAddress!
            var b = 0
            while b < n {
                let e = min(n, b &+ Automaton.scanBlock)
                scanBlock(base, b, e, out, &hits)
                b = e
            }
        }
    }

    static let scanBlock = 16_384

    /// Lane layout of one block, then the kernel, then the hits in order.
    @inline(__always)
    func scanBlock(
        _ x: UnsafePointer<UInt8>, _ b: Int, _ e: Int, _ out: UnsafeMutablePointer<AutomatonHit>,
        _ hits: inout [AutomatonHit]
    ) {
        deferred?.ensureBuilt()
        let len = e &- b
        let warm = maxLength &- 1
        // Several lanes pay off when the warm-up is small next to each lane.
        let lanes = len >= 4 &* max(48, 3 &* warm) ? 4 : len >= 2 &* max(40, 3 &* warm) ? 2 : 1
        var lb = (0, 0, 0, 0, 0)  // lane starts (recorded from), and the block end
        lb.0 = b
        lb.1 = b &+ len / lanes
        lb.2 = b &+ (len &* 2) / lanes
        lb.3 = b &+ (len &* 3) / lanes
        switch lanes {
        case 4: lb.4 = e
        case 2: lb.2 = e
        default: lb.1 = e
        }
        var counts = (0, 0, 0, 0)
        #if canImport(InvigilSIMD)
        if let pf = prefilter, premultiplied {
            let k = Automaton.dense1P(
                dense, classOf, x, max(0, b &- warm), b, e, out, classCount,
                pf.assumingMemoryBound(to: ivg_prefilter.self))
            hits.append(contentsOf: UnsafeBufferPointer(start: out, count: k))
            return
        }
        #endif
        if lanes == 1 {
            counts.0 =
                premultiplied
                ? Automaton.dense1(dense, classOf, x, max(0, b &- warm), b, e, out, classCount)
                : hybrid1(x, max(0, b &- warm), b, e, out)
        } else if lanes == 2 {
            let k =
                premultiplied
                ? Automaton.dense2(dense, classOf, x, (lb.0, lb.1), lb.2, warm, b, out, classCount)
                : (
                    hybrid1(x, max(0, lb.0 &- warm), lb.0, lb.1, out + (lb.0 &- b)),
                    hybrid1(x, lb.1 &- warm, lb.1, lb.2, out + (lb.1 &- b))
                )
            counts.0 = k.0; counts.1 = k.1
        } else {
            counts =
                premultiplied
                ? Automaton.dense4(dense, classOf, x, lb, warm, b, out, classCount)
                : hybrid4(x, lb, warm, b, out)
        }
        hits.append(contentsOf: UnsafeBufferPointer(start: out, count: counts.0))
        if lanes > 1 { hits.append(contentsOf: UnsafeBufferPointer(start: out + (lb.1 &- b), count: counts.1)) }
        if lanes > 2 {
            hits.append(contentsOf: UnsafeBufferPointer(start: out + (lb.2 &- b), count: counts.2))
            hits.append(contentsOf: UnsafeBufferPointer(start: out + (lb.3 &- b), count: counts.3))
        }
    }

    /// The state id of a premultiplied one, by a multiply: `(s * ceil(2^32 / C)) >> 32` is exact
    /// for multiples of C below 2^32.
    @inline(__always)
    static func unpremultiply(_ s: UInt32, _ reciprocal: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: (UInt64(s) &* reciprocal) &>> 32) }

    @inline(__always)
    var reciprocal: UInt64 { ((1 << 32) &+ UInt64(classCount) &- 1) / UInt64(classCount) }

    /// One lane over [w, e), recording from r on. Returns the number of hits written to `out`.
    @inline(never)
    static func dense1(
        _ t: UnsafePointer<UInt32>, _ cls: UnsafePointer<UInt8>, _ x: UnsafePointer<UInt8>,
        _ w: Int, _ r: Int, _ e: Int, _ out: UnsafeMutablePointer<AutomatonHit>, _ C: Int
    ) -> Int {
        let rc = ((1 << 32) &+ UInt64(C) &- 1) / UInt64(C)
        var s: UInt32 = 0
        var k = 0
        var i = w
        while i < e {
            let t0 = t[Int(s) &+ Int(cls[Int(x[i])])]
            s = t0 & stateMask
            if t0 >= matchBit && i >= r {
                out[k] = AutomatonHit(state: unpremultiply(s, rc), end: UInt32(truncatingIfNeeded: i &+ 1))
                k &+= 1
            }
            i &+= 1
        }
        return k
    }

    /// Two lanes in lockstep: lane j owns [b.j, next start) and starts `warm` bytes earlier.
    @inline(never)
    static func dense2(
        _ t: UnsafePointer<UInt32>, _ cls: UnsafePointer<UInt8>, _ x: UnsafePointer<UInt8>,
        _ b: (Int, Int), _ e: Int, _ warm: Int, _ base: Int, _ out: UnsafeMutablePointer<AutomatonHit>,
        _ C: Int
    ) -> (Int, Int) {
        let rc = ((1 << 32) &+ UInt64(C) &- 1) / UInt64(C)
        let w0 = max(0, b.0 &- warm), w1 = b.1 &- warm
        let o0 = out + (b.0 &- base), o1 = out + (b.1 &- base)
        var s0: UInt32 = 0, s1: UInt32 = 0
        var k0 = 0, k1 = 0
        let m = min(b.1 &- w0, e &- w1)
        var j = 0
        while j < m {
            let i0 = w0 &+ j, i1 = w1 &+ j
            let t0 = t[Int(s0) &+ Int(cls[Int(x[i0])])]
            let t1 = t[Int(s1) &+ Int(cls[Int(x[i1])])]
            s0 = t0 & stateMask
            s1 = t1 & stateMask
            if t0 >= matchBit && i0 >= b.0 {
                o0[k0] = AutomatonHit(state: unpremultiply(s0, rc), end: UInt32(truncatingIfNeeded: i0 &+ 1)); k0 &+= 1
            }
            if t1 >= matchBit && i1 >= b.1 {
                o1[k1] = AutomatonHit(state: unpremultiply(s1, rc), end: UInt32(truncatingIfNeeded: i1 &+ 1)); k1 &+= 1
            }
            j &+= 1
        }
        k0 &+= denseTail(t, cls, x, &s0, w0 &+ m, b.0, b.1, o0 + k0, rc)
        k1 &+= denseTail(t, cls, x, &s1, w1 &+ m, b.1, e, o1 + k1, rc)
        return (k0, k1)
    }

    /// Four lanes in lockstep.
    @inline(never)
    static func dense4(
        _ t: UnsafePointer<UInt32>, _ cls: UnsafePointer<UInt8>, _ x: UnsafePointer<UInt8>,
        _ b: (Int, Int, Int, Int, Int), _ warm: Int, _ base: Int, _ out: UnsafeMutablePointer<AutomatonHit>,
        _ C: Int
    ) -> (Int, Int, Int, Int) {
        let rc = ((1 << 32) &+ UInt64(C) &- 1) / UInt64(C)
        let w0 = max(0, b.0 &- warm), w1 = b.1 &- warm, w2 = b.2 &- warm, w3 = b.3 &- warm
        let o0 = out + (b.0 &- base), o1 = out + (b.1 &- base), o2 = out + (b.2 &- base), o3 = out + (b.3 &- base)
        var s0: UInt32 = 0, s1: UInt32 = 0, s2: UInt32 = 0, s3: UInt32 = 0
        var k0 = 0, k1 = 0, k2 = 0, k3 = 0
        let m = min(min(b.1 &- w0, b.2 &- w1), min(b.3 &- w2, b.4 &- w3))
        var j = 0
        while j < m {
            let i0 = w0 &+ j, i1 = w1 &+ j, i2 = w2 &+ j, i3 = w3 &+ j
            let t0 = t[Int(s0) &+ Int(cls[Int(x[i0])])]
            let t1 = t[Int(s1) &+ Int(cls[Int(x[i1])])]
            let t2 = t[Int(s2) &+ Int(cls[Int(x[i2])])]
            let t3 = t[Int(s3) &+ Int(cls[Int(x[i3])])]
            s0 = t0 & stateMask
            s1 = t1 & stateMask
            s2 = t2 & stateMask
            s3 = t3 & stateMask
            if (t0 | t1 | t2 | t3) >= matchBit {
                if t0 >= matchBit && i0 >= b.0 {
                    o0[k0] = AutomatonHit(state: unpremultiply(s0, rc), end: UInt32(truncatingIfNeeded: i0 &+ 1)); k0 &+= 1
                }
                if t1 >= matchBit && i1 >= b.1 {
                    o1[k1] = AutomatonHit(state: unpremultiply(s1, rc), end: UInt32(truncatingIfNeeded: i1 &+ 1)); k1 &+= 1
                }
                if t2 >= matchBit && i2 >= b.2 {
                    o2[k2] = AutomatonHit(state: unpremultiply(s2, rc), end: UInt32(truncatingIfNeeded: i2 &+ 1)); k2 &+= 1
                }
                if t3 >= matchBit && i3 >= b.3 {
                    o3[k3] = AutomatonHit(state: unpremultiply(s3, rc), end: UInt32(truncatingIfNeeded: i3 &+ 1)); k3 &+= 1
                }
            }
            j &+= 1
        }
        k0 &+= denseTail(t, cls, x, &s0, w0 &+ m, b.0, b.1, o0 + k0, rc)
        k1 &+= denseTail(t, cls, x, &s1, w1 &+ m, b.1, b.2, o1 + k1, rc)
        k2 &+= denseTail(t, cls, x, &s2, w2 &+ m, b.2, b.3, o2 + k2, rc)
        k3 &+= denseTail(t, cls, x, &s3, w3 &+ m, b.3, b.4, o3 + k3, rc)
        return (k0, k1, k2, k3)
    }

    /// The rest of a lane after the lockstep part.
    @inline(__always)
    static func denseTail(
        _ t: UnsafePointer<UInt32>, _ cls: UnsafePointer<UInt8>, _ x: UnsafePointer<UInt8>,
        _ s: inout UInt32, _ from: Int, _ r: Int, _ e: Int, _ out: UnsafeMutablePointer<AutomatonHit>,
        _ rc: UInt64
    ) -> Int {
        var k = 0
        var i = from
        var st = s
        while i < e {
            let t0 = t[Int(st) &+ Int(cls[Int(x[i])])]
            st = t0 & stateMask
            if t0 >= matchBit && i >= r {
                out[k] = AutomatonHit(state: unpremultiply(st, rc), end: UInt32(truncatingIfNeeded: i &+ 1)); k &+= 1
            }
            i &+= 1
        }
        s = st
        return k
    }

    /// One transition of the hybrid layout: a dense row, or sparse lists and failure links until
    /// a transition is found or the walk falls back into the dense prefix.
    @inline(__always)
    func hybridStep(_ s0: UInt32, _ c: UInt8) -> UInt32 {
        var s = s0
        let D = UInt32(denseStateCount)
        while true {
            if s < D { return dense[Int(s) &* classCount &+ Int(c)] }
            let k = Int(s &- D)
            var lo = Int(sparseStart[k]), hi = Int(sparseStart[k &+ 1])
            while lo < hi {
                let mid = (lo &+ hi) &>> 1
                let l = sparseLabels[mid]
                if l == c { return sparseTargets[mid] }
                if l < c { lo = mid &+ 1 } else { hi = mid }
            }
            s = fail[Int(s)]
        }
    }

    @inline(never)
    func hybrid1(_ x: UnsafePointer<UInt8>, _ w: Int, _ r: Int, _ e: Int, _ out: UnsafeMutablePointer<AutomatonHit>) -> Int {
        let cls = classOf
        var s: UInt32 = 0
        var k = 0
        var i = w
        while i < e {
            let t0 = hybridStep(s, cls[Int(x[i])])
            s = t0 & Automaton.stateMask
            if t0 >= Automaton.matchBit && i >= r {
                out[k] = AutomatonHit(state: s, end: UInt32(truncatingIfNeeded: i &+ 1)); k &+= 1
            }
            i &+= 1
        }
        return k
    }

    @inline(never)
    func hybrid4(
        _ x: UnsafePointer<UInt8>, _ b: (Int, Int, Int, Int, Int), _ warm: Int, _ base: Int,
        _ out: UnsafeMutablePointer<AutomatonHit>
    ) -> (Int, Int, Int, Int) {
        let cls = classOf
        let w0 = max(0, b.0 &- warm), w1 = b.1 &- warm, w2 = b.2 &- warm, w3 = b.3 &- warm
        let o0 = out + (b.0 &- base), o1 = out + (b.1 &- base), o2 = out + (b.2 &- base), o3 = out + (b.3 &- base)
        var s0: UInt32 = 0, s1: UInt32 = 0, s2: UInt32 = 0, s3: UInt32 = 0
        var k0 = 0, k1 = 0, k2 = 0, k3 = 0
        let m = min(min(b.1 &- w0, b.2 &- w1), min(b.3 &- w2, b.4 &- w3))
        var j = 0
        while j < m {
            let i0 = w0 &+ j, i1 = w1 &+ j, i2 = w2 &+ j, i3 = w3 &+ j
            let t0 = hybridStep(s0, cls[Int(x[i0])])
            let t1 = hybridStep(s1, cls[Int(x[i1])])
            let t2 = hybridStep(s2, cls[Int(x[i2])])
            let t3 = hybridStep(s3, cls[Int(x[i3])])
            s0 = t0 & Automaton.stateMask
            s1 = t1 & Automaton.stateMask
            s2 = t2 & Automaton.stateMask
            s3 = t3 & Automaton.stateMask
            if t0 >= Automaton.matchBit && i0 >= b.0 { o0[k0] = AutomatonHit(state: s0, end: UInt32(truncatingIfNeeded: i0 &+ 1)); k0 &+= 1 }
            if t1 >= Automaton.matchBit && i1 >= b.1 { o1[k1] = AutomatonHit(state: s1, end: UInt32(truncatingIfNeeded: i1 &+ 1)); k1 &+= 1 }
            if t2 >= Automaton.matchBit && i2 >= b.2 { o2[k2] = AutomatonHit(state: s2, end: UInt32(truncatingIfNeeded: i2 &+ 1)); k2 &+= 1 }
            if t3 >= Automaton.matchBit && i3 >= b.3 { o3[k3] = AutomatonHit(state: s3, end: UInt32(truncatingIfNeeded: i3 &+ 1)); k3 &+= 1 }
            j &+= 1
        }
        k0 &+= hybridTail(x, &s0, w0 &+ m, b.0, b.1, o0 + k0)
        k1 &+= hybridTail(x, &s1, w1 &+ m, b.1, b.2, o1 + k1)
        k2 &+= hybridTail(x, &s2, w2 &+ m, b.2, b.3, o2 + k2)
        k3 &+= hybridTail(x, &s3, w3 &+ m, b.3, b.4, o3 + k3)
        return (k0, k1, k2, k3)
    }

    @inline(__always)
    func hybridTail(
        _ x: UnsafePointer<UInt8>, _ s: inout UInt32, _ from: Int, _ r: Int, _ e: Int,
        _ out: UnsafeMutablePointer<AutomatonHit>
    ) -> Int {
        let cls = classOf
        var k = 0
        var i = from
        var st = s
        while i < e {
            let t0 = hybridStep(st, cls[Int(x[i])])
            st = t0 & Automaton.stateMask
            if t0 >= Automaton.matchBit && i >= r { out[k] = AutomatonHit(state: st, end: UInt32(truncatingIfNeeded: i &+ 1)); k &+= 1 }
            i &+= 1
        }
        s = st
        return k
    }

    /// The number of patterns that end at a hit's state.
    package func patternCount(at state: UInt32) -> Int { Int(outputStart[Int(state) + 1] &- outputStart[Int(state)]) }

    /// The pattern ids that end at a hit's state.
    @inline(__always)
    func outputs(of state: UInt32) -> Range<Int> { Int(outputStart[Int(state)])..<Int(outputStart[Int(state) + 1]) }

    /// Every (pattern, start, end) for a text, in order of end offset; for tests and tools.
    package func matches(in text: [UInt8]) -> [(pattern: Int, start: Int, end: Int)] {
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
package struct AutomatonHit: Sendable {
    package var state: UInt32
    /// Offset just past the last byte of the match.
    package var end: UInt32
}
