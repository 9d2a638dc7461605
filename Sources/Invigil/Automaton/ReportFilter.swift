#if canImport(Glibc)
import Glibc
#endif

/// An automaton that reports fewer of its states: the same transitions, with the match flag kept
/// only on entries into states that report some pattern a filter keeps.
///
/// Made for the scanner's cue-free passes (`CueFreeAutomaton`): their hits are the full
/// automaton's at the states that still report something, and they are read through the full
/// automaton's outputs. Only the dense rows are copied (the flag lives in them); the byte
/// classes, outputs, failure links and pattern lengths are the source automaton's, which the
/// copy keeps alive. A copy costs one pass over the rows, where building an automaton from the
/// kept patterns cost ten times as much when a scanner was first made.
extension Automaton {
    /// This automaton reporting only states whose outputs include a pattern `keep` accepts; nil
    /// unless every state has a dense row (a sparse state's transitions carry the flag too, and
    /// the bundled packs' automata are all dense).
    func reportingOnly(_ keep: (Int) -> Bool) -> Automaton? {
        guard premultiplied, denseStateCount == stateCount, stateCount > 0 else { return nil }
        deferred?.ensureBuilt()
        var reports = [Bool](repeating: false, count: stateCount)
        for s in 0..<stateCount {
            reports[s] = outputs(of: UInt32(s)).contains { keep(Int(outputs[$0])) }
        }
        let entries = stateCount * classCount
        let rows = Automaton.allocateTable(entries)
        let reciprocal = self.reciprocal
        for i in 0..<entries {
            let entry = dense[i]
            let target = Int(Automaton.unpremultiply(entry & Automaton.stateMask, reciprocal))
            rows[i] = entry & Automaton.matchBit != 0 && !reports[target] ? entry & Automaton.stateMask : entry
        }
        let tables = LoadedTables(
            classOf: classOf, classCount: classCount, stateCount: stateCount, denseStateCount: denseStateCount,
            premultiplied: true, dense: rows, fail: fail, sparseStart: sparseStart, sparseTargets: sparseTargets,
            sparseLabels: sparseLabels, sparseEdges: sparseEdges, outputStart: outputStart, outputs: outputs,
            outputCount: outputCount, patternLengths: patternLengths, maxLength: maxLength,
            prefilterTriples: prefilterTriples, deferred: nil)
        return Automaton(tables: tables, storage: FilteredRows(source: self, rows: rows))
    }
}

/// The owner of a filtered automaton's tables: its own rows, and the source automaton whose
/// other tables it reads.
private final class FilteredRows {
    let source: Automaton
    let rows: UnsafeMutablePointer<UInt32>

    init(source: Automaton, rows: UnsafeMutablePointer<UInt32>) {
        self.source = source
        self.rows = rows
    }

    deinit { free(rows) }  // allocated by `allocateTable`
}
