/// The loader's checks over whole tables, written as branch-free reductions (an OR or a maximum
/// over the table, tested once at the end) so that the compiler vectorises them: a loaded
/// file's tables are checked at memory speed, not one compare-and-branch per entry.
enum TableChecks {
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
        var m: UInt32 = 0
        for i in 0..<count { m = max(m, p[i]) }
        return m
    }

    /// Whether the `count` integers never decrease.
    static func nonDecreasing(_ p: UnsafePointer<UInt32>, _ count: Int) -> Bool {
        guard count > 1 else { return true }
        var bad: UInt32 = 0
        for i in 0..<(count &- 1) { bad |= p[i] > p[i &+ 1] ? 1 : 0 }
        return bad == 0
    }

    /// Whether p[0...n] never decreases and p[i] > i for every i < n: the first-child table of
    /// a breadth-first trie, where a state's children come after it.
    static func startsAfterIndex(_ p: UnsafePointer<UInt32>, _ n: Int) -> Bool {
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
