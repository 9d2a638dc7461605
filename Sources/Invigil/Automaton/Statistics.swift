/// Sizes and counts of an automaton, for reports and benchmarks.
extension Automaton {
    /// Bytes of automaton tables, for reporting.
    package var memoryBytes: Int {
        denseEntries * 4 + (sparseStates + 1) * 4 + sparseEdges * 5 + stateCount * 4
            + (stateCount + 1) * 4 + outputCount * 4 + patternLengths.count * 4 + 256
    }

    /// The number of patterns.
    package var patternCount: Int { patternLengths.count }

    /// Whether the scans use the SIMD prefilter.
    package var hasPrefilter: Bool { prefilter != nil }
}
