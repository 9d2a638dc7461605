/// The dense layout: a full row of transitions over the byte classes per state, failure
/// transitions already resolved, so a scan makes one table load per byte. When every state fits
/// the budget the targets are premultiplied by the class count (a row's offset, no multiply in
/// the loop); otherwise only the shallow states get rows and the rest use the hybrid layout
/// (`HybridLayout.swift`), with plain state ids in both.
extension Automaton {
    /// The dense rows of `trie`: as many states as `budgetBytes` allows (at least the start
    /// state), each entry `target | matchBit` when the target reports patterns. Allocated by
    /// `allocateTable` (huge pages for large tables).
    static func denseRows(
        _ trie: AutomatonTrie, classCount C: Int, budgetBytes: Int
    ) -> (table: UnsafeMutablePointer<UInt32>, states: Int, premultiplied: Bool) {
        let n = trie.stateCount
        let fullyDense = n * C * 4 <= budgetBytes
        let denseCount = fullyDense ? n : max(1, min(n, budgetBytes / (C * 4)))
        let dense = allocateTable(denseCount * C)
        let scale = fullyDense ? C : 1
        // A row starts as a copy of its failure target's row (an earlier, finished one), then the
        // state's own transitions are written over it.
        for s in 0..<denseCount {
            let row = dense + s * C
            if s == 0 {
                row.initialize(repeating: 0, count: C)
            } else {
                row.initialize(from: dense + Int(trie.fail[s]) * C, count: C)
            }
            for k in Int(trie.childStart[s])..<Int(trie.childStart[s + 1]) {
                let g = Int(trie.childTarget[k])
                row[Int(trie.childLabel[k])] = UInt32(g * scale) | (trie.isMatch(g) ? matchBit : 0)
            }
        }
        return (dense, denseCount, fullyDense)
    }

    /// The state id of a premultiplied one, by a multiply: `(s * ceil(2^32 / C)) >> 32` is exact
    /// for multiples of C below 2^32.
    @inline(__always)
    static func unpremultiply(_ s: UInt32, _ reciprocal: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: (UInt64(s) &* reciprocal) &>> 32)
    }

    /// `ceil(2^32 / classCount)`, for `unpremultiply`.
    @inline(__always)
    var reciprocal: UInt64 { ((1 << 32) &+ UInt64(classCount) &- 1) / UInt64(classCount) }
}

/// One transition of a fully dense (premultiplied) automaton, for the lane kernels.
struct DenseTransitions: LaneTransitions {
    let table: UnsafePointer<UInt32>
    let classOf: UnsafePointer<UInt8>
    let reciprocal: UInt64

    @inline(__always)
    init(_ a: Automaton) {
        table = UnsafePointer(a.dense)
        classOf = UnsafePointer(a.classOf)
        reciprocal = a.reciprocal
    }

    /// Rows of another automaton over the same kind of table (`SpacedTextAutomaton`).
    @inline(__always)
    init(table: UnsafePointer<UInt32>, classOf: UnsafePointer<UInt8>, reciprocal: UInt64) {
        self.table = table
        self.classOf = classOf
        self.reciprocal = reciprocal
    }

    @inline(__always)
    func next(_ state: UInt32, _ byte: UInt8) -> UInt32 { table[Int(state) &+ Int(classOf[Int(byte)])] }

    @inline(__always)
    func hitState(_ state: UInt32) -> UInt32 { Automaton.unpremultiply(state, reciprocal) }
}
