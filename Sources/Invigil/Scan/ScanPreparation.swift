extension RuleSet {
    /// Builds now what the first scanner of these rules would build on first use, for a program
    /// that would rather pay it at start-up, or on another thread, than on its first event:
    /// - the transition rows of the automata of a rule set loaded from a compiled file
    ///   (docs/compiled-format.md, "Loading"), which each automaton otherwise fills when it
    ///   first scans;
    /// - the `spaced` modes' automata over raw text (`SpacedTextAutomaton`), the cue-free
    ///   automata (`CueFreeAutomaton`) and the tables every scanner shares
    ///   (`SharedScanTables`), which the first `Scanner(rules:)` otherwise builds.
    ///
    /// Each is built once, by whichever thread asks first, while any other that asks waits for
    /// it; a second call does nothing. Safe to call from any thread at any time, also while
    /// scanners are made and scan: `invigil scan` calls it on a thread of its own while its
    /// first worker makes its scanner.
    ///
    /// ```swift
    /// let rules = try RuleSet.load(compiledPath: "packs.ivg")
    /// rules.prepareForScanning()  // the first event scans as fast as the next ones
    /// ```
    public func prepareForScanning() {
        // In the order opposite to `Scanner(rules:)`'s (shared tables, cue-free automata,
        // `spaced` automata), the largest first: a scanner made meanwhile on another thread
        // builds the others while this thread builds the `spaced` tables, and neither waits long.
        _ = spacedTextAutomata()
        _ = cueFreeAutomata()
        automaton.deferred?.ensureBuilt()
        for n in normalizedAutomata { n.automaton.deferred?.ensureBuilt() }
        _ = sharedScanTables()
    }
}
