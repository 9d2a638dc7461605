extension Array {
    /// A raw copy of the elements in memory of their own (at least one element allocated, so
    /// that an empty array still gives a pointer to free), which the caller frees.
    func allocatedCopy() -> UnsafeMutablePointer<Element> {
        let p = UnsafeMutablePointer<Element>.allocate(capacity: Swift.max(1, count))
        withUnsafeBufferPointer { if let b = $0.baseAddress { p.initialize(from: b, count: count) } }
        return p
    }
}
