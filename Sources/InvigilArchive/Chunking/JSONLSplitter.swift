/// Cuts a JSONL (or any line-based) input into chunks of whole lines of about `chunkBytes`.
/// A line longer than `ArchiveLimits.lineBytes` is not held: it becomes `.tooLarge`, as
/// `JSONLSource` rejects it.
///
/// With `countsLines` false, the splitter does not count the lines of the chunks it cuts, so that
/// the reading thread does not touch every byte: each chunk's `before` (and a `.tooLarge`'s
/// `number`) then counts only the over-long lines before it, and whoever reads the chunks adds the
/// lines of the earlier chunks, through a `LineLedger` (`LineLedger.lines(in:)` counts a chunk's).
///
/// ```swift
/// let splitter = JSONLSplitter(chunkBytes: 1 << 20)
/// for block in blocks { for chunk in splitter.add(block) { dispatch(chunk) } }
/// if let last = splitter.finish() { dispatch(last) }
/// ```
package final class JSONLSplitter {
    /// The size of the chunks to cut; may be changed between calls (smaller near an input's end,
    /// so that the last chunks spread over the workers).
    package var chunkBytes: Int
    let maxLine: Int
    /// Whether chunks' `before` include the lines of earlier chunks (see the type's comment).
    let countsLines: Bool
    private var pending: [UInt8] = []
    /// Lines before `pending`.
    private var linesBefore = 0
    /// Bytes of an over-long line being skipped, or nil.
    private var skipping: Int? = nil

    package init(chunkBytes: Int, maxLine: Int = ArchiveLimits.lineBytes, countsLines: Bool = true) {
        self.chunkBytes = max(1, chunkBytes)
        self.maxLine = maxLine
        self.countsLines = countsLines
    }

    /// Adds the next bytes of the input; returns the chunks now complete, in order.
    package func add(_ block: ArraySlice<UInt8>) -> [InputChunk] {
        var out: [InputChunk] = []
        var rest = block
        if let skipped = skipping {
            guard let nl = rest.firstIndex(of: 0x0A) else { skipping = skipped + rest.count; return out }
            // As the streaming reader counts it: the line's bytes and its terminator.
            let length = skipped + (nl - rest.startIndex) + 1
            linesBefore += 1
            out.append(.tooLarge(number: linesBefore, length: length))
            skipping = nil
            rest = rest[(nl + 1)...]
        }
        pending.append(contentsOf: rest)
        cut(into: &out, reserve: true)
        return out
    }

    /// Reads the input's next bytes with `read` straight into the buffer of the chunk being
    /// made, so that the bytes are copied once, by `read`, rather than into a block and then onto
    /// the chunk. `read` is given free space and returns how many bytes it wrote: 0 at the end
    /// of the input, negative on an error. Returns `read`'s last result and the chunks now
    /// complete; they hold the records `add` would give for the same bytes (cut in other places,
    /// which no reader of the chunks can tell).
    public func add(reading read: (UnsafeMutableRawBufferPointer) -> Int) -> (result: Int, chunks: [InputChunk]) {
        if skipping != nil || pending.count >= chunkBytes || 2 * chunkBytes > maxLine {
            // A line longer than a chunk is being held or skipped, or chunks are so large that a
            // buffer of two could hold a whole line over the limit: blocks, as `add` takes them.
            // Otherwise the buffer (at most two chunks) can hold no line over the limit, and
            // lines are judged exactly as `add` judges them.
            var block = [UInt8](repeating: 0, count: min(chunkBytes, 4 << 20))
            let n = block.withUnsafeMutableBytes { read($0) }
            return (n, n > 0 ? add(block[0..<n]) : [])
        }
        var result = 0
        let carried = pending
        // Read no more than a chunk: the buffers in flight (the pipeline's depth of them) are
        // then a chunk each, not two, which halves the pages the reading thread faults in.
        pending = [UInt8](unsafeUninitializedCapacity: chunkBytes) { buffer, count in
            let base = buffer.baseAddress!
            if !carried.isEmpty { carried.withUnsafeBufferPointer { base.initialize(from: $0.baseAddress!, count: $0.count) } }
            count = carried.count
            while count < chunkBytes {
                result = read(UnsafeMutableRawBufferPointer(start: base + count, count: chunkBytes - count))
                if result <= 0 { break }
                count += result
            }
        }
        var out: [InputChunk] = []
        cut(into: &out, reserve: false)
        return (result, out)
    }

    /// Once `pending` holds a chunk's worth: the chunk up to its last line end, keeping the rest;
    /// or, past the line limit without a line end, the start of skipping an over-long line.
    /// `reserve`: make room in `pending` for the next chunk (`add` appends to it; `add(reading:)`
    /// makes a new buffer anyway).
    private func cut(into out: inout [InputChunk], reserve: Bool) {
        // `maxLine + 1` bytes without a line feed may be a line of `maxLine` and the CR of its
        // CR LF; one more byte is over the limit whatever follows.
        guard pending.count >= chunkBytes || pending.count > maxLine + 1 else { return }
        if let nl = lastIndex(of: 0x0A, in: pending, from: 0) {
            let tail = Array(pending[(nl + 1)...])
            pending.removeLast(pending.count - nl - 1)
            out.append(.records(bytes: pending, before: linesBefore))
            if countsLines { linesBefore += count(of: 0x0A, in: pending, 0..<pending.count) }
            pending = tail
            // Room for the next chunk, so that appending blocks does not grow it step by step.
            if reserve { pending.reserveCapacity(2 * chunkBytes) }
        }
        if pending.count > maxLine + 1 {
            // A line longer than the limit: forget what is held and skip to its end.
            skipping = pending.count
            pending = []
        }
    }

    /// Lines of the input given so far, the last one counted once `finish()` has been called
    /// (with `countsLines` false, the over-long lines only).
    package private(set) var lineCount = 0

    /// The input's last chunk (its last line may lack a terminator), or nil.
    package func finish() -> InputChunk? {
        if let skipped = skipping {
            skipping = nil
            linesBefore += 1
            lineCount = linesBefore
            return .tooLarge(number: linesBefore, length: skipped)
        }
        lineCount = linesBefore + (countsLines ? LineLedger.lines(in: pending) : 0)
        guard !pending.isEmpty else { return nil }
        defer { pending = []; linesBefore = lineCount }
        return .records(bytes: pending, before: linesBefore)
    }
}
