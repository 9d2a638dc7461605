#if canImport(Glibc)
import Glibc
#endif

/// A multi-pattern matcher (Aho-Corasick) over ASCII-case-folded bytes.
///
/// States are numbered in breadth-first order. The first `denseStateCount` states, the shallow ones
/// where a scan spends most of its time, have full transition rows over the byte classes, with
/// failure transitions already resolved: one table load per byte. Deeper states, when the whole
/// automaton would not fit the dense budget, keep only their own (sparse) transitions and a
/// failure link. See docs/design.md.
///
/// The parts live in files of their own, one idea each:
/// - `AutomatonBuild.swift`: `init(patterns:denseBudgetBytes:)`, the steps below in order;
/// - `ByteClasses.swift`: case folding and the byte → class map;
/// - `Trie.swift`: the trie in breadth-first order, failure links and outputs;
/// - `DenseLayout.swift` and `HybridLayout.swift`: the tables a scan reads, and one transition of each;
/// - `HugePages.swift`: the allocation of large dense tables;
/// - `Prefilter.swift`: the SIMD skip over text while in the start state;
/// - `LaneKernels.swift`: the scan loops, all made from one inlined step;
/// - `Scan.swift` and `WindowedScan.swift`: blocks and lanes, and the entry points;
/// - `Matches.swift` and `Statistics.swift`: what a hit means, and sizes for reports.
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
    /// The distinct first three bytes (folded, packed little-endian) the prefilter searches for;
    /// empty when the patterns do not suit it. Kept for compiled files: the prefilter itself
    /// depends on the CPU that loads them.
    let prefilterTriples: [UInt32]
    /// The owner of the tables when they live inside a loaded compiled file (nil: the automaton
    /// allocated them and frees them).
    let storage: AnyObject?
    /// A loaded automaton's rows, filled on its first scan (Serialize/DeferredRows.swift).
    let deferred: DeferredRows?

    /// The flag of a table entry whose target state reports patterns.
    static let matchBit: UInt32 = 0x8000_0000
    /// The target state of a table entry.
    static let stateMask: UInt32 = 0x7FFF_FFFF

    /// An automaton over `t`, built (`storage` nil: the automaton frees the tables) or loaded from
    /// a compiled file and checked (`storage` owns them and lives as long as the automaton). The
    /// one place where the stored properties are set, so both ways agree on what they mean.
    init(tables t: LoadedTables, storage: AnyObject?) {
        self.storage = storage
        self.deferred = t.deferred
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

    /// An automaton over tables that already exist and that the caller has checked (the loader
    /// of compiled files); `storage` owns them and lives as long as the automaton.
    convenience init(loaded t: LoadedTables, storage: AnyObject) {
        self.init(tables: t, storage: storage)
    }

    deinit {
        prefilter?.deallocate()
        guard storage == nil else { return }
        classOf.deallocate()
        free(dense)  // allocated by `allocateTable` (HugePages.swift)
        sparseStart.deallocate()
        sparseLabels.deallocate()
        sparseTargets.deallocate()
        fail.deallocate()
        outputStart.deallocate()
        outputs.deallocate()
    }
}
