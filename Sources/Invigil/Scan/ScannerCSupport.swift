// What the C interface (Sources/InvigilC) needs of the scanner beyond its Swift API: lookups and
// read-backs by raw bytes and stable pointers, without allocating. `package` access: the other
// modules of this package see it, users of the Swift API do not (they have `bytes(field:valueIndex:)`).

extension Scanner {
    /// The slot of a field given by its UTF-8 name, without allocating; nil if undeclared.
    package func slot(ofUTF8 name: UnsafeBufferPointer<UInt8>) -> Int? { slot(of: name) }

    /// Whether the last scan stopped early, on its time budget or an interrupt. One call, where
    /// reading `timedOut` and `interrupted` from another module was a run-time exclusivity check
    /// each (their `@exclusivity(unchecked)` holds only inside this module).
    package var interruptedOrTimedOut: Bool { timedOut || interrupted }

    /// A pointer to the bytes of a string or text value, and their count. The pointer stays
    /// valid until the scanner's event is next modified (set, add, setJSON, reset). Nil for an
    /// out-of-range field or value, or a field that is not a string or text.
    package func valuePointer(field: Int, valueIndex: Int) -> (UnsafePointer<UInt8>?, Int)? {
        guard let range = stringRange(field: field, valueIndex: valueIndex) else { return nil }
        let start = range.lowerBound, count = range.count
        guard start >= 0, range.upperBound <= arena.count else { return nil }
        return arena.withUnsafeBufferPointer { all in (all.baseAddress.map { $0 + start }, count) }
    }

    /// The index into `RuleSet.fields[field].enumValues` of an enum value (-1 for a value the
    /// schema does not list), or nil for an out-of-range field or value or a non-enum field.
    package func enumValueIndex(field: Int, valueIndex: Int) -> Int? {
        guard field >= 0, field < values.fieldCount, valueIndex >= 0, valueIndex < values.count(field) else { return nil }
        guard rules.fields[field].kind == .enumeration else { return nil }
        return Int(values[field, valueIndex].a)
    }
}

extension RuleSet {
    /// The slot of a field given by its UTF-8 name, without allocating; nil if undeclared (for
    /// the C interface's field ids).
    package func slot(ofUTF8 name: UnsafeBufferPointer<UInt8>) -> Int? { fieldHash.find(name) }
}
