#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

extension Scanner {
    /// Bytes of a value normalised at once: a longer value is normalised and scanned in chunks
    /// of this size (bounded memory; shorter values take the one-pass shortcuts).
    static let normalizedChunk = 1 << 20

    /// Scans each field that normalised phrase lists test, once per combination of modes. The
    /// text is normalised into a scratch buffer; for a value with hits, an `OriginWindow` gives,
    /// for the bytes of each hit, the span of the original character they came from, so spans
    /// point into the original text. ASCII text under `caseless` alone needs no copy: the
    /// automaton's byte classes already fold ASCII case. The automaton runs window by window
    /// (bounded hit memory) and stops early once no rule can change (`continueOrSettle`).
    ///
    /// Hits of cue lists are set aside while the passes run (`DeferredHits`); should the spans
    /// stored and set aside reach the span limit, the passes are undone and run again without.
    func runNormalizedAutomata() {
        let deferring = anyDeferrableKey && defersCueHits && spans.count < spanLimit
        let spanMark = spans.count, touchedMark = touchedKeys.count, wasStoppedEarly = stoppedEarly
        runNormalizedPasses(deferring: deferring)
        if deferring && (deferred.overflow || (!deferred.pending.isEmpty && spans.count + deferred.spanBound >= spanLimit)) {
            undoNormalizedPasses(spanMark: spanMark, touchedMark: touchedMark, stoppedEarly: wasStoppedEarly)
            runNormalizedPasses(deferring: false)
        }
    }

    private func runNormalizedPasses(deferring: Bool) {
        // The automata and their fields through the scanner's plans (`NormalizedPassPlan`), each
        // automaton borrowed for its pass: taken from the rule set's array, each automaton and
        // its field list were retained and released per pass and per value, reference counts
        // that every scanner sharing the rules writes.
        for automatonIndex in 0..<normalizedPlans.count {
            let plan = normalizedPlans[automatonIndex]
            let finished = Unmanaged.passUnretained(plan.automaton)._withUnsafeGuaranteedRef { na in
                runNormalizedPass(automatonIndex, na, plan, deferring: deferring)
            }
            if !finished { return }
        }
    }

    /// One automaton's pass over its fields; false when the scan is to stop (time, or the
    /// deferred hits' span bound).
    private func runNormalizedPass(
        _ automatonIndex: Int, _ na: RuleSet.NormalizedAutomaton, _ plan: NormalizedPassPlan, deferring: Bool
    ) -> Bool {
        let fields = plan.fields
        let fieldCount = rules.fields.count
        let mode = na.mode
        let leet = mode.contains(.leet)
        let maxLength = na.automaton.maxLength
        let firstPass = passDemand.normalizedPassStart[automatonIndex]
        for j in 0..<fields.count where passNeeded[firstPass + j] {
            let f = Int(fields[j])
            for vi in 0..<values.count(f) {
                let v = values[f, vi]
                guard v.b > 0 else { continue }
                if outOfTime() || deferred.overflow { return false }
                let start = Int(v.a), length = Int(v.b)
                arena.withUnsafeBufferPointer { all in
                    let text = UnsafeBufferPointer(rebasing: all[start..<(start + length)])
                    // Look-alikes and case folding beyond ASCII only change non-ASCII text;
                    // leet maps ASCII byte for byte. In both cases output byte k comes from
                    // input byte k (`direct`: no origin table). Otherwise the text is
                    // normalised without origins; the origins of the bytes of each hit are
                    // then made a window at a time.
                    let ascii = isASCII(text)
                    // No byte the automaton needs, in the text or (ASCII under any mode) in its
                    // normalised form: nothing to find.
                    if ascii, let needles = passNeedles[automatonIndex], !holdsAnyByte(text, needles) { return }
                    let direct = ascii && !mode.contains(.spaced)
                    originWindow.restart(mode: mode, ascii: ascii)
                    // ASCII under `spaced`: the origins of a hit's bytes from the text itself
                    // (`SpacedASCIIOrigins`), for texts short enough to note every kept byte.
                    let originsFromText =
                        ascii && mode.contains(.spaced) && length <= SpacedASCIIOrigins.longestText && findsOriginsInText
                    if originsFromText { spacedOrigins.restart(leet: leet, length: length) }
                    // Such text, short enough, is read where it lies (`SpacedTextAutomaton`):
                    // hits then end at text offsets, counted in kept bytes below.
                    let inPlace = originsFromText && scansSpacedTextInPlace && length <= SpacedTextAutomaton.longestText
                    let spacedText = inPlace ? plan.spacedText : nil
                    // Where the hits' ends are counted from, whether the pass stopped, and
                    // what was set aside live in the scanner (`valuePass`), not in local
                    // variables: the closures below capture what they use, and every access
                    // to a captured variable was a run-time exclusivity check (1.3 % of a
                    // scan's instructions).
                    valuePass = NormalizedValuePass()
                    // Cue lists' hits are set aside only where the text is scanned in place,
                    // as the replay scans it (`DeferredHits`).
                    let setsCuesAside = deferring && direct && !leet
                    let spanStart = spans.count
                    func body(_ hits: inout [AutomatonHit]) -> Bool {
                        if direct {
                            valuePass.skipped &+= forEachDirectMatch(
                                hits, na, field: f, text: text, floor: valuePass.hitFloor, base: valuePass.hitBase,
                                skippingDeferrable: setsCuesAside
                            ) { key, begin, end in
                                freshen(key)
                                record(key, f, vi, begin, end)
                            }
                        } else {
                            recordHitsWithOrigins(hits)
                        }
                        // While deferring, what was stored and set aside must stay clear of the
                        // span limit (`runNormalizedAutomata` runs the passes again if not).
                        if deferring && spans.count + deferred.spanBound + valuePass.skipped >= spanLimit {
                            deferred.overflow = true
                            valuePass.stopped = true
                            return false
                        }
                        if !continueOrSettle(field: f) {
                            valuePass.stopped = true
                            return false
                        }
                        return true
                    }
                    // Hits in normalised text, mapped back through the origins of their bytes.
                    func recordHitsWithOrigins(_ hits: [AutomatonHit]) {
                        for hit in hits where Int(hit.end) > valuePass.hitFloor {
                            let end =
                                spacedText != nil
                                ? spacedOrigins.keptCount(text, before: Int(hit.end)) : Int(hit.end) + valuePass.hitBase
                            for k in na.automaton.outputs(of: hit.state) {
                                let p = Int(na.automaton.outputs[k])
                                let begin = end - Int(na.automaton.patternLengths[p])
                                if begin < 0 { continue }  // see runAutomaton
                                // A pattern whose lists this field does not test needs no
                                // origins: normalising with them is what a hit costs here.
                                let entries = na.patternEntries.entries(of: p)
                                if !entries.contains(where: { keyOfListField[Int(na.patternEntries.list[$0]) * fieldCount + f] >= 0 }) {
                                    continue
                                }
                                // Candidate spans. They differ only where `spaced` collapsed a
                                // letter repeated across a separator into the first or last byte:
                                // then the match may start at the later repetition ("aight text
                                // me") or end at the earlier one ("heyyy you"). A repetition that
                                // is a single spaced-out letter belongs to the match ("ap p").
                                var first = SIMD4<Int32>(), last = SIMD4<Int32>()
                                var fromText = originsFromText
                                if fromText {
                                    spacedOrigins.prepare(text, through: end - 1)
                                    fromText = end - 1 < spacedOrigins.foundCount
                                    if fromText {
                                        first = spacedOrigins.origin(text, begin)
                                        last = spacedOrigins.origin(text, end - 1)
                                    }
                                }
                                if !fromText {
                                    originWindow.prepare(text, earliest: end - maxLength, end: end)
                                    first = originWindow[begin]
                                    last = originWindow[end - 1]
                                }
                                let fs = Int(first.x), fe = Int(first.y), ls = Int(first.z), le = Int(first.w)
                                let startAtFirst =
                                    fs != ls && Normalizer.isolated(text, fs, fe, leet: leet) && Normalizer.isolated(text, ls, le, leet: leet)
                                let (startFirst, startSecond) = startAtFirst ? (fs, fs) : (ls, fs)
                                let efs = Int(last.x), efe = Int(last.y), els = Int(last.z), ele = Int(last.w)
                                let endAtFirst = efs != els && Normalizer.isolated(text, els, ele, leet: leet)
                                let (endFirst, endSecond) = endAtFirst ? (ele, efe) : (efe, ele)
                                for e in na.patternEntries.entries(of: p) {
                                    let key = keyOfListField[Int(na.patternEntries.list[e]) * fieldCount + f]
                                    if key < 0 { continue }
                                    var originalStart = startFirst, originalEnd = endFirst
                                    if na.patternEntries.flags[e] & PatternEntries.wholeWord != 0 {
                                        if !Normalizer.boundary(text, before: originalStart, mode: mode) {
                                            originalStart = startSecond
                                            if startSecond == startFirst || !Normalizer.boundary(text, before: originalStart, mode: mode) {
                                                continue
                                            }
                                        }
                                        if !Normalizer.boundary(text, after: originalEnd, mode: mode) {
                                            originalEnd = endSecond
                                            if endSecond == endFirst || !Normalizer.boundary(text, after: originalEnd, mode: mode) { continue }
                                        }
                                        if originalEnd <= originalStart { continue }
                                    }
                                    freshen(Int(key))
                                    record(Int(key), f, vi, originalStart, originalEnd)
                                }
                            }
                        }
                    }
                    if let spacedText {
                        spacedText._withUnsafeGuaranteedRef { $0.scan(text, into: &hits, blockHits: blockHits) }
                        if !hits.isEmpty { _ = body(&hits) }
                    } else if length > Scanner.normalizedChunk && !(direct && !leet) {
                        // A long value is normalised a chunk at a time, each scanned after
                        // the last `maxLength` bytes of the one before (the automaton's
                        // context), so that no copy of the whole value is made.
                        normalizedText.removeAll(keepingCapacity: true)
                        var position = 0
                        var separatorSinceLast = false
                        while position < length && !valuePass.stopped {
                            let carried = normalizedText.count
                            let chunkEnd = min(length, position + Scanner.normalizedChunk)
                            if direct {
                                let map = Normalizer.leetFoldBytes
                                for i in position..<chunkEnd { normalizedText.append(map[Int(text[i])]) }
                                position = chunkEnd
                            } else if ascii {
                                Normalizer.appendASCIISpaced(text, from: position, upTo: chunkEnd, leet: leet, to: &normalizedText)
                                position = chunkEnd
                            } else {
                                position = Normalizer.normalize(
                                    text, from: position, upTo: chunkEnd, mode: mode,
                                    into: &normalizedText, origin: &normalizedOrigin,
                                    trackOrigin: false, separatorSinceLast: &separatorSinceLast)
                            }
                            valuePass.hitFloor = carried
                            normalizedText.withUnsafeBufferPointer { na.automaton.scan($0, into: &hits, blockHits: blockHits, window: body) }
                            let keep = min(normalizedText.count, maxLength)
                            valuePass.hitBase += normalizedText.count - keep
                            normalizedText.removeFirst(normalizedText.count - keep)
                        }
                        if normalizedText.capacity > 4 * Scanner.normalizedChunk { normalizedText = [] }
                    } else if direct && !leet {
                        // Cue-only patterns' hits would all be skipped: the cue-free automaton
                        // leaves them out, and the value's length bounds how many there were
                        // (`CueFreeAutomaton`). Where that bound could reach the span limit, the
                        // full automaton counts them.
                        let cueBound = length &* plan.cueEntriesPerEnd
                        if setsCuesAside && usesCueFreeAutomata, let cueFree = plan.cueFree,
                            spans.count + deferred.spanBound + cueBound < spanLimit
                        {
                            valuePass.skipped = cueBound
                            deferred.cueFreeValues &+= 1
                            cueFree._withUnsafeGuaranteedRef { $0.scan(text, into: &hits, blockHits: blockHits, window: body) }
                        } else {
                            na.automaton.scan(text, into: &hits, blockHits: blockHits, window: body)
                        }
                    } else if direct {
                        Normalizer.normalizeASCIIInPlace(text, leet: true, into: &normalizedText)
                        normalizedText.withUnsafeBufferPointer { na.automaton.scan($0, into: &hits, blockHits: blockHits, window: body) }
                    } else {
                        let written: Int
                        if ascii {
                            written = Normalizer.normalizeASCIISpaced(text, leet: leet, keepingRoomIn: &normalizedText)
                        } else {
                            Normalizer.normalize(text, mode: mode, into: &normalizedText, origin: &normalizedOrigin, trackOrigin: false)
                            written = normalizedText.count
                        }
                        normalizedText.withUnsafeBufferPointer {
                            na.automaton.scan(UnsafeBufferPointer(rebasing: $0[..<written]), into: &hits, blockHits: blockHits, window: body)
                        }
                    }
                    if valuePass.skipped > 0 {
                        deferred.pending.append(
                            DeferredHits.PendingValue(
                                automaton: Int32(automatonIndex), field: Int32(f), value: Int32(vi), spanStart: Int32(spanStart),
                                spanEnd: Int32(spans.count)))
                        deferred.spanBound += valuePass.skipped
                    }
                }
            }
        }
        return true
    }
}

/// One normalised automaton as the scanner's passes read it: the automaton without a
/// reference count (the rule set, which the scanner holds, keeps it alive) and its fields in
/// memory of the scanner's own (freed with the scanner).
struct NormalizedPassPlan {
    unowned(unsafe) let automaton: RuleSet.NormalizedAutomaton
    let fields: UnsafeBufferPointer<Int32>
    /// The automaton reporting no cue-only state, for deferring passes (`CueFreeAutomaton`; the
    /// rule set keeps it alive), and its bound of cue entries per byte.
    let cueFree: Unmanaged<Automaton>?
    let cueEntriesPerEnd: Int
    /// The automaton that reads ASCII text under `spaced` where it lies (`SpacedTextAutomaton`;
    /// the rule set keeps it alive), or nil.
    let spacedText: Unmanaged<SpacedTextAutomaton>?

    init(_ automaton: RuleSet.NormalizedAutomaton, cueFree: CueFreeAutomaton?, spacedText: SpacedTextAutomaton?) {
        self.automaton = automaton
        self.spacedText = spacedText.map { Unmanaged.passUnretained($0) }
        fields = UnsafeBufferPointer(start: automaton.fields.allocatedCopy(), count: automaton.fields.count)
        self.cueFree = cueFree.map { Unmanaged.passUnretained($0.automaton) }
        cueEntriesPerEnd = cueFree?.cueEntriesPerEnd ?? 0
    }
}

/// Whether `text` holds any of `needles` (`ivg_holds_any_byte`).
@inline(__always) func holdsAnyByte(_ text: UnsafeBufferPointer<UInt8>, _ needles: [UInt8]) -> Bool {
    guard let base = text.baseAddress else { return false }
    #if canImport(InvigilSIMD)
    return needles.withUnsafeBufferPointer { ivg_holds_any_byte(base, text.count, $0.baseAddress, $0.count) != 0 }
    #else
    return text.contains { needles.contains($0) }
    #endif
}

/// What one value's normalised pass keeps while the automaton's windows come back
/// (`Scanner.valuePass`).
struct NormalizedValuePass {
    /// The global normalised offset of the scanned buffer's first byte (hits' ends are relative
    /// to the buffer).
    var hitBase = 0
    /// Ends at or below this were reported with the chunk before (its carried context).
    var hitFloor = 0
    /// The pass stopped early: the span limit while deferring, or no rule can change.
    var stopped = false
    /// Entries of deferrable keys counted instead of stored (`DeferredHits`).
    var skipped = 0
}

extension RuleSet {
    /// Per normalised automaton of a `spaced` mode, its form that reads ASCII text where it lies
    /// (`SpacedTextAutomaton`), or nil. Built on the first call, once for all scanners; safe from
    /// any thread.
    func spacedTextAutomata() -> [SpacedTextAutomaton?] {
        spacedText.get {
            normalizedAutomata.map { na in
                na.mode.contains(.spaced)
                    ? SpacedTextAutomaton(na.automaton, map: Normalizer.asciiMap(leet: na.mode.contains(.leet))) : nil
            }
        }
    }
}
