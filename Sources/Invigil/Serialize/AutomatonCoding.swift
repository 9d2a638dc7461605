extension Automaton {
    /// Pointers to an automaton's tables inside a loaded compiled file, with their sizes.
    struct LoadedTables {
        var classOf: UnsafeMutablePointer<UInt8>
        var classCount: Int
        var stateCount: Int
        var denseStateCount: Int
        var premultiplied: Bool
        var dense: UnsafeMutablePointer<UInt32>
        var fail: UnsafeMutablePointer<UInt32>
        var sparseStart: UnsafeMutablePointer<UInt32>
        var sparseTargets: UnsafeMutablePointer<UInt32>
        var sparseLabels: UnsafeMutablePointer<UInt8>
        var sparseEdges: Int
        var outputStart: UnsafeMutablePointer<UInt32>
        var outputs: UnsafeMutablePointer<UInt32>
        var outputCount: Int
        var patternLengths: [UInt32]
        var maxLength: Int
        var prefilterTriples: [UInt32]
        /// The owner of `dense` and `sparseTargets`, which it fills on the first scan.
        var deferred: DeferredRows?
    }

    /// The trie in breadth-first order: the children of state s are the states
    /// childStart[s]..<childStart[s + 1] (consecutive, in label order), and labels[t] is the
    /// byte class on the edge into state t (0 for the start state). What a compiled file stores
    /// instead of the transition rows, which are derived from it and the failure links.
    func trie() -> (childStart: [UInt32], labels: [UInt8]) {
        let n = stateCount, C = classCount, D = denseStateCount
        if let d = deferred {
            return (
                Array(UnsafeBufferPointer(start: d.childStart, count: n + 1)),
                Array(UnsafeBufferPointer(start: d.labels, count: n))
            )
        }
        var childStart = [UInt32](repeating: 0, count: n + 1)
        var labels = [UInt8](repeating: 0, count: n)
        var next = 1
        for s in 0..<n {
            childStart[s] = UInt32(next)
            if s < D {
                // A row's trie children are the targets numbered `next`, `next + 1`, … in class
                // order; every other target is a failure transition to a state no deeper than s,
                // which has a smaller number than any child not yet seen.
                let row = dense + s * C
                for c in 0..<C {
                    let target = Int(row[c] & Automaton.stateMask) / (premultiplied ? C : 1)
                    if target == next {
                        labels[target] = UInt8(c)
                        next += 1
                    }
                }
            } else {
                // A sparse state's transitions are exactly its children.
                for k in Int(sparseStart[s - D])..<Int(sparseStart[s - D + 1]) {
                    labels[Int(sparseTargets[k] & Automaton.stateMask)] = sparseLabels[k]
                    next += 1
                }
            }
        }
        childStart[n] = UInt32(next)
        return (childStart, labels)
    }
}

/// The encoding of an automaton and its pattern entries (docs/compiled-format.md), and the
/// checks that make a loaded one safe to scan with: every child, label, failure link and output
/// in range, failure links pointing to earlier states (so the rows can be filled in order and
/// the sparse walk ends), and tables of the sizes the counts say.
///
/// The transition rows are not stored: they are as large as the rest of the file ten times
/// over, and cheap to derive from the trie and the failure links (``DeferredRows``).
enum AutomatonCoding {
    static func write(_ a: Automaton, _ entries: PatternEntries, to w: inout ByteWriter) {
        let (childStart, labels) = a.trie()
        w.u32(a.classCount)
        w.u32(a.stateCount)
        w.u32(a.denseStateCount)
        w.bool(a.premultiplied)
        w.u32(a.maxLength)
        w.u32(a.patternCount)
        w.u32(a.outputCount)
        w.u32(a.prefilterTriples.count)
        for t in a.prefilterTriples { w.u32(t) }
        w.bytesTable(a.classOf, count: 256)
        w.table(childStart)
        w.bytesTable(labels)
        w.table(a.fail, count: a.stateCount)
        w.table(a.outputStart, count: a.stateCount + 1)
        w.table(a.outputs, count: a.outputCount)
        w.table(a.patternLengths)
        w.u32(entries.list.count)
        w.u32(entries.originalBytes.count)
        w.table(entries.start)
        w.table(entries.list.map { UInt32(bitPattern: $0) })
        w.bytesTable(entries.flags)
        w.table(entries.originalStart)
        w.bytesTable(entries.originalBytes)
    }

    /// The longest pattern a loaded automaton may have (a phrase normalises to at most a few
    /// bytes per source byte).
    static let maximumPatternLength = Limits.phraseBytes * 8

    /// Reads and checks an automaton whose tables stay in `storage`; `mode` is the lists'
    /// normalisation, which every entry's list must have.
    static func read(_ r: inout ByteReader, storage: AnyObject, lists: [PhraseListInfo], mode: NormalizeMode)
        throws(CompiledRulesError) -> (Automaton, PatternEntries)
    {
        let C = Int(try r.u32("class count"))
        let n = Int(try r.u32("state count"))
        let D = Int(try r.u32("dense state count"))
        let premultiplied = try r.bool("layout flag")
        let maxLength = Int(try r.u32("longest pattern"))
        let P = Int(try r.u32("pattern count"))
        let outputCount = Int(try r.u32("output count"))
        guard C >= 1 && C <= 256 else { throw r.corrupted("\(C) byte classes") }
        guard n >= 1, D >= 1, D <= n else { throw r.corrupted("\(D) dense states of \(n)") }
        guard !premultiplied || D == n else { throw r.corrupted("a premultiplied automaton with sparse states") }
        // Targets and flags share 32 bits; premultiplied targets are state × classes.
        guard n * C <= Int(Automaton.stateMask) else { throw r.corrupted("\(n) states × \(C) classes overflow the transition format") }
        // Every state takes at least nine bytes of the section (child start, label, failure link, output start).
        guard n <= r.remaining / 9, outputCount <= r.remaining / 4, P <= r.remaining / 4 else {
            throw r.corrupted("table counts exceed the section")
        }
        guard maxLength <= maximumPatternLength else { throw r.corrupted("longest pattern \(maxLength) bytes") }
        let tripleCount = try r.count("prefilter triples", minimumBytes: 4)
        guard tripleCount <= Automaton.prefilterMaxTriples else { throw r.corrupted("\(tripleCount) prefilter triples") }
        var triples: [UInt32] = []
        for _ in 0..<tripleCount {
            let t = try r.u32("prefilter triple")
            guard t >> 24 == 0 else { throw r.corrupted("prefilter triple \(t)") }
            triples.append(t)
        }

        let classOf = try r.bytesTable(256, "byte classes")
        let childStart = try r.table(n + 1, "child starts")
        let labels = try r.bytesTable(n, "labels")
        let fail = try r.table(n, "failure links")
        let outputStart = try r.table(n + 1, "output starts")
        let outputs = try r.table(outputCount, "outputs")
        let lengths = try r.array(P, "pattern lengths")

        // Branch-free passes (each a reduction the compiler vectorises), then one test each.
        if TableChecks.largest(classOf, 256) >= C { throw r.corrupted("a byte class is not below \(C)") }
        // The trie: children numbered after their parent, consecutively, every state but the
        // start one some state's child; labels are byte classes.
        guard childStart[0] == 1, Int(childStart[n]) == n else { throw r.corrupted("child bounds") }
        if !TableChecks.startsAfterIndex(childStart, n) { throw r.corrupted("child starts are not in order after their states") }
        guard labels[0] == 0, Int(TableChecks.largest(labels, n)) < C else { throw r.corrupted("a label is not a byte class") }
        // Failure links to earlier states: the rows are filled in state order from them, and
        // the sparse walk along them ends.
        guard fail[0] == 0 else { throw r.corrupted("the start state's failure link") }
        if !TableChecks.belowIndex(fail, n) { throw r.corrupted("a failure link does not go to an earlier state") }
        guard outputStart[0] == 0, Int(outputStart[n]) == outputCount else { throw r.corrupted("output bounds") }
        if !TableChecks.nonDecreasing(outputStart, n + 1) { throw r.corrupted("output starts are not in order") }
        if outputCount > 0 && Int(TableChecks.largest(outputs, outputCount)) >= P {
            throw r.corrupted("an output pattern is not below \(P)")
        }
        var longest: UInt32 = 0
        var shortest = UInt32.max
        for l in lengths {
            longest = max(longest, l)
            shortest = min(shortest, l)
        }
        guard P == 0 || shortest >= 1 else { throw r.corrupted("a pattern of length 0") }
        guard Int(longest) == maxLength else { throw r.corrupted("longest pattern is \(longest), not \(maxLength)") }

        let entries = try readEntries(&r, patterns: P, lists: lists, mode: mode)
        let rows = DeferredRows(
            storage: storage, childStart: childStart, labels: labels, fail: fail, outputStart: outputStart,
            classCount: C, stateCount: n, denseStateCount: D, premultiplied: premultiplied)
        // A hybrid automaton's sparse tables index the trie by absolute state id: the children
        // of sparse state s are childStart[s]..<childStart[s + 1] of the labels and targets.
        let tables = Automaton.LoadedTables(
            classOf: classOf, classCount: C, stateCount: n, denseStateCount: D, premultiplied: premultiplied,
            dense: rows.dense, fail: fail, sparseStart: childStart + D, sparseTargets: rows.sparseTargets,
            sparseLabels: labels, sparseEdges: n - Int(childStart[D]), outputStart: outputStart, outputs: outputs,
            outputCount: outputCount, patternLengths: lengths, maxLength: maxLength, prefilterTriples: triples,
            deferred: rows)
        return (Automaton(loaded: tables, storage: rows), entries)
    }

    /// The pattern entries: every index in range, every list of the automaton's normalisation.
    static func readEntries(_ r: inout ByteReader, patterns P: Int, lists: [PhraseListInfo], mode: NormalizeMode)
        throws(CompiledRulesError) -> PatternEntries
    {
        let E = Int(try r.u32("entry count"))
        let B = Int(try r.u32("phrase bytes"))
        guard E <= r.remaining / 9, B <= r.remaining else { throw r.corrupted("entry counts exceed the section") }
        let starts = try r.table(P + 1, "entry starts")
        let lists32 = try r.table(E, "entry lists")
        let flags = try r.bytesTable(E, "entry flags")
        let phraseStarts = try r.table(E + 1, "phrase starts")
        let phrases = try r.bytesTable(B, "phrases")
        // Checked in place, each table in one branch-free pass, before anything is copied.
        guard starts[0] == 0, Int(starts[P]) == E else { throw r.corrupted("entry bounds") }
        if !TableChecks.nonDecreasing(starts, P + 1) { throw r.corrupted("entry starts are not in order") }
        guard phraseStarts[0] == 0, Int(phraseStarts[E]) == B else { throw r.corrupted("phrase bounds") }
        if !TableChecks.nonDecreasing(phraseStarts, E + 1) { throw r.corrupted("phrase starts are not in order") }
        let unknownFlags = TableChecks.union(flags, E) & ~(PatternEntries.wholeWord | PatternEntries.caseSensitive)
        if unknownFlags != 0 { throw r.corrupted("entry flags \(unknownFlags)") }
        // A list index is stored as an Int32; a negative one reads as a large UInt32.
        if E > 0 && Int(TableChecks.largest(lists32, E)) >= lists.count {
            let l = Int32(bitPattern: lists32[(0..<E).first { Int(lists32[$0]) >= lists.count }!])
            throw r.corrupted("phrase list \(l) is out of range (\(lists.count) defined)")
        }
        if E > 0 {
            let otherMode = lists.map { $0.normalize == mode ? UInt8(0) : 1 }
            let mismatch = otherMode.withUnsafeBufferPointer { other in
                var any: UInt8 = 0
                for k in 0..<E { any |= other[Int(lists32[k])] }
                return any
            }
            if mismatch != 0 {
                let l = Int(lists32[(0..<E).first { otherMode[Int(lists32[$0])] != 0 }!])
                throw r.corrupted("list '\(lists[l].name)' in the automaton of another normalisation")
            }
        }
        var e = PatternEntries()
        e.start = Array(UnsafeBufferPointer(start: starts, count: P + 1))
        e.list = [Int32](unsafeUninitializedCapacity: E) { buffer, count in
            if let base = buffer.baseAddress { UnsafeMutableRawPointer(base).copyMemory(from: lists32, byteCount: E * 4) }
            count = E
        }
        e.flags = Array(UnsafeBufferPointer(start: flags, count: E))
        e.originalStart = Array(UnsafeBufferPointer(start: phraseStarts, count: E + 1))
        e.originalBytes = Array(UnsafeBufferPointer(start: phrases, count: B))
        return e
    }
}
