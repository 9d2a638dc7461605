/// Hits of cue lists, set aside until a rule needs them.
///
/// Some phrase lists are read only by proximity tests beside another list. The packs'
/// `article_cues` and `insult_cues` ("a", "the", "you", "is a") matter only when an ambiguous
/// insult ("hoe", "ass") is in the same text, yet they match nearly every message: on the
/// benchmark archive their automaton reports 31 hits per text, almost all of them cues, while
/// their partners match a few texts in a thousand. Checking each such hit's word boundaries and
/// storing its span was the largest part of the normalised passes' own work.
///
/// A key is *deferrable* when no `count` reads it, no rule is selected through it
/// (`rulesByKey`), and each proximity test on it pairs it with another key. Its count and spans
/// can then change a result only through a proximity test, which asks `count(key:)` for both
/// keys first; `count(key:)` on a deferrable key replays the set-aside values first. So a pass
/// skips such keys' entries and notes the value (`PendingValue`); `resolveDeferredHits` runs the
/// automaton over the noted values again and puts their spans back where the pass would have
/// stored them. Spans, counts and findings are then exactly those of a scan without deferral.
///
/// Only one path defers: ASCII text under modes without `spaced` or `leet`, scanned where it
/// lies (no copy, no origin table), which is where the cue lists' hits are. The stored-span
/// limit needs care, since which spans it cuts depends on their order: if the spans stored plus
/// those set aside could reach it, the passes are undone and run again without deferral.
struct DeferredHits {
    /// A value whose pass skipped deferrable entries, and where its spans lie in `spans`.
    struct PendingValue {
        var automaton: Int32
        var field: Int32
        var value: Int32
        var spanStart: Int32
        var spanEnd: Int32
    }

    var pending: [PendingValue] = []
    /// An upper bound of the spans set aside: the entries skipped.
    var spanBound = 0
    /// Set aside plus stored could reach the span limit: the passes stop, to be run again.
    var overflow = false
    /// The spans of one replayed value.
    var scratch: [Span] = []
    /// Over the scanner's life: values replayed, scans whose passes were run again, and values
    /// scanned by a cue-free automaton (`CueFreeAutomaton`).
    var replayedValues = 0
    var redonePasses = 0
    var cueFreeValues = 0

    mutating func clear() {
        pending.removeAllKeepingCapacity()
        spanBound = 0
        overflow = false
    }

    /// Per key of `rules.program`, whether its hits may be set aside (see above).
    static func deferrableKeys(of rules: RuleSet) -> [Bool] {
        let keys = rules.program.keys
        var result = keys.map { key -> Bool in
            if case .phrases = key.matcher { return true }
            return false
        }
        for (k, selected) in rules.rulesByKey.enumerated() where k < result.count && !selected.isEmpty { result[k] = false }
        for ins in rules.program.code {
            let a = Int(ins.a), b = Int(ins.b)
            switch ins.opcode {
            case .count:
                if a >= 0 && a < result.count { result[a] = false }
            case .near, .nearInOrder:
                if a == b && a >= 0 && a < result.count { result[a] = false }
            default:
                break
            }
        }
        return result
    }
}

extension Scanner {
    /// Whether matches of both keys exist, asking a deferrable key last so that a partner with
    /// no match spares the replay.
    @inline(__always) func bothMatched(_ first: Int, _ second: Int) -> Bool {
        if deferrableKey[first] { return count(key: second) > 0 && count(key: first) > 0 }
        return count(key: first) > 0 && count(key: second) > 0
    }

    /// The hits of a window of a pass whose output byte k comes from input byte k (ASCII under
    /// modes without `spaced`; `base` is the text offset of the scanned buffer, and ends at or
    /// below `floor` were reported before): for each entry whose key is tested on field `f` and
    /// whose word boundaries hold in `text`, `found(key, begin, end)`. With `skippingDeferrable`,
    /// deferrable keys' entries are counted instead, before their boundaries are looked at;
    /// returns that count.
    @inline(__always)
    func forEachDirectMatch(
        _ hits: [AutomatonHit], _ na: RuleSet.NormalizedAutomaton, field f: Int, text: UnsafeBufferPointer<UInt8>,
        floor: Int = 0, base: Int = 0, skippingDeferrable: Bool, _ found: (Int, Int, Int) -> Void
    ) -> Int {
        let fieldCount = rules.fields.count
        let mode = na.mode
        // Without `spaced`, a word character after the match fails every whole-word entry
        // (`Normalizer.boundary(_:after:mode:)`). Single letters listed as whole words ("a", "u")
        // end a hit at most letters of a text; this drops those hits first.
        let wordAfterFails = !mode.contains(.spaced)
        var skipped = 0
        for hit in hits where Int(hit.end) > floor {
            let end = Int(hit.end) + base
            let wordFollows = wordAfterFails && Detectors.isWordAt(text, end)
            for k in na.automaton.outputs(of: hit.state) {
                let p = Int(na.automaton.outputs[k])
                if wordFollows && na.wholeWordOnly[p] { continue }
                let begin = end - Int(na.automaton.patternLengths[p])
                if begin < 0 { continue }  // see runAutomaton
                for e in na.patternEntries.entries(of: p) {
                    let key = Int(keyOfListField[Int(na.patternEntries.list[e]) * fieldCount + f])
                    if key < 0 { continue }
                    if skippingDeferrable && deferrableKey[key] {
                        skipped &+= 1
                        continue
                    }
                    if na.patternEntries.flags[e] & PatternEntries.wholeWord != 0 {
                        if !Normalizer.boundary(text, before: begin, mode: mode) || !Normalizer.boundary(text, after: end, mode: mode) {
                            continue
                        }
                    }
                    found(key, begin, end)
                }
            }
        }
        return skipped
    }

    /// Replays the values whose deferrable entries were skipped, counting those entries' matches
    /// and putting every span of each value back in the order the pass would have stored them.
    /// Called by `count(key:)` on a deferrable key; the check that the passes stayed clear of
    /// the span limit (`runNormalizedAutomata`) means no span is cut here.
    func resolveDeferredHits() {
        let pending = deferred.pending
        deferred.pending.removeAllKeepingCapacity()
        deferred.spanBound = 0
        // From the last value back, so that each value's recorded place in `spans` still holds.
        deferred.replayedValues &+= pending.count
        for p in pending.reversed() {
            let na = rules.normalizedAutomata[Int(p.automaton)]
            let f = Int(p.field), vi = Int(p.value)
            let v = values[f, vi]
            deferred.scratch.removeAllKeepingCapacity()
            arena.withUnsafeBufferPointer { all in
                let text = UnsafeBufferPointer(rebasing: all[Int(v.a)..<Int(v.a + v.b)])
                na.automaton.scan(text, into: &hits, blockHits: blockHits) { hits in
                    _ = forEachDirectMatch(hits, na, field: f, text: text, skippingDeferrable: false) { key, begin, end in
                        if deferrableKey[key] {
                            freshen(key)
                            if keyCount[key] < Int32.max { keyCount[key] &+= 1 }
                        }
                        deferred.scratch.append(Span(key: Int32(key), field: Int32(f), value: Int32(vi), start: Int32(begin), end: Int32(end)))
                    }
                    return true
                }
            }
            spans.replaceSubrange(Int(p.spanStart)..<Int(p.spanEnd), with: deferred.scratch)
        }
    }

    /// Takes back what the normalised passes recorded since the marks: their spans, and the keys
    /// they counted (none of which the plain pass counts: a list belongs to one automaton).
    func undoNormalizedPasses(spanMark: Int, touchedMark: Int, stoppedEarly wasStoppedEarly: Bool) {
        spans.removeSubrange(spanMark..<spans.count)
        for k32 in touchedKeys[touchedMark...] {
            let k = Int(k32)
            keyStamp[k] = 0  // never the current stamp (see `scan`)
            if keyTruncatedStamp[k] == stamp { keyTruncatedStamp[k] = 0 }
        }
        touchedKeys.removeSubrange(touchedMark...)
        stoppedEarly = wasStoppedEarly
        deferred.clear()
        deferred.redonePasses &+= 1
    }
}
