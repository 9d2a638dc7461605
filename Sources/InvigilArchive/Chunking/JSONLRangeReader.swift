#if canImport(Glibc)
import Glibc
#endif

/// A regular file read by several threads at once, each a range of it at its own offset
/// (`pread(2)`, which moves no shared file position). The descriptor is closed when the last
/// holder lets go: the ranges of one file are tasks of the scan's pipeline, done in any order.
///
/// Thread safety: `read(into:at:)` may be called from any thread at once.
package final class SharedFile: @unchecked Sendable {
    package let fd: Int32

    /// Takes ownership of `fd`.
    package init(fd: Int32) { self.fd = fd }

    deinit { _ = Glibc.close(fd) }

    /// Reads up to `buffer.count` bytes at `offset`, until the buffer is full, the file ends or a
    /// read fails. Returns the bytes read and, when a read failed after them, its errno (else 0):
    /// the bytes before a bad block are kept, as `read(2)` gives them to a reader of the whole
    /// file before it fails.
    package func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> (count: Int, error: Int32) {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                return (done, errno)
            }
            if n == 0 { break }
            done += n
        }
        return (done, 0)
    }
}

/// Reads the lines of one range of a JSONL file, so that each worker of a scan reads its own part
/// of the file and no thread reads for all of them.
///
/// The file is cut into ranges of bytes without looking at it. A line belongs to the range in
/// which it *starts*: a range skips the end of a line begun before it, and reads on past its own
/// end to finish its last line. So every line is read by exactly one range, whole, wherever the
/// cuts fall. Line numbers come from a `LineLedger`: each range records the line feeds that lie
/// within it, and learns how many lie before it.
///
/// A line longer than `maxLine` is not held: its range skips it, counting its bytes, and
/// reports it as `Lines.overLong`, as `JSONLSplitter` and `JSONLSource` do. A read error ends
/// the range with `Lines.readError`, and the ranges after it read nothing: the rest of the input
/// is lost, as it is when one thread reads the whole file. The bytes before the error are read
/// as the whole file's reader reads them before its error: the line they end in is its last
/// line, and the error is numbered as the line after it.
///
/// ```swift
/// let reader = JSONLRangeReader()  // one per thread: it keeps its buffer
/// if let lines = reader.read(range, from: file.read(into:at:), ledger: ledger, piece: i) {
///     let source = JSONLSource(borrowingChunk: lines.bytes, name: name, linesBefore: lines.linesBefore)
///     …
/// }
/// ```
///
/// Thread safety: one reader per thread; the ledger and the file may be shared.
package final class JSONLRangeReader {
    /// What one range holds.
    package struct Lines {
        /// The whole lines that start in the range (the last one read on past its end), valid
        /// until the reader's next `read`. Empty when no line starts in the range.
        package var bytes: UnsafeBufferPointer<UInt8>
        /// Lines of the input before `bytes`.
        package var linesBefore: Int
        /// The line after `bytes`, when it was longer than `maxLine`: its number (1-based) and
        /// its length in bytes, its terminator included.
        package var overLong: (number: Int, length: Int)? = nil
        /// A read error after everything else: the number it takes (the line after the last
        /// line read, which the error may have cut short), the byte offset of the first byte
        /// that could not be read, and errno.
        package var readError: (line: Int, offset: Int, code: Int32)? = nil
    }

    /// Reads up to the buffer's size at the offset into the buffer: returns the bytes read
    /// (fewer only at the end of the file or before a failed read) and, when a read failed after
    /// them, its errno (else 0). `SharedFile.read(into:at:)` is one.
    package typealias PositionalRead = (UnsafeMutableRawBufferPointer, Int) -> (count: Int, error: Int32)

    let maxLine: Int
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    package init(maxLine: Int = ArchiveLimits.lineBytes) {
        self.maxLine = maxLine
        capacity = 1 << 16
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    /// Makes room for `count` bytes, keeping the first `keeping`. Grows by half at least, and
    /// by no more than 16 MiB past what is needed: a long line is held near its own size.
    private func reserve(_ count: Int, keeping: Int) {
        guard count > capacity else { return }
        let grown = max(count, min(capacity + capacity / 2, count + (16 << 20)))
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        bigger.update(from: storage, count: keeping)
        storage.deallocate()
        storage = bigger
        capacity = grown
    }

    /// After a long line made the buffer large, gives the memory back before the next range:
    /// a worker keeps at most a few times its range's size between ranges.
    private func shrink(toFit count: Int) {
        let fitting = max(1 << 16, 2 * count)
        guard capacity > 4 * fitting else { return }
        storage.deallocate()
        storage = .allocate(capacity: fitting)
        capacity = fitting
    }

    /// Reads the lines that start in `range` (byte offsets of the file) through `read`, piece
    /// `piece` of `ledger` (ranges are pieces 0, 1, 2, … in file order, each read exactly once).
    /// Returns nil when an earlier range met a read error: the input's rest is lost. Waits, as
    /// the ledger does, until every earlier range has been recorded.
    package func read(_ range: Range<Int>, from read: PositionalRead, ledger: LineLedger, piece: Int) -> Lines? {
        // The byte before the range tells whether the range starts a line.
        let low = max(0, range.lowerBound - 1)
        let lead = range.lowerBound - low
        let wanted = range.upperBound - low
        shrink(toFit: wanted)
        reserve(wanted, keeping: 0)
        let (got, firstError) = read(UnsafeMutableRawBufferPointer(start: storage, count: wanted), low)
        var failure: (offset: Int, code: Int32)? = firstError != 0 ? (low + got, firstError) : nil
        let newlines = lineFeeds(from: lead, count: got - lead)

        // The first line that starts in the range.
        var start: Int? = nil
        if lead == 0 {
            start = 0
        } else if got > 0, storage[0] == 0x0A {
            start = 1
        } else if got > 1, let p = memchr(storage + 1, 0x0A, got - 1) {
            start = storage.distance(to: p.assumingMemoryBound(to: UInt8.self)) + 1
        }
        guard let first = start, first < got else {
            // No line starts in what was read: the range lies inside a line that an earlier range
            // reads (or its read failed first).
            guard let before = ledger.linesBefore(piece: piece, holding: newlines, failed: failure != nil) else { return nil }
            var lines = Lines(bytes: UnsafeBufferPointer(start: storage, count: 0), linesBefore: before)
            if let failure {
                // Numbered as the whole file's reader numbers it: after every line begun before
                // the bad byte, the one it cuts short included.
                let cutShort = got > 0 && storage[got - 1] != 0x0A ? 1 : 0
                lines.readError = (before + newlines + cutShort + 1, failure.offset, failure.code)
            }
            return lines
        }

        // Read on past the range to finish its last line, unless the range ended one (or the
        // file, or its read failed).
        var end = got
        var overLongLength: Int? = nil
        if failure == nil, got == wanted, storage[got - 1] != 0x0A {
            (end, overLongLength, failure) = finishLastLine(from: first, held: got, fileOffset: low + got, read: read)
        }
        guard let before = ledger.linesBefore(piece: piece, holding: newlines, failed: failure != nil) else { return nil }
        let linesBefore = before + (first > lead ? 1 : 0)
        var lines = Lines(bytes: UnsafeBufferPointer(start: storage + first, count: end - first), linesBefore: linesBefore)
        // The held lines, a last one without a terminator included (cut short by a read error,
        // or the file's last line): the reader of the bytes numbers them so.
        // Their line feeds are the range's, counted once above, less the one before `first`
        // (when the range began inside a line), plus the one that ended the last line when it
        // was read on past the range's end. (The bytes between an over-long line's start and
        // the range's end hold none.)
        var held = newlines - (first > lead ? 1 : 0) + (end > got && storage[end - 1] == 0x0A ? 1 : 0)
        if end > first, storage[end - 1] != 0x0A { held += 1 }
        if let overLongLength {
            // The held bytes end where the over-long line starts.
            lines.overLong = (linesBefore + held + 1, overLongLength)
            held += 1
        }
        if let failure { lines.readError = (linesBefore + held + 1, failure.offset, failure.code) }
        return lines
    }

    /// Reads on from `fileOffset` until the line that starts at or after `first` and is unfinished
    /// at `held` ends. Returns the end of the held bytes (after the line's terminator, or where
    /// the file ended), and, when the line outgrew `maxLine`, its length: it was then skipped,
    /// and the held bytes end where it starts. A read error stops the reading.
    private func finishLastLine(
        from first: Int, held: Int, fileOffset: Int, read: PositionalRead
    ) -> (end: Int, overLong: Int?, failure: (offset: Int, code: Int32)?) {
        let lineStart = lastLineStart(from: first, to: held)
        var end = held
        var offset = fileOffset
        // Most lines end within a few hundred bytes; a long one is read in growing steps.
        var step = 4 << 10
        // More than `maxLine + 1` bytes without a line feed is over the limit even if the last
        // of them is the CR of a CR LF; `maxLine + 1` may not be.
        while end - lineStart <= maxLine + 1 {
            reserve(end + step, keeping: end)
            let (got, error) = read(UnsafeMutableRawBufferPointer(start: storage + end, count: step), offset)
            if let p = memchr(storage + end, 0x0A, got) {
                return (storage.distance(to: p.assumingMemoryBound(to: UInt8.self)) + 1, nil, nil)
            }
            end += got
            offset += got
            if error != 0 { return (end, nil, (offset, error)) }
            if got < step { return (end, nil, nil) }
            step = min(2 * step, 1 << 20)
        }
        // Longer than the limit without a terminator: count the rest without holding it.
        var length = end - lineStart
        end = lineStart
        reserve(end + step, keeping: end)
        while true {
            let (got, error) = read(UnsafeMutableRawBufferPointer(start: storage + end, count: step), offset)
            if let p = memchr(storage + end, 0x0A, got) {
                return (end, length + storage.distance(to: p.assumingMemoryBound(to: UInt8.self)) - end + 1, nil)
            }
            length += got
            offset += got
            if error != 0 { return (end, length, (offset, error)) }
            if got < step { return (end, length, nil) }
        }
    }

    /// Where the last line of the held bytes `first..<end` starts: after their last line feed
    /// before `end - 1`, or at `first`.
    /// (A byte loop: `memrchr` is not in Glibc's Swift module. It runs once a range, over the
    /// range's last line, which is short but for lines near the limit.)
    private func lastLineStart(from first: Int, to end: Int) -> Int {
        var i = end - 2
        while i >= first {
            if storage[i] == 0x0A { return i + 1 }
            i -= 1
        }
        return first
    }

    /// Line feeds in `count` held bytes from `start` (`count(of:in:)`, shared with the splitters).
    private func lineFeeds(from start: Int, count: Int) -> Int {
        count > 0 ? InvigilArchive.count(of: 0x0A, in: UnsafeBufferPointer(start: storage + start, count: count)) : 0
    }
}
