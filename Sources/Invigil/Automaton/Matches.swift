/// What a hit means: the patterns that end at its state.
extension Automaton {
    /// The number of patterns that end at a hit's state.
    package func patternCount(at state: UInt32) -> Int { Int(outputStart[Int(state) + 1] &- outputStart[Int(state)]) }

    /// The pattern ids that end at a hit's state.
    @inline(__always)
    func outputs(of state: UInt32) -> Range<Int> { Int(outputStart[Int(state)])..<Int(outputStart[Int(state) + 1]) }

    /// Every (pattern, start, end) for a text, in order of end offset; for tests and tools.
    package func matches(in text: [UInt8]) -> [(pattern: Int, start: Int, end: Int)] {
        var hits: [AutomatonHit] = []
        scan(text, into: &hits)
        var out: [(Int, Int, Int)] = []
        for h in hits {
            for k in outputs(of: h.state) {
                let p = Int(outputs[k])
                out.append((p, Int(h.end) - Int(patternLengths[p]), Int(h.end)))
            }
        }
        return out
    }
}
