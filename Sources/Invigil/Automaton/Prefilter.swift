#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The SIMD prefilter: for small sets whose patterns have few distinct first three bytes, a scan
/// in the start state jumps to the next position where one of those triples occurs
/// (`Sources/InvigilSIMD`, AVX2, checked at run time). The scan loop that uses it is
/// `scanPrefiltered` in `LaneKernels.swift`.
extension Automaton {
    /// Most distinct first-byte triples the prefilter handles.
    static let prefilterMaxTriples = 16

    /// The triples of the prefilter, or empty when some pattern is shorter than three bytes or
    /// there are too many distinct ones.
    static func prefilterTriples(_ patterns: [[UInt8]]) -> [UInt32] {
        var triples: [UInt32] = []
        for p in patterns {
            guard p.count >= 3 else { return [] }
            let t = UInt32(p[0] | 0x20) | UInt32(p[1] | 0x20) << 8 | UInt32(p[2] | 0x20) << 16
            if !triples.contains(t) {
                triples.append(t)
                if triples.count > prefilterMaxTriples { return [] }
            }
        }
        return triples
    }

    /// The prefilter for `triples`, or nil when there are none or the CPU lacks AVX2.
    static func makePrefilter(_ triples: [UInt32]) -> UnsafeMutableRawPointer? {
        #if canImport(InvigilSIMD)
        guard !triples.isEmpty, triples.count <= Int(IVG_PREFILTER_MAX), ivg_prefilter_available() != 0 else { return nil }
        let pf = UnsafeMutablePointer<ivg_prefilter>.allocate(capacity: 1)
        pf.initialize(to: ivg_prefilter())
        withUnsafeMutableBytes(of: &pf.pointee.a) { a in
            withUnsafeMutableBytes(of: &pf.pointee.b) { b in
                withUnsafeMutableBytes(of: &pf.pointee.c) { c in
                    for (j, t) in triples.enumerated() {
                        a[j] = UInt8(truncatingIfNeeded: t)
                        b[j] = UInt8(truncatingIfNeeded: t >> 8)
                        c[j] = UInt8(truncatingIfNeeded: t >> 16)
                    }
                }
            }
        }
        pf.pointee.count = Int32(triples.count)
        return UnsafeMutableRawPointer(pf)
        #else
        return nil
        #endif
    }
}
