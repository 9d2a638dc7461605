/// The values of the current event's fields: per field, its values in the order they were set,
/// and the largest group element it holds a value for.
///
/// Kept in memory the store allocates itself rather than as an array of arrays. Setting a value
/// in `[[EventValue]]` checked the uniqueness of both arrays and retained the inner one, and
/// every read of a field retained it again: on the C interface, with four or five fields set and
/// read per 200-byte event, that was about a tenth of the call. Here a field's values are a
/// pointer, a count and a capacity; no access counts references.
///
/// Not copyable: the store owns its memory and frees it once, when its scanner goes.
struct EventValues: ~Copyable {
    let fieldCount: Int
    private let storage: UnsafeMutablePointer<UnsafeMutablePointer<EventValue>?>
    private let counts: UnsafeMutablePointer<Int>
    private let capacities: UnsafeMutablePointer<Int>
    private let maxElements: UnsafeMutablePointer<Int32>

    init(fieldCount: Int) {
        self.fieldCount = fieldCount
        let n = max(1, fieldCount)
        storage = .allocate(capacity: n)
        storage.initialize(repeating: nil, count: n)
        counts = .allocate(capacity: n)
        counts.initialize(repeating: 0, count: n)
        capacities = .allocate(capacity: n)
        capacities.initialize(repeating: 0, count: n)
        maxElements = .allocate(capacity: n)
        maxElements.initialize(repeating: -1, count: n)
    }

    deinit {
        for f in 0..<fieldCount { storage[f]?.deallocate() }
        storage.deallocate()
        counts.deallocate()
        capacities.deallocate()
        maxElements.deallocate()
    }

    /// Number of values field `f` holds.
    @inline(__always) func count(_ f: Int) -> Int { counts[f] }

    @inline(__always) func isEmpty(_ f: Int) -> Bool { counts[f] == 0 }

    /// Value `i` of field `f` (`i < count(f)`).
    @inline(__always) subscript(f: Int, i: Int) -> EventValue {
        get { storage[f]![i] }
        nonmutating set { storage[f]![i] = newValue }
    }

    /// The values of field `f`, valid until the field is next changed.
    @inline(__always) func of(_ f: Int) -> UnsafeBufferPointer<EventValue> {
        UnsafeBufferPointer(start: storage[f], count: counts[f])
    }

    func first(_ f: Int) -> EventValue? { counts[f] > 0 ? storage[f]![0] : nil }

    func last(_ f: Int) -> EventValue? { counts[f] > 0 ? storage[f]![counts[f] - 1] : nil }

    /// The largest group element field `f` holds a value for, or -1.
    @inline(__always) func maxElement(_ f: Int) -> Int32 { maxElements[f] }

    /// Adds a value to field `f`, growing its memory by doubling.
    @inline(__always) func append(_ f: Int, _ v: EventValue) {
        let n = counts[f]
        if n == capacities[f] { grow(f) }
        (storage[f]! + n).initialize(to: v)
        counts[f] = n + 1
        if v.element > maxElements[f] { maxElements[f] = v.element }
    }

    private func grow(_ f: Int) {
        let capacity = max(4, capacities[f] * 2)
        let bigger = UnsafeMutablePointer<EventValue>.allocate(capacity: capacity)
        if let old = storage[f] {
            bigger.moveInitialize(from: old, count: counts[f])
            old.deallocate()
        }
        storage[f] = bigger
        capacities[f] = capacity
    }

    /// Forgets field `f`'s values, keeping its memory.
    @inline(__always) func removeAll(_ f: Int) {
        counts[f] = 0
        maxElements[f] = -1
    }

    /// Forgets every field's values, keeping the memory.
    func removeAllFields() {
        for f in 0..<fieldCount where counts[f] != 0 { removeAll(f) }
    }
}
