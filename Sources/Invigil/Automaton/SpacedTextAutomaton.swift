#if canImport(Glibc)
import Glibc
#endif

/// An automaton of a `spaced` mode that reads ASCII text where it lies, instead of the text
/// normalised first.
///
/// Under `spaced`, ASCII text is normalised by two rules (`Normalizer.isSeparator`,
/// `Normalizer.isSpacedRepetition`): a separator is dropped, and so is a letter equal to the byte
/// kept before it; every other byte is kept, case folded (and leet-mapped under `leet`). The
/// source automaton then runs over the kept bytes. This automaton takes the raw bytes and reaches,
/// after each one, the state the source reaches after the kept bytes so far:
/// - a separator leaves the state as it is;
/// - a letter equal to the last byte of the state's string leaves it as it is. Outside the start
///   state, that string ends with the last kept byte (it is the longest suffix of the kept text
///   that is a trie node). In the start state the rule is not needed: were the last kept byte
///   `x`, the start state on `x` is the start state again;
/// - any other byte is mapped (`Normalizer.asciiMap`) and takes the source's transition.
///
/// A byte that leaves a reporting state as it is must not report again (the kept byte that
/// reached it did). An entry without the match flag would do for one sequential scan, but the
/// lanes are mended by comparing states (`LaneKernels.mend`), which is exact only when whether an
/// entry reports depends on its target alone: a lane that starts cold in a run of "a" enters
/// state "a" with a hit where the sequential scan stays there without one, and the two would
/// count as met. So such a byte goes to a *shadow* of the state instead: a copy of its row that
/// no entry reports, whose own bytes that stay lead back to itself. Shadows are numbered after
/// the source's states and never appear in a hit; every hit names a source state, read through
/// the source's outputs. A hit's end is a text offset: the byte after the kept byte where the
/// match ends (`SpacedASCIIOrigins` counts the kept bytes up to it).
///
/// The state after a byte no longer depends on the last `maxLength` bytes alone (a run of
/// separators does not move it), so the lanes of `Automaton.scan` that start with a warm-up would
/// be wrong. The scan here uses lanes that start cold and are mended where they meet
/// (`LaneKernels.scanConverging`), which is exact for any automaton, and takes one block at most:
/// longer texts are normalised first, as before.
///
/// Normalising ASCII text under `spaced` was a quarter of the `leet spaced` pass on the benchmark
/// archive; this reads each byte once instead of twice.
final class SpacedTextAutomaton: @unchecked Sendable {
    /// Rows of `classCount` premultiplied entries: the source's states, then the shadows.
    let table: UnsafeMutablePointer<UInt32>
    /// Raw byte → class: the class of the mapped byte (the source's, renumbered), or `classCount - 1`
    /// for separators.
    let classOf: UnsafeMutablePointer<UInt8>
    let classCount: Int
    let reciprocal: UInt64
    /// The source's longest pattern (the lanes' trail, see `scan`).
    let maxLength: Int
    let stateCount: Int
    /// The automaton whose outputs the hits are read through.
    let source: Automaton

    /// The longest text `scan` takes.
    static let longestText = Automaton.scanBlock

    /// The largest table built, as for the source's dense rows (`Automaton.init(patterns:)`):
    /// beyond it the pass normalises first, as it does for longer texts.
    static let budgetBytes = 24 << 20

    /// The automaton of `source` over raw ASCII text mapped by `map` (`Normalizer.asciiMap`),
    /// or nil unless every state of `source` has a premultiplied dense row and the table (a
    /// row per state and per reporting state's shadow) fits `budgetBytes`.
    init?(_ source: Automaton, map: UnsafePointer<UInt8>) {
        guard source.premultiplied, source.denseStateCount == source.stateCount, source.stateCount > 0 else { return nil }
        source.deferred?.ensureBuilt()
        let n = source.stateCount, sourceClasses = source.classCount
        // Only the classes mapped ASCII bytes reach, then one for separators: the source's
        // classes of bytes 0x80 and up (look-alikes, letters with accents) never occur here, and
        // rows without them are smaller (the bundled `leet spaced` automaton has 43 classes;
        // its rows here have 39).
        var classOfSourceClass = [Int](repeating: -1, count: sourceClasses)
        classOfSourceClass[0] = 0
        var classes = 1
        for b in 0..<0x80 where !Normalizer.isSeparator(UInt8(b)) {
            let c = Int(source.classOf[Int(map[b])])
            if classOfSourceClass[c] < 0 {
                classOfSourceClass[c] = classes
                classes += 1
            }
        }
        let separator = classes
        classes += 1
        // A shadow for each state that reports, numbered after the source's states.
        var shadowCount = 0
        for s in 0..<n where source.outputStart[s + 1] > source.outputStart[s] { shadowCount += 1 }
        let total = n + shadowCount
        guard total * classes < Int(Automaton.stateMask), total * classes * 4 <= SpacedTextAutomaton.budgetBytes else { return nil }
        // Source classes of letters: a repeated letter collapses, any other repeated byte is kept.
        // The classes kept, as (source class, class here) pairs: those of letters, where a
        // repeated byte collapses, and the others, where it is kept.
        var isLetterClass = [Bool](repeating: false, count: sourceClasses)
        for b in 0x61...0x7A where source.classOf[b] != 0 { isLetterClass[Int(source.classOf[b])] = true }
        var letterPairs: [Int] = [], otherPairs: [Int] = []
        for c in 0..<sourceClasses where classOfSourceClass[c] >= 0 {
            if isLetterClass[c] { letterPairs += [c, classOfSourceClass[c]] } else { otherPairs += [c, classOfSourceClass[c]] }
        }
        let rows = Automaton.allocateTable(total * classes)
        // One pass over the rows in state order. Every entry into a state other than the start
        // is on the class of its last byte, and states are numbered breadth first: a state's
        // parent, whose row holds the trie's entry into it, comes before it. So the class of
        // state s's last byte, when a letter, is known when row s is written (here numbered; -1:
        // not a letter, or the start state). One pass of about fifteen instructions an entry, once
        // per rule set, at its first scanner (half a million entries for the bundled packs).
        let lastLetter = UnsafeMutablePointer<Int16>.allocate(capacity: n)
        lastLetter.initialize(repeating: -1, count: n)
        defer { lastLetter.deallocate() }
        let sourceReciprocal = source.reciprocal
        let scale = UInt32(truncatingIfNeeded: classes)
        var nextShadow = n
        letterPairs.withUnsafeBufferPointer { letters in
            otherPairs.withUnsafeBufferPointer { others in
                for s in 0..<n {
                    let reports = source.outputStart[s + 1] > source.outputStart[s]
                    let stayState = reports ? nextShadow : s
                    if reports { nextShadow += 1 }
                    let stay = UInt32(truncatingIfNeeded: stayState * classes)
                    let row = rows + s * classes
                    let sourceRow = source.dense + s * sourceClasses
                    let last = Int(lastLetter[s])
                    var k = 0
                    while k < letters.count {
                        let entry = sourceRow[letters[k]]
                        let target = Automaton.unpremultiply(entry & Automaton.stateMask, sourceReciprocal)
                        lastLetter[Int(target)] = Int16(truncatingIfNeeded: letters[k + 1])
                        row[letters[k + 1]] = target &* scale | (entry & Automaton.matchBit)
                        k += 2
                    }
                    k = 0
                    while k < others.count {
                        let entry = sourceRow[others[k]]
                        let target = Automaton.unpremultiply(entry & Automaton.stateMask, sourceReciprocal)
                        row[others[k + 1]] = target &* scale | (entry & Automaton.matchBit)
                        k += 2
                    }
                    lastLetter[0] = -1
                    if last >= 0 { row[last] = stay }
                    row[separator] = stay
                    // The shadow's row is the same: its bytes that stay lead to itself, the others
                    // where the state's own lead.
                    if reports { (rows + stayState * classes).initialize(from: row, count: classes) }
                }
            }
        }
        let byteClass = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 {
            // Bytes from 0x80 are never scanned (ASCII text only); they take class 0.
            byteClass[b] =
                Normalizer.isSeparator(UInt8(b))
                ? UInt8(separator) : b < 0x80 ? UInt8(classOfSourceClass[Int(source.classOf[Int(map[b])])]) : 0
        }
        table = rows
        classOf = byteClass
        classCount = classes
        reciprocal = ((1 << 32) &+ UInt64(classes) &- 1) / UInt64(classes)
        maxLength = source.maxLength
        stateCount = total
        self.source = source
    }

    deinit {
        free(table)  // allocated by `allocateTable`
        classOf.deallocate()
    }

    /// Scans `text` (at most `longestText` bytes), leaving in `hits` a hit for every kept byte
    /// where some pattern ends, in order: the source state, and the offset after that byte.
    /// `blockHits` is the scanner's room for one block's hits.
    func scan(_ text: UnsafeBufferPointer<UInt8>, into hits: inout [AutomatonHit], blockHits: BlockHitBuffer) {
        hits.removeAllKeepingCapacity()
        guard let x = text.baseAddress, text.count > 0 else { return }
        precondition(text.count <= SpacedTextAutomaton.longestText)
        let t = DenseTransitions(table: UnsafePointer(table), classOf: UnsafePointer(classOf), reciprocal: reciprocal)
        let n = text.count, out = blockHits.start
        let lanes = n >= 4 &* Automaton.convergingLane ? 4 : n >= 2 &* Automaton.convergingLane ? 2 : 1
        guard lanes > 1 else {
            LaneKernels.appendHits(out, LaneKernels.scan1(t, x, 0, 0, n, out), to: &hits)
            return
        }
        // Any trail is exact (a lane not met within it is stepped through to its end); text
        // meets within a few bytes, as with the source.
        LaneKernels.scanConvergingLanes(t, x, from: 0, to: n, lanes: lanes, warmFrom: 0, maxLength: maxLength, out, &hits)
    }
}
