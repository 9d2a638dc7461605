/// A scanner's own copy of a rule set's array of tables (enum-value tables, host sets, each
/// rule's support keys), read in place.
///
/// Reading an element of an array of structs that hold arrays copies the element, which retains
/// and releases each array it holds: for a `ByteStringTable`, three pairs per enum value set or
/// host looked up. An element read through this buffer's pointer is borrowed instead. The copy
/// is made once per scanner; the tables themselves stay shared with the rule set.
///
/// Not copyable: the buffer is freed once, with its scanner.
struct OwnedTables<Element>: ~Copyable {
    private let base: UnsafeMutablePointer<Element>
    let count: Int

    init(_ elements: [Element]) {
        count = elements.count
        base = .allocate(capacity: max(1, count))
        if count > 0 {
            elements.withUnsafeBufferPointer { base.initialize(from: $0.baseAddress!, count: count) }
        }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Element `i` (`0 <= i < count`), borrowed.
    @inline(__always) subscript(i: Int) -> Element {
        unsafeAddress { UnsafePointer(base + i) }
    }
}
