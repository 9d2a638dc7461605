extension Array {
    /// Removes every element, keeping the capacity, and costs nothing when there is none.
    ///
    /// `removeAll(keepingCapacity: true)` goes through the generic `replaceSubrange` even on an
    /// empty array; the scanner empties a dozen buffers per event (findings, spans, hits per
    /// pass), most of them already empty, and those calls were a few per cent of reading and
    /// scanning an event without text.
    @inline(__always) mutating func removeAllKeepingCapacity() {
        if !isEmpty { removeAll(keepingCapacity: true) }
    }
}
