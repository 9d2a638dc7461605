#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// A position where the automaton reached a matching state.
package struct AutomatonHit: Sendable {
    package var state: UInt32
    /// Offset just past the last byte of the match.
    package var end: UInt32
}

extension Automaton {
    /// Bytes per block: the hit buffer of a scan holds one block's hits (at most one per byte).
    static let scanBlock = 16_384

    /// The shortest lane of a scan without warm-up (`scanConverging`): below it, the steps to mend
    /// a lane weigh too much against the lane itself.
    static let convergingLane = 24

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
            scanBlocks(base, 0, n, tmp.baseAddress!, &hits)
        }
    }

    /// `[from, to)` of `x` block by block (`scanBlock` each), appending the hits in order; `out`
    /// holds a block's hits.
    @inline(__always)
    func scanBlocks(
        _ x: UnsafePointer<UInt8>, _ from: Int, _ to: Int, _ out: UnsafeMutablePointer<AutomatonHit>,
        _ hits: inout [AutomatonHit]
    ) {
        var b = from
        while b < to {
            let e = min(to, b &+ Automaton.scanBlock)
            scanBlock(x, b, e, out, &hits)
            b = e
        }
    }

    /// One block `[b, e)` of `x`: the layout's transitions, then the lanes. Not inlined: its
    /// callers are inlined into the scanner's loops, four times in the normalised scan, and a
    /// copy of the lane layout in each made the optimiser give up on inlining there (end to end
    /// 0.94× before this). One call per block (at most 16 KiB) costs nothing measurable.
    @inline(never)
    func scanBlock(
        _ x: UnsafePointer<UInt8>, _ b: Int, _ e: Int, _ out: UnsafeMutablePointer<AutomatonHit>,
        _ hits: inout [AutomatonHit]
    ) {
        deferred?.ensureBuilt()
        if premultiplied {
            #if canImport(InvigilSIMD)
            if let pf = prefilter {
                let k = LaneKernels.scanPrefiltered(
                    DenseTransitions(self), pf.assumingMemoryBound(to: ivg_prefilter.self), x,
                    max(0, b &- (maxLength &- 1)), b, e, out)
                LaneKernels.appendHits(out, k, to: &hits)
                return
            }
            #endif
            scanLanes(DenseTransitions(self), x, b, e, out, &hits)
        } else {
            scanLanes(HybridTransitions(self), x, b, e, out, &hits)
        }
    }

    /// Lane layout of one block, then the kernel, then the hits in order.
    @inline(__always)
    func scanLanes<T: LaneTransitions>(
        _ t: T, _ x: UnsafePointer<UInt8>, _ b: Int, _ e: Int, _ out: UnsafeMutablePointer<AutomatonHit>,
        _ hits: inout [AutomatonHit]
    ) {
        let len = e &- b
        let warm = maxLength &- 1
        // Several lanes pay off when the warm-up is small next to each lane.
        let lanes = len >= 4 &* max(48, 3 &* warm) ? 4 : len >= 2 &* max(40, 3 &* warm) ? 2 : 1
        // Shorter texts (a message, a field) get lanes without the warm-up, mended where they meet:
        // four of at least `convergingLane` bytes, or two. The trail is the longest pattern's
        // length, or the shortest lane's when that is shorter (see `scanConverging`).
        let converging =
            lanes == 4 || warm == 0 ? 0 : len >= 4 &* Automaton.convergingLane ? 4 : lanes == 1 && len >= 2 &* Automaton.convergingLane ? 2 : 0
        if converging > 0 {
            LaneKernels.scanConvergingLanes(
                t, x, from: b, to: e, lanes: converging, warmFrom: max(0, b &- warm), maxLength: maxLength, out, &hits)
            return
        }
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
        if lanes == 1 {
            counts.0 = LaneKernels.scan1(t, x, max(0, b &- warm), b, e, out)
        } else if lanes == 2 {
            (counts.0, counts.1) = LaneKernels.scan2(t, x, (lb.0, lb.1), lb.2, warm, b, out)
        } else {
            counts = LaneKernels.scan4(t, x, lb, warm, b, out)
        }
        LaneKernels.appendHits(out, counts.0, to: &hits)
        if lanes > 1 { LaneKernels.appendHits(out + (lb.1 &- b), counts.1, to: &hits) }
        if lanes > 2 {
            LaneKernels.appendHits(out + (lb.2 &- b), counts.2, to: &hits)
            LaneKernels.appendHits(out + (lb.3 &- b), counts.3, to: &hits)
        }
    }
}
