/// Bounded memory per scan: every match is counted, but at most `storedSpanLimit` spans are
/// stored, and an automaton pass stops early once no rule can change its answer.
///
/// Without the bound a 64 MiB message of "text me on 07700 900461" repeated stores 22 million
/// spans (gigabytes). With it, counts (and so every threshold, every finding) stay those of an
/// unbounded scan; only the lists of spans shown with the findings are cut, and say so.
extension Scanner {
    /// Counts a match of `key` and stores its span while there is room. Counts saturate at
    /// Int32.max (a count is compared with rule constants; none is that large in practice).
    @inline(__always) func record(_ key: Int, _ field: Int, _ value: Int, _ start: Int, _ end: Int) {
        if keyCount[key] < Int32.max { keyCount[key] &+= 1 }
        if spans.count < storedSpanLimit {
            spans.append(Span(key: Int32(key), field: Int32(field), value: Int32(value), start: Int32(start), end: Int32(end)))
        } else {
            keyTruncatedStamp[key] = stamp
        }
    }

    /// After a window of an automaton pass over field `f`: false (stop the pass) when the scan is
    /// out of time or interrupted, or when no more span can be stored and every phrase key on the
    /// field already has a count at which every rule's comparison is settled. The keys are then
    /// marked truncated, since their counts are lower bounds from here on.
    @inline(__always) func continueOrSettle(field f: Int) -> Bool {
        if outOfTime() { return false }
        guard spans.count >= storedSpanLimit else { return true }
        for k32 in phraseKeysOfField[f] {
            let k = Int(k32)
            if keyStamp[k] != stamp || Int64(keyCount[k]) < keySaturation[k] { return true }
        }
        for k32 in phraseKeysOfField[f] { keyTruncatedStamp[Int(k32)] = stamp }
        stoppedEarly = true
        return false
    }

    /// Per key, the smallest count at which every `count` comparison of the program on it has its
    /// final answer: one more than the largest constant it is compared with (a comparison with n
    /// cannot change once the count is above n), and at least 1.
    static func saturation(of rules: RuleSet) -> [Int64] {
        var result = [Int64](repeating: 1, count: rules.program.keys.count)
        for ins in rules.program.code where ins.opcode == .count {
            let k = Int(ins.a), c = Int(ins.b)
            guard k >= 0, k < result.count, c >= 0, c < rules.program.ints.count else { continue }
            let n = rules.program.ints[c]
            let needed = n >= Int64(Int32.max) ? Int64(Int32.max) : max(1, n + 1)
            result[k] = max(result[k], needed)
        }
        return result
    }
}
