#if canImport(Glibc)
import Glibc
#endif

/// A piece of a CSV input cut by `CSVSplitter`: whole records, the number of lines before them,
/// and what the reader knew of the columns where the piece starts.
package struct CSVChunk: Sendable {
    /// Complete records (the input's last chunk may end without a line terminator).
    package var bytes: [UInt8]
    /// Lines of the input before `bytes`.
    package var linesBefore: Int
    /// The header state at the chunk's start: a chunk after the header row reads with its names.
    package var columns: CSVColumns
}

/// Cuts a CSV input into chunks of whole records of about `chunkBytes`, so that worker threads
/// can read the records of each chunk apart (`CSVSource(chunk:...)`) and get exactly what the
/// reader of the whole input gets: the same records, sources, fields and rejections.
///
/// A CSV record ends at a line end outside quotes, and the reader's recovery from a stray quote
/// reads lines again, so record ends can only be found by following the reader from the start.
/// The splitter does that cheaply:
/// - **Between records**, the next quote byte is found with `memchr`; every line before it is a
///   record of one line. A line with a quote is walked cell by cell (`memchr` for the closing
///   quote and the next delimiter); if it ends outside quotes it is a record of one line too.
/// - **A record that may span lines** (a line ending inside a quoted cell), and the header row,
///   are handed to the reader itself (`CSVRowReader`, over the bytes held), until it is between
///   records again with no line waiting to be read again. Its cells are discarded.
///
/// Chunks are cut only where the reader is between records. A line longer than the reader's
/// limit is not held: it is kept as the first `lineBytes + 1` of its bytes, which the reader
/// rejects just as it rejects the whole line. Memory is the chunk, the record being followed
/// (at most the record limits of `CSVLimits`), and at most one line at the limit.
package final class CSVSplitter {
    let chunkBytes: Int
    let options: CSVOptions
    let limits: CSVLimits
    /// Bytes held: from the end of the last chunk.
    private var pending: [UInt8] = []
    /// Lines of the input before `pending`, and the columns known at its start.
    private var linesBefore = 0
    private var columnsAtStart: CSVColumns
    /// The offset in `pending` up to which records are known, with the columns known there.
    private var committed = 0
    private var columns: CSVColumns
    /// The end of the last complete line in `pending`.
    private var completeEnd = 0
    /// Line terminators counted in `pending[..<countedTo]`.
    private var countedTo = 0
    private var countedLines = 0
    /// True while the reader itself must be followed: a record that may span lines starts at
    /// `committed`, or the header row has not been read.
    private var following: Bool
    /// Complete bytes past `committed` needed before the reader is followed again, after an
    /// attempt that could not see its record's end: doubling keeps the work linear.
    private var followAgainAt = 0
    /// True while the rest of an over-long line is being dropped.
    private var droppingLongLine = false

    /// A splitter for the input `name` (whose extension can choose the delimiter, as the
    /// reader's does), cutting chunks of about `chunkBytes`.
    package init(chunkBytes: Int, name: String, options: CSVOptions = CSVOptions(), limits: CSVLimits = CSVLimits()) {
        self.chunkBytes = max(1, chunkBytes)
        self.options = options.resolved(forName: name)
        self.limits = limits
        columnsAtStart = CSVColumns(options: self.options)
        columns = columnsAtStart
        following = columns.names.isEmpty
    }

    /// Adds the next bytes of the input; returns the chunks now complete, in order.
    package func add(_ block: ArraySlice<UInt8>) -> [CSVChunk] {
        var rest = block
        if droppingLongLine {
            guard let nl = rest.firstIndex(of: 0x0A) else { return [] }
            droppingLongLine = false
            rest = rest[nl...]
        }
        let oldCount = pending.count
        pending.append(contentsOf: rest)
        if let nl = lastIndex(of: 0x0A, in: pending, from: oldCount) { completeEnd = nl + 1 }
        if pending.count - completeEnd > limits.lineBytes + 1 {
            // An over-long line: keep what the reader needs to reject it, drop the rest. The
            // last byte kept is not a carriage return, so the line stays over the limit.
            pending.removeLast(pending.count - completeEnd - limits.lineBytes - 1)
            pending[pending.count - 1] = 0x78
            droppingLongLine = true
        }
        advance(final: false)
        var out: [CSVChunk] = []
        if committed >= chunkBytes { cut(into: &out) }
        return out
    }

    /// The input's last chunk, or nil when nothing is left.
    package func finish() -> CSVChunk? {
        advance(final: true)
        lineCount = lines(at: pending.count) + (pending.last.map { $0 == 0x0A ? 0 : 1 } ?? 0)
        guard !pending.isEmpty else { return nil }
        defer {
            pending = []
            linesBefore = lineCount
            committed = 0
            completeEnd = 0
            countedTo = 0
            countedLines = 0
        }
        return CSVChunk(bytes: pending, linesBefore: linesBefore, columns: columnsAtStart)
    }

    /// Cuts a whole input held in memory, given in blocks of `block` bytes as a file's reader
    /// gives them (tests and the fuzzer vary the block size to move the cuts).
    package func chunks(of bytes: [UInt8], block: Int) -> [CSVChunk] {
        var chunks: [CSVChunk] = []
        var i = 0
        while i < bytes.count {
            chunks += add(bytes[i..<min(bytes.count, i + max(1, block))])
            i += max(1, block)
        }
        if let last = finish() { chunks.append(last) }
        return chunks
    }

    /// Lines of the input given so far, the last one counted once `finish()` has been called.
    package private(set) var lineCount = 0

    /// The chunk up to `committed`.
    private func cut(into out: inout [CSVChunk]) {
        let lines = lines(at: committed) - linesBefore
        // The held bytes become the chunk; what follows it (usually short) is copied out.
        let tail = Array(pending[committed...])
        pending.removeLast(pending.count - committed)
        out.append(CSVChunk(bytes: pending, linesBefore: linesBefore, columns: columnsAtStart))
        pending = tail
        pending.reserveCapacity(2 * chunkBytes)
        linesBefore += lines
        columnsAtStart = columns
        completeEnd -= committed
        countedTo = 0
        countedLines = 0
        committed = 0
    }

    /// The input's line number at `offset` in `pending` (the lines that end before it).
    private func lines(at offset: Int) -> Int {
        if offset > countedTo {
            countedLines += count(of: 0x0A, in: pending, countedTo..<offset)
            countedTo = offset
        }
        return linesBefore + countedLines
    }

    /// Moves `committed` as far as the bytes held tell. `final`: no more bytes will come.
    private func advance(final: Bool) {
        let end = final ? pending.count : completeEnd
        while committed < end {
            if following {
                if !follow(final: final) { return }
            } else {
                skipSingleLineRecords(upTo: completeEnd)
                if !following {
                    // The rest is an unterminated last line: at the end, the reader has it.
                    if final, committed < pending.count { following = true } else { return }
                }
            }
        }
    }

    /// Between records: moves `committed` over the lines that are records of one line, up to
    /// `end` or to the start of a line that ends inside a quoted cell (then `following`).
    private func skipSingleLineRecords(upTo end: Int) {
        guard options.quoting else {
            committed = max(committed, end)
            return
        }
        let delimiter = options.delimiter
        let maxLine = limits.lineBytes
        pending.withUnsafeBufferPointer { buffer in
            guard let b = buffer.baseAddress else { return }
            var position = committed
            while position < end {
                guard let quote = memchr(b + position, 0x22, end - position) else { break }
                let q = b.distance(to: quote.assumingMemoryBound(to: UInt8.self))
                var lineStart = q
                while lineStart > position, b[lineStart - 1] != 0x0A { lineStart -= 1 }
                // `end` follows a line terminator, so the line has one.
                let newline = memchr(b + q, 0x0A, end - q)!
                let lineEnd = b.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                var contentEnd = lineEnd
                if contentEnd > lineStart, b[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                if contentEnd - lineStart <= maxLine, Self.endsInsideQuotes(b, from: lineStart, to: contentEnd, delimiter: delimiter) {
                    committed = lineStart
                    following = true
                    return
                }
                position = lineEnd + 1
            }
            committed = end
        }
    }

    /// Whether a line read from the start of a record ends inside a quoted cell, as
    /// `CSVRowReader` reads it: a quote opens a quoted cell only as the cell's first byte; inside,
    /// `""` is a quote and a lone `"` closes; after it, bytes up to the delimiter belong to the
    /// cell.
    static func endsInsideQuotes(_ b: UnsafePointer<UInt8>, from start: Int, to end: Int, delimiter: UInt8) -> Bool {
        var i = start
        while true {
            if i < end, b[i] == 0x22 {
                i += 1
                while true {
                    guard i < end, let quote = memchr(b + i, 0x22, end - i) else { return true }
                    let q = b.distance(to: quote.assumingMemoryBound(to: UInt8.self))
                    if q + 1 < end, b[q + 1] == 0x22 {
                        i = q + 2
                        continue
                    }
                    i = q + 1
                    break
                }
            }
            guard i < end, let next = memchr(b + i, Int32(delimiter), end - i) else { return false }
            i = b.distance(to: next.assumingMemoryBound(to: UInt8.self)) + 1
        }
    }

    /// Follows the reader from `committed` over the bytes held, to the first point after a
    /// record where it is between records with the columns known. Returns false when the bytes
    /// held do not yet tell where that is.
    private func follow(final: Bool) -> Bool {
        let available = (final ? pending.count : completeEnd) - committed
        guard available > 0, final || available >= followAgainAt else { return false }
        var window = min(available, 64 << 10)
        while true {
            var end = committed + window
            if end < committed + available {
                // Whole lines only.
                if let nl = pending[end...].firstIndex(of: 0x0A) { end = nl + 1 } else { end = committed + available }
            }
            let seesTheEnd = final && end == pending.count
            if let found = followReader(to: end, seesTheEnd: seesTheEnd) {
                committed = found.offset
                columns = found.columns
                following = !(found.columns.headerRead && !found.columns.names.isEmpty)
                followAgainAt = 0
                return true
            }
            if end >= committed + available {
                followAgainAt = 2 * available
                return false
            }
            window *= 2
        }
    }

    /// Runs the reader over `pending[committed..<end]`: the first offset after a record where it
    /// is between records with the columns known (or the last such offset, if they never are),
    /// and the columns there. Nil when the bytes end inside a quoted cell before `seesTheEnd`.
    private func followReader(to end: Int, seesTheEnd: Bool) -> (offset: Int, columns: CSVColumns)? {
        let start = committed
        let firstLine = lines(at: start)
        return pending.withUnsafeBufferPointer { buffer -> (offset: Int, columns: CSVColumns)? in
            let window = UnsafeBufferPointer(rebasing: buffer[start..<end])
            let reader = CSVRowReader(
                lines: ByteLines(borrowing: window, maxLine: limits.lineBytes, linesBefore: firstLine), options: options, limits: limits)
            var columns = self.columns
            var found: (offset: Int, columns: CSVColumns)? = nil
            while true {
                let row = reader.nextRow()
                if reader.endedInsideQuotes, !seesTheEnd { return found }
                guard let row else { return (end, columns) }
                if case .cells(_, let cells) = row, !columns.take(cells, options: options), cells.count != columns.names.count {
                    _ = reader.replayLastRecord()
                }
                if reader.isBetweenRecords {
                    found = (start + reader.bytesRead, columns)
                    if columns.headerRead, !columns.names.isEmpty { return found }
                }
            }
        }
    }
}
