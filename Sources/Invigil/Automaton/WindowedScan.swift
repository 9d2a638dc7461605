extension Automaton {
    /// Bytes of text scanned per window by `scan(_:into:blockHits:window:)`: 16 blocks. A window's hits are
    /// at most one per byte, so the hit buffer stays below 2 MB whatever the text holds.
    static let windowBytes = 16 * scanBlock

    /// Scans `text` window by window, giving `body` each window's hits (in order of end offset,
    /// ends relative to the whole text) in `hits`, which is emptied before each window. `body`
    /// returns false to stop the scan early. The hits are those of `scan(_:into:)`: every block is
    /// warmed up from the bytes before it (see `scan(_:into:)`), wherever it starts.
    ///
    /// This is what bounds the scanner's memory on match-dense text: a 64 MiB message of repeated
    /// phrases has tens of millions of hits, which one `scan(_:into:)` would hold all at once.
    /// A block's hits are first written to `blockHits`, which a scanner keeps: a temporary
    /// allocation of that size (more than 1 KB) is a heap allocation on Linux, which was one
    /// `malloc` and `free` for every text of 128 bytes or more.
    func scan(
        _ text: UnsafeBufferPointer<UInt8>, into hits: inout [AutomatonHit], blockHits: BlockHitBuffer,
        window body: (inout [AutomatonHit]) -> Bool
    ) {
        guard let base = text.baseAddress, text.count > 0 else { return }
        let out = blockHits.start
        let n = text.count
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

/// Room for one block's hits (`Automaton.scanBlock` of them, 128 KB), kept by a scanner across
/// events so that its scans allocate nothing. Not shared between threads.
final class BlockHitBuffer {
    let start: UnsafeMutablePointer<AutomatonHit>

    init() { start = .allocate(capacity: Automaton.scanBlock) }

    deinit { start.deallocate() }
}
