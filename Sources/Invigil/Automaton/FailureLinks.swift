extension AutomatonTrie {
    /// Failure links, in breadth-first order (a state's failure target comes earlier, so it is
    /// final when its children need it).
    func failureLinks() -> [UInt32] {
        let n = stateCount
        var fail = [UInt32](repeating: 0, count: n)
        for s in 1..<max(1, n) {
            for k in Int(childStart[s])..<Int(childStart[s + 1]) {
                let c = childLabel[k]
                let t = Int(childTarget[k])
                var f = Int(fail[s])
                while true {
                    let g = child(f, c)
                    if g >= 0 { fail[t] = UInt32(g); break }
                    if f == 0 { fail[t] = 0; break }
                    f = Int(fail[f])
                }
            }
        }
        return fail
    }

    /// Outputs: a state's own patterns (from the insertion's lists, through `order`: new id → old
    /// id), then those of its failure target (an earlier state, already merged).
    func collectOutputs(order: [Int32], terminals t: Linked) -> ([UInt32], [UInt32]) {
        let n = stateCount
        var outputStart = [UInt32](repeating: 0, count: n + 1)
        var outputs: [UInt32] = []
        outputs.reserveCapacity(t.termNext.count * 2)
        for s in 0..<n {
            outputStart[s] = UInt32(outputs.count)
            var p = t.termHead[Int(order[s])]
            while p >= 0 { outputs.append(UInt32(p)); p = t.termNext[Int(p)] }
            if s > 0 {
                let f = Int(fail[s])
                var k = Int(outputStart[f])
                let e = Int(outputStart[f + 1])
                while k < e { outputs.append(outputs[k]); k += 1 }
            }
        }
        outputStart[n] = UInt32(outputs.count)
        return (outputStart, outputs)
    }
}
