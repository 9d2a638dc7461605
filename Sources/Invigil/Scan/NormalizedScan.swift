extension Scanner {
    /// Scans each field that normalised phrase lists test, once per combination of modes. The
    /// text is normalised into a scratch buffer that remembers, for every byte, the span of the
    /// original character it came from, so spans point into the original text. ASCII text under
    /// `caseless` alone needs no copy: the automaton's byte classes already fold ASCII case.
    func runNormalizedAutomata() {
        let fieldCount = rules.fields.count
        for na in rules.normalizedAutomata {
            for f32 in na.fields {
                let f = Int(f32)
                for (vi, v) in values[f].enumerated() where v.b > 0 {
                    if outOfTime() { return }
                    hits.removeAll(keepingCapacity: true)
                    let start = Int(v.a), length = Int(v.b)
                    arena.withUnsafeBufferPointer { all in
                        let text = UnsafeBufferPointer(rebasing: all[start..<(start + length)])
                        let direct = na.mode == .caseless && isASCII(text)
                        if direct {
                            na.automaton.scan(text, into: &hits)
                        } else {
                            Normalizer.normalize(text, mode: na.mode, into: &normalizedText, origin: &normalizedOrigin)
                            normalizedText.withUnsafeBufferPointer { na.automaton.scan($0, into: &hits) }
                        }
                        guard !hits.isEmpty else { return }
                        for hit in hits {
                            let end = Int(hit.end)
                            for k in na.automaton.outputs(of: hit.state) {
                                let p = Int(na.automaton.outputs[k])
                                let begin = end - Int(na.automaton.patternLengths[p])
                                let originalStart = direct ? begin : Int(normalizedOrigin[2 * begin])
                                let originalEnd = direct ? end : Int(normalizedOrigin[2 * (end - 1) + 1])
                                for entry in na.patternEntries[p] {
                                    let key = rules.keyOfListField[Int(entry.list) * fieldCount + f]
                                    if key < 0 { continue }
                                    if entry.wholeWord {
                                        if !Normalizer.boundary(text, before: originalStart, mode: na.mode) { continue }
                                        if !Normalizer.boundary(text, after: originalEnd, mode: na.mode) { continue }
                                    }
                                    freshen(Int(key))
                                    keyCount[Int(key)] += 1
                                    spans.append(Span(key: key, field: Int32(f), value: Int32(vi),
                                                      start: Int32(originalStart), end: Int32(originalEnd)))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
