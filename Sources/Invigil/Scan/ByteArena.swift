/// The bytes of an event's string and text values, end to end: a value is an offset and a
/// length into it (`EventValue`).
///
/// Raw memory rather than `[UInt8]`: a value is appended for every string of every event, and
/// an array's append of a buffer (uniqueness and capacity checks, then a generic copy) cost
/// about a hundred instructions for a ten-byte value. Here an append is a capacity check and a
/// copy. The memory is kept from event to event, as the array's capacity was.
///
/// Not copyable: its memory is freed once, with the scanner.
struct ByteArena: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes held.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Appends `bytes` at the end; their offset is the `count` before the call.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if count &+ bytes.count > capacity { grow(to: count &+ bytes.count) }
        (base + count).initialize(from: source, count: bytes.count)
        count &+= bytes.count
    }

    /// Forgets every byte, keeping the memory.
    @inline(__always)
    mutating func removeAll() { count = 0 }

    /// Calls `body` with the bytes held, valid only during the call.
    @inline(__always)
    func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// The bytes in `range`, which must lie within `0..<count`; valid until the next change.
    @inline(__always)
    subscript(range: Range<Int>) -> Slice<UnsafeBufferPointer<UInt8>> {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "arena range out of bounds")
        return UnsafeBufferPointer(start: base, count: count)[range]
    }

    private mutating func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.initialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }
}
