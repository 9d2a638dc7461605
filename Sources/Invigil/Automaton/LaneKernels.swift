#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The transitions a scan lane follows: one per layout (`DenseTransitions`, `HybridTransitions`).
/// The kernels below are generic over it and specialised per layout by the optimiser (whole
/// module), so each layout gets its own loops with the step inlined.
protocol LaneTransitions {
    /// The entry for `state` on `byte`: the next state, in the layout's numbering, with
    /// `Automaton.matchBit` set when that state reports patterns.
    func next(_ state: UInt32, _ byte: UInt8) -> UInt32
    /// The automaton state id a hit reports for a state in the layout's numbering.
    func hitState(_ state: UInt32) -> UInt32
}

/// One scan lane: its state, and the hits it has written to its own region of the hit buffer.
/// Hits count only from `recordFrom` on; the bytes before it are the lane's warm-up.
struct ScanLane {
    var state: UInt32 = 0
    var hits = 0
    let recordFrom: Int
    let out: UnsafeMutablePointer<AutomatonHit>

    @inline(__always)
    init(recordFrom: Int, out: UnsafeMutablePointer<AutomatonHit>) {
        self.recordFrom = recordFrom
        self.out = out
    }

    /// The one step every kernel is made of: the transition on the byte at `i`, and a hit when
    /// the new state reports patterns and `i` is the lane's own. `checked` false says that every
    /// position the caller steps over is the lane's own (past its warm-up): the comparison with
    /// `recordFrom` then folds away, which leaves one predictable branch per byte in the hot loops
    /// (measured: the four-lane dense scan is 1.09× as fast without it).
    @inline(__always)
    mutating func step<T: LaneTransitions>(_ t: T, _ x: UnsafePointer<UInt8>, _ i: Int, checked: Bool = true) {
        let entry = t.next(state, x[i])
        state = entry & Automaton.stateMask
        if entry >= Automaton.matchBit && (!checked || i >= recordFrom) {
            out[hits] = AutomatonHit(state: t.hitState(state), end: UInt32(truncatingIfNeeded: i &+ 1))
            hits &+= 1
        }
    }

    /// Steps over `[from, to)`: a whole lane, or the rest of one after the lockstep part.
    @inline(__always)
    mutating func run<T: LaneTransitions>(_ t: T, _ x: UnsafePointer<UInt8>, from: Int, to: Int) {
        var i = from
        // The warm-up, then the lane's own bytes without the check.
        let own = max(from, min(to, recordFrom))
        while i < own {
            step(t, x, i)
            i &+= 1
        }
        while i < to {
            step(t, x, i, checked: false)
            i &+= 1
        }
    }
}

/// The scan loops. Several lanes run in lockstep so that their dependent table loads overlap
/// (one lane is bound by the load latency); lane j owns `[b.j, b.(j+1))` and starts `warm` bytes
/// earlier (see `Automaton.scan(_:into:)`). `base` is the block start: a lane's hits go to
/// `out + (b.j - base)`, a region as long as the lane, which its hits cannot overflow. Each
/// returns the number of hits per lane. `@inline(never)`: the caller picks one per block, and
/// a kernel of its own keeps the loop's registers free of the caller's.
enum LaneKernels {
    /// One lane over `[w, e)`, recording from `r` on.
    @inline(never)
    static func scan1<T: LaneTransitions>(
        _ t: T, _ x: UnsafePointer<UInt8>, _ w: Int, _ r: Int, _ e: Int, _ out: UnsafeMutablePointer<AutomatonHit>
    ) -> Int {
        var lane = ScanLane(recordFrom: r, out: out)
        lane.run(t, x, from: w, to: e)
        return lane.hits
    }

    /// Two lanes in lockstep; `e` is the end of the second.
    @inline(never)
    static func scan2<T: LaneTransitions>(
        _ t: T, _ x: UnsafePointer<UInt8>, _ b: (Int, Int), _ e: Int, _ warm: Int, _ base: Int,
        _ out: UnsafeMutablePointer<AutomatonHit>
    ) -> (Int, Int) {
        let w0 = max(0, b.0 &- warm), w1 = b.1 &- warm
        var l0 = ScanLane(recordFrom: b.0, out: out + (b.0 &- base))
        var l1 = ScanLane(recordFrom: b.1, out: out + (b.1 &- base))
        let m = min(b.1 &- w0, e &- w1)
        // Lanes past the first start `warm` bytes before their own (the first one at most that
        // many): from `warm` on every position is some lane's own.
        let warmed = min(m, warm)
        var j = 0
        while j < warmed {
            l0.step(t, x, w0 &+ j)
            l1.step(t, x, w1 &+ j)
            j &+= 1
        }
        while j < m {
            l0.step(t, x, w0 &+ j, checked: false)
            l1.step(t, x, w1 &+ j, checked: false)
            j &+= 1
        }
        l0.run(t, x, from: w0 &+ m, to: b.1)
        l1.run(t, x, from: w1 &+ m, to: e)
        return (l0.hits, l1.hits)
    }

    /// Four lanes in lockstep; `b.4` is the end of the fourth.
    @inline(never)
    static func scan4<T: LaneTransitions>(
        _ t: T, _ x: UnsafePointer<UInt8>, _ b: (Int, Int, Int, Int, Int), _ warm: Int, _ base: Int,
        _ out: UnsafeMutablePointer<AutomatonHit>
    ) -> (Int, Int, Int, Int) {
        let w0 = max(0, b.0 &- warm), w1 = b.1 &- warm, w2 = b.2 &- warm, w3 = b.3 &- warm
        var l0 = ScanLane(recordFrom: b.0, out: out + (b.0 &- base))
        var l1 = ScanLane(recordFrom: b.1, out: out + (b.1 &- base))
        var l2 = ScanLane(recordFrom: b.2, out: out + (b.2 &- base))
        var l3 = ScanLane(recordFrom: b.3, out: out + (b.3 &- base))
        let m = min(min(b.1 &- w0, b.2 &- w1), min(b.3 &- w2, b.4 &- w3))
        let warmed = min(m, warm)  // as in `scan2`
        var j = 0
        while j < warmed {
            l0.step(t, x, w0 &+ j)
            l1.step(t, x, w1 &+ j)
            l2.step(t, x, w2 &+ j)
            l3.step(t, x, w3 &+ j)
            j &+= 1
        }
        while j < m {
            l0.step(t, x, w0 &+ j, checked: false)
            l1.step(t, x, w1 &+ j, checked: false)
            l2.step(t, x, w2 &+ j, checked: false)
            l3.step(t, x, w3 &+ j, checked: false)
            j &+= 1
        }
        l0.run(t, x, from: w0 &+ m, to: b.1)
        l1.run(t, x, from: w1 &+ m, to: b.2)
        l2.run(t, x, from: w2 &+ m, to: b.3)
        l3.run(t, x, from: w3 &+ m, to: b.4)
        return (l0.hits, l1.hits, l2.hits, l3.hits)
    }

    /// Lanes without a warm-up, for texts too short to pay one per lane: lane j starts in the
    /// start state at its own first byte `b.j`. Lanes 1... record the state after each of their
    /// first `trailLength` bytes in `trail` (`trailLength` entries per lane, at most the shortest
    /// lane's length). A lane is then right from the position where it is in the state a
    /// sequential scan is in; so once all lanes are done, the lane before each one is stepped on
    /// past its end (its last state, mended in turn, is right) until it reaches the state the lane
    /// recorded at the same position. Its hits before that position replace the lane's; from there
    /// on the two agree. In text the states meet within a few bytes, and always within the longest
    /// pattern's length for an automaton whose state depends on the last `maxLength` bytes alone
    /// (after so many bytes from the start state a lane is in the sequential scan's state; not so
    /// for `SpacedTextAutomaton`, which separators leave where it is). A lane shorter than that may
    /// end before they meet: the steps then go on to the lane's end and all its hits are theirs,
    /// at twice the cost of that lane (text that keeps the automaton deep, such as a long run of
    /// one letter under a pattern of that letter).
    /// `lanes` is 2 or 4, `b.lanes` the end; the hits are appended in order.
    @inline(never)
    static func scanConverging<T: LaneTransitions>(
        _ t: T, _ x: UnsafePointer<UInt8>, _ b: (Int, Int, Int, Int, Int), lanes: Int, warmFrom: Int, trailLength: Int,
        _ out: UnsafeMutablePointer<AutomatonHit>, _ trail: UnsafeMutablePointer<UInt32>, _ hits: inout [AutomatonHit]
    ) {
        let base = b.0
        let ends = (b.1, b.2, b.3, lanes == 4 ? b.4 : b.2)
        var l0 = ScanLane(recordFrom: b.0, out: out)
        var l1 = ScanLane(recordFrom: b.1, out: out + (b.1 &- base))
        var l2 = ScanLane(recordFrom: b.2, out: out + (b.2 &- base))
        var l3 = ScanLane(recordFrom: b.3, out: out + (b.3 &- base))
        // The first lane's warm-up, when the block is not the text's first.
        l0.run(t, x, from: warmFrom, to: b.0)
        var i = 0
        if lanes == 4 {
            let m = min(min(ends.0 &- b.0, ends.1 &- b.1), min(ends.2 &- b.2, ends.3 &- b.3))
            while i < trailLength {
                l0.step(t, x, b.0 &+ i, checked: false)
                l1.step(t, x, b.1 &+ i, checked: false)
                l2.step(t, x, b.2 &+ i, checked: false)
                l3.step(t, x, b.3 &+ i, checked: false)
                trail[i] = l1.state
                trail[trailLength &+ i] = l2.state
                trail[2 &* trailLength &+ i] = l3.state
                i &+= 1
            }
            while i < m {
                l0.step(t, x, b.0 &+ i, checked: false)
                l1.step(t, x, b.1 &+ i, checked: false)
                l2.step(t, x, b.2 &+ i, checked: false)
                l3.step(t, x, b.3 &+ i, checked: false)
                i &+= 1
            }
            l0.run(t, x, from: b.0 &+ m, to: ends.0)
            l1.run(t, x, from: b.1 &+ m, to: ends.1)
            l2.run(t, x, from: b.2 &+ m, to: ends.2)
            l3.run(t, x, from: b.3 &+ m, to: ends.3)
        } else {
            let m = min(ends.0 &- b.0, ends.1 &- b.1)
            while i < trailLength {
                l0.step(t, x, b.0 &+ i, checked: false)
                l1.step(t, x, b.1 &+ i, checked: false)
                trail[i] = l1.state
                i &+= 1
            }
            while i < m {
                l0.step(t, x, b.0 &+ i, checked: false)
                l1.step(t, x, b.1 &+ i, checked: false)
                i &+= 1
            }
            l0.run(t, x, from: b.0 &+ m, to: ends.0)
            l1.run(t, x, from: b.1 &+ m, to: ends.1)
        }
        appendHits(l0.out, l0.hits, to: &hits)
        let end1 = mend(t, x, from: l0.state, at: b.1, to: ends.1, lane: l1, trail, trailLength: trailLength, &hits)
        if lanes == 4 {
            let end2 = mend(t, x, from: end1, at: b.2, to: ends.2, lane: l2, trail + trailLength, trailLength: trailLength, &hits)
            _ = mend(t, x, from: end2, at: b.3, to: ends.3, lane: l3, trail + 2 &* trailLength, trailLength: trailLength, &hits)
        }
    }

    /// `[b, e)` of `x` in `lanes` (2 or 4) lanes without a warm-up (`scanConverging`), the last
    /// taking the remainder; each lane records a trail of its first states as long as the longest
    /// pattern, or as the lane when that is shorter. The first lane is warmed up from `warmFrom`.
    /// For `Automaton.scanLanes` and `SpacedTextAutomaton.scan`.
    @inline(__always)
    static func scanConvergingLanes<T: LaneTransitions>(
        _ t: T, _ x: UnsafePointer<UInt8>, from b: Int, to e: Int, lanes: Int, warmFrom: Int, maxLength: Int,
        _ out: UnsafeMutablePointer<AutomatonHit>, _ hits: inout [AutomatonHit]
    ) {
        let step = (e &- b) / lanes
        let bounds = lanes == 4 ? (b, b &+ step, b &+ 2 &* step, b &+ 3 &* step, e) : (b, b &+ step, e, e, e)
        let trailLength = max(1, min(maxLength, step))
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 3 &* trailLength) { trail in
            scanConverging(t, x, bounds, lanes: lanes, warmFrom: warmFrom, trailLength: trailLength, out, trail.baseAddress!, &hits)
        }
    }

    /// Appends `count` hits from `source`. Most lanes of most values have none, and an append of
    /// nothing still cost a call of about 90 instructions (123,052 calls from the converging
    /// kernel on the 8 MB benchmark slice).
    @inline(__always)
    static func appendHits(_ source: UnsafePointer<AutomatonHit>, _ count: Int, to hits: inout [AutomatonHit]) {
        if count > 0 { hits.append(contentsOf: UnsafeBufferPointer(start: source, count: count)) }
    }

    /// Appends a warm-up-less lane's hits, mended: from `state` (the lane before's last, which
    /// is right), steps on from `start` until the state is the one the lane recorded there, and
    /// takes those steps' hits instead of the lane's. When the trail ends first, the steps go on
    /// to the lane's end `end` and replace all its hits. Returns the state a sequential scan is in
    /// at the lane's end.
    @inline(__always)
    static func mend<T: LaneTransitions>(
        _ t: T, _ x: UnsafePointer<UInt8>, from state: UInt32, at start: Int, to end: Int, lane: ScanLane,
        _ trail: UnsafeMutablePointer<UInt32>, trailLength: Int, _ hits: inout [AutomatonHit]
    ) -> UInt32 {
        var mended = state
        var at = start
        // Up to the meeting position, or through the whole lane when a lane shorter than the
        // longest pattern ends first: then every hit of the lane is these steps'.
        while at < end {
            let entry = t.next(mended, x[at])
            mended = entry & Automaton.stateMask
            if at &- start < trailLength && mended == trail[at &- start] { break }
            if entry >= Automaton.matchBit {
                hits.append(AutomatonHit(state: t.hitState(mended), end: UInt32(truncatingIfNeeded: at &+ 1)))
            }
            at &+= 1
        }
        if at == end { return mended }
        let firstKept = at
        // The lane's hits at and after the meeting position.
        var k = 0
        while k < lane.hits, Int(lane.out[k].end) <= firstKept { k &+= 1 }
        appendHits(lane.out + k, lane.hits &- k, to: &hits)
        return lane.state
    }

    #if canImport(InvigilSIMD)
    /// One lane with the prefilter: in the start state, jump to the next position where some
    /// pattern's first three bytes occur. Exact: a match starts at such a position, and the state
    /// a restart there reaches at any match end has the same outputs as the sequential scan's
    /// (any longer suffix would start at an earlier candidate, which the scan did not skip).
    @inline(never)
    static func scanPrefiltered<T: LaneTransitions>(
        _ t: T, _ pf: UnsafePointer<ivg_prefilter>, _ x: UnsafePointer<UInt8>, _ w: Int, _ r: Int, _ e: Int,
        _ out: UnsafeMutablePointer<AutomatonHit>
    ) -> Int {
        var lane = ScanLane(recordFrom: r, out: out)
        var i = w
        while i < e {
            if lane.state == 0 {
                i = ivg_prefilter_next(pf, x, i, e)
                if i >= e { break }
            }
            lane.step(t, x, i)
            i &+= 1
        }
        return lane.hits
    }
    #endif
}
