#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The loader's checks over whole tables, written as branch-free reductions (an OR or a maximum
/// over the table, tested once at the end) so that the compiler vectorises them: a loaded
/// file's tables are checked at memory speed, not one compare-and-branch per entry.
///
/// The u32 checks run as AVX-512 kernels (`table_checks.c`, sixteen entries a step) when the
/// CPU has them and the table is not tiny; the Swift passes (`portable…`), which the compiler
/// vectorises only for SSE 2, are the fallback and the tests' reference.
enum TableChecks {
    #if canImport(InvigilSIMD)
    static let kernels = ivg_table_checks_available() != 0
    #else
    static let kernels = false
    #endif

    /// Tables shorter than this are checked by the Swift passes (a call is not worth it).
    static let kernelMinimum = 64

    /// The largest of `count` bytes (0 when there are none).
    static func largest(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt8 {
        var m: UInt8 = 0
        for i in 0..<count { m = max(m, p[i]) }
        return m
    }

    /// The OR of `count` bytes (0 when there are none).
    static func union(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt8 {
        var m: UInt8 = 0
        for i in 0..<count { m |= p[i] }
        return m
    }

    /// The largest of `count` integers (0 when there are none).
    static func largest(_ p: UnsafePointer<UInt32>, _ count: Int) -> UInt32 {
        #if canImport(InvigilSIMD)
        if kernels && count >= kernelMinimum { return ivg_u32_largest(p, count) }
        #endif
        return portableLargest(p, count)
    }

    static func portableLargest(_ p: UnsafePointer<UInt32>, _ count: Int) -> UInt32 {
        var m: UInt32 = 0
        for i in 0..<count { m = max(m, p[i]) }
        return m
    }

    /// Whether the `count` integers never decrease.
    static func nonDecreasing(_ p: UnsafePointer<UInt32>, _ count: Int) -> Bool {
        #if canImport(InvigilSIMD)
        if kernels && count >= kernelMinimum { return ivg_u32_non_decreasing(p, count) != 0 }
        #endif
        return portableNonDecreasing(p, count)
    }

    static func portableNonDecreasing(_ p: UnsafePointer<UInt32>, _ count: Int) -> Bool {
        guard count > 1 else { return true }
        var bad: UInt32 = 0
        for i in 0..<(count &- 1) { bad |= p[i] > p[i &+ 1] ? 1 : 0 }
        return bad == 0
    }

    /// Whether p[0...n] never decreases and p[i] > i for every i < n: the first-child table of
    /// a breadth-first trie, where a state's children come after it.
    static func startsAfterIndex(_ p: UnsafePointer<UInt32>, _ n: Int) -> Bool {
        #if canImport(InvigilSIMD)
        if kernels && n >= kernelMinimum { return ivg_u32_starts_after_index(p, n) != 0 }
        #endif
        return portableStartsAfterIndex(p, n)
    }

    static func portableStartsAfterIndex(_ p: UnsafePointer<UInt32>, _ n: Int) -> Bool {
        var bad: UInt32 = 0
        var index: UInt32 = 0
        for i in 0..<n {
            let v = p[i]
            bad |= (v > p[i &+ 1] ? 1 : 0) | (v <= index ? 1 : 0)
            index &+= 1
        }
        return bad == 0
    }

    /// Whether p[i] < i for every 0 < i < n: failure links to earlier states.
    static func belowIndex(_ p: UnsafePointer<UInt32>, _ n: Int) -> Bool {
        #if canImport(InvigilSIMD)
        if kernels && n >= kernelMinimum { return ivg_u32_below_index(p, n) != 0 }
        #endif
        return portableBelowIndex(p, n)
    }

    static func portableBelowIndex(_ p: UnsafePointer<UInt32>, _ n: Int) -> Bool {
        guard n > 1 else { return true }
        var bad: UInt32 = 0
        var index: UInt32 = 1
        for i in 1..<n {
            bad |= p[i] >= index ? 1 : 0
            index &+= 1
        }
        return bad == 0
    }
}
