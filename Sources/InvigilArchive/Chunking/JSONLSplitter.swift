/// Cuts a JSONL (or any line-based) input into chunks of whole lines of about `chunkBytes`.
/// A line longer than `ArchiveLimits.lineBytes` is not held: it becomes `.tooLarge`, as
/// `JSONLSource` rejects it.
///
/// ```swift
/// let splitter = JSONLSplitter(chunkBytes: 1 << 20)
/// for block in blocks { for chunk in splitter.add(block) { dispatch(chunk) } }
/// if let last = splitter.finish() { dispatch(last) }
/// ```
package final class JSONLSplitter {
    let chunkBytes: Int
    let maxLine: Int
    private var pending: [UInt8] = []
    /// Lines before `pending`.
    private var linesBefore = 0
    /// Bytes of an over-long line being skipped, or nil.
    private var skipping: Int? = nil

    package init(chunkBytes: Int, maxLine: Int = ArchiveLimits.lineBytes) {
        self.chunkBytes = max(1, chunkBytes)
        self.maxLine = maxLine
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
        guard pending.count >= chunkBytes || pending.count > maxLine else { return out }
        if let nl = lastIndex(of: 0x0A, in: pending, from: 0) {
            let tail = Array(pending[(nl + 1)...])
            pending.removeLast(pending.count - nl - 1)
            let lines = count(of: 0x0A, in: pending, 0..<pending.count)
            out.append(.records(bytes: pending, before: linesBefore))
            linesBefore += lines
            pending = tail
            // Room for the next chunk, so that appending blocks does not grow it step by step.
            pending.reserveCapacity(2 * chunkBytes)
        }
        if pending.count > maxLine {
            // A line longer than the limit: forget what is held and skip to its end.
            skipping = pending.count
            pending = []
        }
        return out
    }

    /// Lines of the input given so far, the last one counted once `finish()` has been called.
    package private(set) var lineCount = 0

    /// The input's last chunk (its last line may lack a terminator), or nil.
    package func finish() -> InputChunk? {
        if let skipped = skipping {
            skipping = nil
            linesBefore += 1
            lineCount = linesBefore
            return .tooLarge(number: linesBefore, length: skipped)
        }
        let lines = count(of: 0x0A, in: pending, 0..<pending.count) + (pending.last.map { $0 == 0x0A ? 0 : 1 } ?? 0)
        lineCount = linesBefore + lines
        guard !pending.isEmpty else { return nil }
        defer { pending = []; linesBefore = lineCount }
        return .records(bytes: pending, before: linesBefore)
    }
}
