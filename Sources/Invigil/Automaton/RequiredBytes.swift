/// The uncommon bytes without which an automaton cannot match: a pass over text holding none of
/// them finds nothing and can be skipped.
///
/// The packs' `confusables spaced` lists (`[at]`, `(dot)`, `bit[.]ly`, `tinyurldotcom/`) are
/// written disguised: every pattern holds a bracket or a slash, which few messages do. Yet each
/// ASCII text was normalised and scanned for them. Which bytes a set of patterns needs is read off
/// the automaton itself, so it holds whatever the patterns are: from the start state, follow every
/// transition on a common byte (letters, digits, white space, common punctuation); if that never
/// reaches a match, a text made of common bytes has no match, and only the uncommon bytes that
/// leave the states so reached (or reach a match from them) can change that.
extension Automaton {
    /// Bytes the search treats as common: what ordinary messages are mostly made of.
    static let commonBytes: [Bool] = (0..<128).map { b in
        let c = UInt8(b)
        return Detectors.isAlpha(c) || Detectors.isDigit(c) || " \t\n\r.,'!?-:;\"".utf8.contains(c)
    }

    /// The uncommon ASCII bytes (after the automaton's own case folding) of which a text must hold
    /// one for a match; nil when a text of common bytes alone can match, when more than eight
    /// bytes would be needed, or when the automaton is not fully dense or has more than
    /// `maxStates` states (the search reads every reachable state's row).
    func requiredUncommonBytes(maxStates: Int = 1024) -> [UInt8]? {
        guard premultiplied, stateCount <= maxStates, stateCount > 0 else { return nil }
        deferred?.ensureBuilt()
        let C = UInt32(classCount)
        var reached = [Bool](repeating: false, count: stateCount)
        var queue: [UInt32] = [0]
        reached[0] = true
        var k = 0
        while k < queue.count {
            let row = Int(queue[k])
            k += 1
            for b in 0..<128 where Automaton.commonBytes[b] {
                let entry = dense[row + Int(classOf[b])]
                if entry & Automaton.matchBit != 0 { return nil }
                let target = entry / C
                guard Int(target) < stateCount else { return nil }
                if !reached[Int(target)] {
                    reached[Int(target)] = true
                    queue.append(entry)
                }
            }
        }
        var needed: [UInt8] = []
        for row in queue {
            for b in 0..<128 where !Automaton.commonBytes[b] && !needed.contains(UInt8(b)) {
                let entry = dense[Int(row) + Int(classOf[b])]
                let target = Int((entry & ~Automaton.matchBit) / C)
                if entry & Automaton.matchBit != 0 || target >= stateCount || !reached[target] { needed.append(UInt8(b)) }
            }
        }
        return needed.count <= 8 ? needed.sorted() : nil
    }
}
