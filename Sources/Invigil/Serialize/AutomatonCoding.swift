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
    }
}

/// The encoding of an automaton and its pattern entries (docs/compiled-format.md), and the
/// checks that make a loaded one safe to scan with: every transition, failure link and output
/// in range, failure links pointing to earlier states (so the sparse walk ends), and tables of
/// the sizes the counts say.
enum AutomatonCoding {
    static func write(_ a: Automaton, _ entries: PatternEntries, to w: inout ByteWriter) {
        w.u32(a.classCount)
        w.u32(a.stateCount)
        w.u32(a.denseStateCount)
        w.bool(a.premultiplied)
        w.u32(a.maxLength)
        w.u32(a.patternCount)
        w.u32(a.sparseEdges)
        w.u32(a.outputCount)
        w.u32(a.prefilterTriples.count)
        for t in a.prefilterTriples { w.u32(t) }
        w.bytesTable(a.classOf, count: 256)
        w.table(a.dense, count: a.denseEntries)
        w.table(a.fail, count: a.stateCount)
        w.table(a.sparseStart, count: a.sparseStates + 1)
        w.table(a.sparseTargets, count: a.sparseEdges)
        w.bytesTable(a.sparseLabels, count: a.sparseEdges)
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
        let edges = Int(try r.u32("sparse edge count"))
        let outputCount = Int(try r.u32("output count"))
        guard C >= 1 && C <= 256 else { throw r.corrupted("\(C) byte classes") }
        guard n >= 1, D >= 1, D <= n else { throw r.corrupted("\(D) dense states of \(n)") }
        guard !premultiplied || D == n else { throw r.corrupted("a premultiplied automaton with sparse states") }
        // Targets and flags share 32 bits; premultiplied targets are state × classes.
        guard n * C <= Int(Automaton.stateMask) else { throw r.corrupted("\(n) states × \(C) classes overflow the transition format") }
        guard edges <= n - 1, outputCount <= r.remaining / 4, P <= r.remaining / 4 else { throw r.corrupted("table counts exceed the section") }
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
        for b in 0..<256 where Int(classOf[b]) >= C { throw r.corrupted("byte class \(classOf[b]) of \(C)") }
        let dense = try r.table(D * C, "dense transitions")
        let fail = try r.table(n, "failure links")
        let sparseStart = try r.table(n - D + 1, "sparse transition starts")
        let sparseTargets = try r.table(edges, "sparse targets")
        let sparseLabels = try r.bytesTable(edges, "sparse labels")
        let outputStart = try r.table(n + 1, "output starts")
        let outputs = try r.table(outputCount, "outputs")
        let lengths = try r.array(P, "pattern lengths")

        // Transitions: every target a state; a premultiplied one (state × C) at most (n - 1) × C,
        // so that every row it starts lies inside the table. (That it is a multiple of C is not
        // checked: a file that is not one is not a memory hazard, and the checksum stands
        // against accidental damage; a plain maximum keeps this loop vectorised.)
        let mask = Automaton.stateMask
        var worst: UInt32 = 0
        for i in 0..<(D * C) { worst = max(worst, dense[i] & mask) }
        if Int(worst) > (premultiplied ? (n - 1) * C : n - 1) { throw r.corrupted("a dense transition leaves the automaton") }
        guard fail[0] == 0 else { throw r.corrupted("the start state's failure link") }
        for s in 1..<n where Int(fail[s]) >= s { throw r.corrupted("failure link of state \(s) does not go to an earlier state") }
        guard sparseStart[0] == 0, Int(sparseStart[n - D]) == edges else { throw r.corrupted("sparse transition bounds") }
        for k in 0..<(n - D) where sparseStart[k] > sparseStart[k + 1] { throw r.corrupted("sparse transition starts are not in order") }
        for k in 0..<edges where Int(sparseTargets[k] & mask) >= n { throw r.corrupted("a sparse transition leaves the automaton") }
        guard outputStart[0] == 0, Int(outputStart[n]) == outputCount else { throw r.corrupted("output bounds") }
        for s in 0..<n where outputStart[s] > outputStart[s + 1] { throw r.corrupted("output starts are not in order") }
        var largest: UInt32 = 0
        for k in 0..<outputCount { largest = max(largest, outputs[k]) }
        if outputCount > 0 && Int(largest) >= P { throw r.corrupted("output pattern \(largest) of \(P)") }
        var longest = 0
        for l in lengths {
            guard l >= 1 && Int(l) <= maxLength else { throw r.corrupted("pattern length \(l) (longest \(maxLength))") }
            longest = max(longest, Int(l))
        }
        guard longest == maxLength else { throw r.corrupted("longest pattern is \(longest), not \(maxLength)") }

        let entries = try readEntries(&r, patterns: P, lists: lists, mode: mode)
        let tables = Automaton.LoadedTables(
            classOf: classOf, classCount: C, stateCount: n, denseStateCount: D, premultiplied: premultiplied,
            dense: dense, fail: fail, sparseStart: sparseStart, sparseTargets: sparseTargets, sparseLabels: sparseLabels,
            sparseEdges: edges, outputStart: outputStart, outputs: outputs, outputCount: outputCount, patternLengths: lengths,
            maxLength: maxLength, prefilterTriples: triples)
        return (Automaton(loaded: tables, storage: storage), entries)
    }

    /// The pattern entries: every index in range, every list of the automaton's normalisation.
    static func readEntries(_ r: inout ByteReader, patterns P: Int, lists: [PhraseListInfo], mode: NormalizeMode)
        throws(CompiledRulesError) -> PatternEntries
    {
        let E = Int(try r.u32("entry count"))
        let B = Int(try r.u32("phrase bytes"))
        guard E <= r.remaining / 9, B <= r.remaining else { throw r.corrupted("entry counts exceed the section") }
        var e = PatternEntries()
        e.start = try r.array(P + 1, "entry starts")
        e.list = try r.array(E, "entry lists").map { Int32(bitPattern: $0) }
        e.flags = Array(UnsafeBufferPointer(start: try r.bytesTable(E, "entry flags"), count: E))
        e.originalStart = try r.array(E + 1, "phrase starts")
        e.originalBytes = Array(UnsafeBufferPointer(start: try r.bytesTable(B, "phrases"), count: B))
        guard e.start[0] == 0, Int(e.start[P]) == E else { throw r.corrupted("entry bounds") }
        for p in 0..<P where e.start[p] > e.start[p + 1] { throw r.corrupted("entry starts are not in order") }
        guard e.originalStart[0] == 0, Int(e.originalStart[E]) == B else { throw r.corrupted("phrase bounds") }
        for k in 0..<E where e.originalStart[k] > e.originalStart[k + 1] { throw r.corrupted("phrase starts are not in order") }
        for f in e.flags where f & ~(PatternEntries.wholeWord | PatternEntries.caseSensitive) != 0 { throw r.corrupted("entry flags \(f)") }
        for l in e.list {
            guard l >= 0 && Int(l) < lists.count else { throw r.corrupted("phrase list \(l) is out of range (\(lists.count) defined)") }
            guard lists[Int(l)].normalize == mode else { throw r.corrupted("list '\(lists[Int(l)].name)' in the automaton of another normalisation") }
        }
        return e
    }
}
