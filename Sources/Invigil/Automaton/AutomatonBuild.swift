extension Automaton {
    /// Builds the automaton: byte classes, the trie with failure links and outputs, then the dense
    /// rows (all states when they fit `denseBudgetBytes`, else the shallow ones) and the sparse
    /// transitions of the rest.
    package convenience init(patterns: [[UInt8]], denseBudgetBytes: Int = 24 << 20) {
        let (classOf, classCount) = Automaton.byteClasses(patterns)
        let trie = AutomatonTrie(patterns: patterns, classOf: classOf)
        let dense = Automaton.denseRows(trie, classCount: classCount, budgetBytes: denseBudgetBytes)
        let sparse = Automaton.sparseRest(trie, from: dense.states)
        let tables = LoadedTables(
            classOf: classOf.allocatedCopy(), classCount: classCount, stateCount: trie.stateCount,
            denseStateCount: dense.states, premultiplied: dense.premultiplied, dense: dense.table,
            fail: trie.fail.allocatedCopy(), sparseStart: sparse.start, sparseTargets: sparse.targets,
            sparseLabels: sparse.labels, sparseEdges: sparse.edges, outputStart: trie.outputStart.allocatedCopy(),
            outputs: trie.outputs.allocatedCopy(), outputCount: trie.outputs.count,
            patternLengths: patterns.map { UInt32($0.count) }, maxLength: patterns.reduce(0) { max($0, $1.count) },
            prefilterTriples: Automaton.prefilterTriples(patterns))
        self.init(tables: tables, storage: nil)
    }
}
