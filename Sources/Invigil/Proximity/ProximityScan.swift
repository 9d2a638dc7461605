/// Proximity tests evaluated from the match spans the scan already recorded: no text is matched
/// again, only the bytes between a candidate pair are read (see `WordGap`).
extension Scanner {
    /// Whether a match of key `first` and a match of key `second` (both on one field) lie in one
    /// value and one sentence with at most `window` words between them, not overlapping;
    /// `ordered`: the `first` match comes first.
    func near(_ first: Int, _ second: Int, window: Int, ordered: Bool) -> Bool {
        guard bothMatched(first, second) else { return false }
        gatherProximitySpans(first, second)
        if nearInOrder(window: window, all: false, report: { _, _ in }) { return true }
        if ordered { return false }
        gatherProximitySpans(second, first)
        return nearInOrder(window: window, all: false, report: { _, _ in })
    }

    /// The pairs of matches that make a proximity test hold: for each match of the later key,
    /// the nearest earlier match of the other, when their gap qualifies.
    func nearPairs(_ first: Int, _ second: Int, window: Int, ordered: Bool, _ report: (Span, Span) -> Void) {
        guard bothMatched(first, second) else { return }
        gatherProximitySpans(first, second)
        _ = nearInOrder(window: window, all: true, report: report)
        if ordered { return }
        gatherProximitySpans(second, first)
        _ = nearInOrder(window: window, all: true, report: report)
    }

    /// Fills `proximityEarlier` with the spans of `earlier` sorted by value then end, and
    /// `proximityLater` with those of `later` sorted by value then start.
    private func gatherProximitySpans(_ earlier: Int, _ later: Int) {
        proximityEarlier.removeAllKeepingCapacity()
        proximityLater.removeAllKeepingCapacity()
        for s in spans {
            if Int(s.key) == earlier { proximityEarlier.append(s) }
            if Int(s.key) == later { proximityLater.append(s) }
        }
        // Usually already in order (the automaton reports matches by end).
        func byEnd(_ a: Span, _ b: Span) -> Bool { (a.value, a.end) < (b.value, b.end) }
        func byStart(_ a: Span, _ b: Span) -> Bool { (a.value, a.start) < (b.value, b.start) }
        if !isSorted(proximityEarlier, byEnd) { proximityEarlier.sort(by: byEnd) }
        if !isSorted(proximityLater, byStart) { proximityLater.sort(by: byStart) }
    }

    private func isSorted(_ spans: [Span], _ less: (Span, Span) -> Bool) -> Bool {
        var i = 1
        while i < spans.count {
            if less(spans[i], spans[i - 1]) { return false }
            i += 1
        }
        return true
    }

    /// One pass over the later matches in order; `all`: report every qualifying pair rather
    /// than stop at the first. For each distinct start, only the nearest
    /// earlier match (the largest end not after it) can qualify: any other one's gap contains
    /// its gap, so has at least as many words and every sentence end. And when that nearest
    /// match is also the previous start's nearest and the previous start failed, this start
    /// fails too (its gap extends the previous gap), so no byte is read twice: linear time.
    private func nearInOrder(window: Int, all: Bool, report: (Span, Span) -> Void) -> Bool {
        let earlier = proximityEarlier, later = proximityLater
        var i = 0
        var j = 0
        var currentValue: Int32 = -1
        var previousStart: Int32 = -1
        var previousHeld = false
        var found = false
        while j < later.count {
            let y = later[j]
            j += 1
            if y.value != currentValue {
                currentValue = y.value
                previousStart = -1
                previousHeld = false
            } else if y.start == previousStart {
                if previousHeld, all, i > 0 { report(earlier[i - 1], y) }
                continue
            }
            while i < earlier.count,
                earlier[i].value < y.value || (earlier[i].value == y.value && earlier[i].end <= y.start)
            {
                i += 1
            }
            let nearest = i > 0 && earlier[i - 1].value == y.value ? earlier[i - 1] : nil
            var held = false
            if let x = nearest, !(x.end <= previousStart && !previousHeld) {
                held = gapHolds(field: Int(y.field), value: Int(y.value), from: Int(x.end), to: Int(y.start), window: window)
                if held {
                    found = true
                    guard all else { return true }
                    report(x, y)
                }
            }
            previousStart = y.start
            previousHeld = held
        }
        return found
    }

    private func gapHolds(field: Int, value: Int, from start: Int, to end: Int, window: Int) -> Bool {
        let v = values[field, value]
        let base = Int(v.a), length = Int(v.b)
        guard start >= 0, start <= end, end <= length else { return false }
        return arena.withUnsafeBufferPointer { all in
            WordGap.holds(UnsafeBufferPointer(rebasing: all[base..<(base + length)]), from: start, to: end, window: window)
        }
    }
}
