#if canImport(Glibc)
import Glibc
#endif
#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The transition tables of a loaded automaton that its compiled file does not hold: the dense
/// rows, and for a hybrid automaton the sparse targets with their match flags. The file holds the
/// trie (each state's first child, each state's label), the failure links and the outputs, which
/// the loader has checked; the rows are filled from them by the pass the compiler uses (a row is
/// its failure target's row with the state's own transitions written over it).
///
/// Filling the rows is the one piece of a load whose cost grows with the dense tables (the
/// packs' plain automaton alone has 2.5 MB of rows), so it is done on the automaton's first
/// scan, not when the file loads. It happens once, under a lock, and is published with a
/// release store that every scan tests with an acquire load, so any number of threads may share
/// a loaded rule set from the start. Nothing in it can fail: every index it follows was checked
/// when the file loaded.
final class DeferredRows: @unchecked Sendable {
    /// The loaded file, which holds the trie, failure links and outputs the rows are built from.
    let storage: AnyObject
    let dense: UnsafeMutablePointer<UInt32>
    /// Per state, its id with the match flag (indexed by absolute state id, like the labels):
    /// the sparse targets of a hybrid automaton. One unused entry for a fully dense automaton.
    let sparseTargets: UnsafeMutablePointer<UInt32>
    let childStart: UnsafePointer<UInt32>
    let labels: UnsafePointer<UInt8>
    let fail: UnsafePointer<UInt32>
    let outputStart: UnsafePointer<UInt32>
    let classCount: Int
    let stateCount: Int
    let denseStateCount: Int
    let premultiplied: Bool
    /// Passed once the tables are filled.
    private let gate = OnceGate()

    init(
        storage: AnyObject, childStart: UnsafePointer<UInt32>, labels: UnsafePointer<UInt8>, fail: UnsafePointer<UInt32>,
        outputStart: UnsafePointer<UInt32>, classCount: Int, stateCount: Int, denseStateCount: Int, premultiplied: Bool
    ) {
        self.storage = storage
        self.childStart = childStart
        self.labels = labels
        self.fail = fail
        self.outputStart = outputStart
        self.classCount = classCount
        self.stateCount = stateCount
        self.denseStateCount = denseStateCount
        self.premultiplied = premultiplied
        // Allocated now (untouched pages cost nothing), filled on first use.
        dense = Automaton.allocateTable(denseStateCount * classCount)
        sparseTargets = .allocate(capacity: denseStateCount < stateCount ? stateCount : 1)
        #if !canImport(InvigilSIMD)
        // Without the flag's acquire and release operations, build at once.
        fill()
        gate.markDone()
        #endif
    }

    deinit {
        free(dense)
        sparseTargets.deallocate()
    }

    /// Whether the tables have been filled (tests and `invigil-bench` report it).
    var isBuilt: Bool { gate.isDone }

    /// Fills the tables unless that has been done: called before every block a scan reads.
    @inline(__always)
    func ensureBuilt() {
        if !gate.isDone { gate.run(fill) }
    }

    /// The rows in state order: a state's failure target is an earlier state (checked at load),
    /// whose row is finished.
    private func fill() {
        let C = classCount
        let scale = premultiplied ? UInt32(truncatingIfNeeded: C) : 1
        let starts = childStart, labels = labels, outputStart = outputStart
        @inline(__always) func flagged(_ t: Int) -> UInt32 {
            outputStart[t &+ 1] > outputStart[t] ? Automaton.matchBit : 0
        }
        for s in 0..<denseStateCount {
            let row = dense + s &* C
            if s == 0 {
                row.initialize(repeating: 0, count: C)
            } else {
                row.initialize(from: dense + Int(fail[s]) &* C, count: C)
            }
            var t = Int(starts[s])
            let e = Int(starts[s &+ 1])
            while t < e {
                row[Int(labels[t])] = UInt32(truncatingIfNeeded: t) &* scale | flagged(t)
                t &+= 1
            }
        }
        if denseStateCount < stateCount {
            // Only the children of sparse states are read through this table.
            for t in Int(starts[denseStateCount])..<stateCount { sparseTargets[t] = UInt32(truncatingIfNeeded: t) | flagged(t) }
        }
    }
}
