/// The hybrid layout, for automata larger than the dense budget: the shallow states (where a scan
/// spends most of its time) keep dense rows (`DenseLayout.swift`), the deeper ones only their own
/// transitions, sorted by label, and a failure link. Ids are plain state ids.
extension Automaton {
    /// The sparse transitions of the states from `denseCount` on: per state (`start`, relative to
    /// `denseCount`) the labels and the targets, each `target | matchBit` when the target reports
    /// patterns.
    static func sparseRest(
        _ trie: AutomatonTrie, from denseCount: Int
    ) -> (start: UnsafeMutablePointer<UInt32>, labels: UnsafeMutablePointer<UInt8>, targets: UnsafeMutablePointer<UInt32>, edges: Int) {
        let n = trie.stateCount
        guard denseCount < n else { return ([UInt32(0)].allocatedCopy(), [UInt8]().allocatedCopy(), [UInt32]().allocatedCopy(), 0) }
        let base = Int(trie.childStart[denseCount])
        let count = trie.childLabel.count - base
        let start = UnsafeMutablePointer<UInt32>.allocate(capacity: n - denseCount + 1)
        for s in denseCount...n { start[s - denseCount] = trie.childStart[s] - UInt32(base) }
        let labels = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, count))
        let targets = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, count))
        for k in 0..<count {
            labels[k] = trie.childLabel[base + k]
            let t = trie.childTarget[base + k]
            targets[k] = t | (trie.isMatch(Int(t)) ? matchBit : 0)
        }
        return (start, labels, targets, count)
    }
}

/// One transition of the hybrid layout, for the lane kernels: a dense row, or sparse lists and
/// failure links until a transition is found or the walk falls back into the dense prefix.
struct HybridTransitions: LaneTransitions {
    let classOf: UnsafePointer<UInt8>
    let dense: UnsafePointer<UInt32>
    let classCount: Int
    let denseStates: UInt32
    let sparseStart: UnsafePointer<UInt32>
    let sparseLabels: UnsafePointer<UInt8>
    let sparseTargets: UnsafePointer<UInt32>
    let fail: UnsafePointer<UInt32>

    @inline(__always)
    init(_ a: Automaton) {
        classOf = UnsafePointer(a.classOf)
        dense = UnsafePointer(a.dense)
        classCount = a.classCount
        denseStates = UInt32(a.denseStateCount)
        sparseStart = UnsafePointer(a.sparseStart)
        sparseLabels = UnsafePointer(a.sparseLabels)
        sparseTargets = UnsafePointer(a.sparseTargets)
        fail = UnsafePointer(a.fail)
    }

    @inline(__always)
    func next(_ state: UInt32, _ byte: UInt8) -> UInt32 {
        let c = classOf[Int(byte)]
        var s = state
        while true {
            if s < denseStates { return dense[Int(s) &* classCount &+ Int(c)] }
            let k = Int(s &- denseStates)
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

    @inline(__always)
    func hitState(_ state: UInt32) -> UInt32 { state }
}
