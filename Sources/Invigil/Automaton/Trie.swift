/// The automaton before layout (what BurntSushi's aho-corasick calls the noncontiguous NFA): the
/// trie of the patterns over byte classes, states numbered breadth-first with each state's
/// children in label order, then failure links and outputs (`FailureLinks.swift`). The layouts
/// (`DenseLayout.swift`, `HybridLayout.swift`) turn it into the tables a scan reads.
struct AutomatonTrie {
    /// The children of state `s` are `childLabel[k]` → `childTarget[k]` for `k` in
    /// `childStart[s] ..< childStart[s + 1]`, in label order. A child's id is greater than its
    /// parent's (breadth-first numbering), and the children of one state have consecutive ids.
    var childStart: [UInt32]
    var childLabel: [UInt8]
    var childTarget: [UInt32]
    /// Per state, the longest proper suffix that is also a state (an earlier one).
    var fail: [UInt32]
    /// The patterns reported at state `s` are `outputs[outputStart[s] ..< outputStart[s + 1]]`:
    /// its own, then those of its failure target.
    var outputStart: [UInt32]
    var outputs: [UInt32]

    var stateCount: Int { childStart.count - 1 }

    /// Whether state `s` reports some pattern.
    @inline(__always) func isMatch(_ s: Int) -> Bool { outputStart[s + 1] > outputStart[s] }

    /// The trie of `patterns`, whose bytes become classes through `classOf`.
    init(patterns: [[UInt8]], classOf: [UInt8]) {
        var linked = Linked(patterns: patterns, classOf: classOf)
        var order: [Int32]
        (childStart, childLabel, childTarget, order) = AutomatonTrie.numberBreadthFirst(&linked)
        fail = []
        outputStart = []
        outputs = []
        fail = failureLinks()
        (outputStart, outputs) = collectOutputs(order: order, terminals: linked)
    }

    /// The trie as it is inserted into: first child, next sibling and label per state (in order of
    /// creation), and the patterns ending at each state as linked lists.
    struct Linked {
        var firstChild: [Int32] = [-1]
        var sibling: [Int32] = [-1]
        var label: [UInt8] = [0]
        /// Per state: the first pattern ending there; `termNext` links the others.
        var termHead: [Int32] = [-1]
        var termNext: [Int32]

        /// Inserts the patterns in order of their folded bytes (which is the order of their class
        /// strings): each pattern shares a prefix with the one before it, so a child that exists
        /// is always the last one created under its parent, and every state's children are
        /// created in label order. No sibling search, no sorting of children.
        init(patterns: [[UInt8]], classOf: [UInt8]) {
            let n0 = patterns.count
            termNext = [Int32](repeating: -1, count: n0)
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
            var lastChild: [Int32] = [-1]
            var termTail: [Int32] = [-1]
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
        }
    }

    /// Breadth-first numbering; children (already in label order) get consecutive ids. Returns
    /// the child lists by new id and `order` (new id → old id), and frees the linked structure,
    /// which the rest of the build does not need (it is the largest part of a big build).
    static func numberBreadthFirst(_ t: inout Linked) -> ([UInt32], [UInt8], [UInt32], [Int32]) {
        let n = t.label.count
        var order = [Int32](repeating: 0, count: n)
        var childStart = [UInt32](repeating: 0, count: n + 1)
        var childLabel = [UInt8](repeating: 0, count: max(0, n - 1))
        var childTarget = [UInt32](repeating: 0, count: max(0, n - 1))
        var head = 0, tail = 1
        order[0] = 0
        while head < tail {
            let old = Int(order[head])
            childStart[head] = UInt32(tail - 1)
            var c = t.firstChild[old]
            while c >= 0 {
                childLabel[tail - 1] = t.label[Int(c)]
                childTarget[tail - 1] = UInt32(tail)
                order[tail] = c
                tail += 1
                c = t.sibling[Int(c)]
            }
            head += 1
        }
        childStart[n] = UInt32(n - 1)
        t.firstChild = []; t.sibling = []; t.label = []
        return (childStart, childLabel, childTarget, order)
    }

    /// The child of `s` labelled `c`, or -1.
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
}
