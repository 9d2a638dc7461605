extension Automaton {
    /// Bytes of text scanned per window by `scan(_:window:into:_:)`: 16 blocks. A window's hits are
    /// at most one per byte, so the hit buffer stays below 2 MB whatever the text holds.
    static let windowBytes = 16 * scanBlock

    /// Scans `text` window by window, giving `body` each window's hits (in order of end offset,
    /// ends relative to the whole text) in `hits`, which is emptied before each window. `body`
    /// returns false to stop the scan early. The hits are those of `scan(_:into:)`: every block is
    /// warmed up from the bytes before it (see `scan(_:into:)`), wherever it starts.
    ///
    /// This is what bounds the scanner's memory on match-dense text: a 64 MiB message of repeated
    /// phrases has tens of millions of hits, which one `scan(_:into:)` would hold all at once.
    func scan(
        _ text: UnsafeBufferPointer<UInt8>, into hits: inout [AutomatonHit],
        window body: (inout [AutomatonHit]) -> Bool
    ) {
        guard let base = text.baseAddress, text.count > 0 else { return }
        let n = text.count
        withUnsafeTemporaryAllocation(of: AutomatonHit.self, capacity: min(n, Automaton.scanBlock)) { tmp in
            let out = tmp.baseAddress!
            var w = 0
            while w < n {
                let windowEnd = min(n, w &+ Automaton.windowBytes)
                hits.removeAllKeepingCapacity()
                scanBlocks(base, w, windowEnd, out, &hits)
                if !hits.isEmpty && !body(&hits) { return }
                w = windowEnd
            }
        }
    }
}
