#if canImport(Glibc)
import Glibc
#endif

/// Streaming line splitter over a file descriptor with a cap on line length: a line longer than
/// `maxLine` is skipped without being held in memory (reported as `.tooLong`). Memory is the
/// buffer (1 MB) plus at most `maxLine`.
final class ByteLines {
    enum Status { case line, tooLong, end }

    private let fd: Int32
    private let ownsDescriptor: Bool
    /// False when `buffer` is the caller's (`init(borrowing:)`).
    private let ownsBuffer: Bool
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var eof = false
    let maxLine: Int
    /// Bytes consumed so far.
    private(set) var bytesRead = 0
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0
    /// The line last returned by `next()` (without LF or CRLF); valid until the next call.
    private(set) var current = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// Length of the line last reported `.tooLong`.
    private(set) var skippedLength = 0
    /// False when the input's last line had no line terminator (a possibly truncated file).
    private(set) var lastLineTerminated = true
    /// A read error (errno) that ended the input early, if any.
    private(set) var readError: Int32 = 0

    init(fd: Int32, ownsDescriptor: Bool, maxLine: Int = ArchiveLimits.lineBytes, bufferSize: Int = 1 << 20) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
        ownsBuffer = true
        self.maxLine = maxLine
        capacity = bufferSize
        buffer = .allocate(capacity: bufferSize)
    }

    /// Lines of bytes already in memory (the reader entry points that take bytes instead of a
    /// path). The bytes are copied once; no descriptor is read.
    init(bytes: [UInt8], maxLine: Int = ArchiveLimits.lineBytes, linesBefore: Int = 0) {
        lineNumber = linesBefore
        fd = -1
        ownsDescriptor = false
        ownsBuffer = true
        self.maxLine = maxLine
        capacity = max(bytes.count, 1)
        buffer = .allocate(capacity: capacity)
        bytes.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { buffer.update(from: base, count: b.count) }
        }
        end = bytes.count
        eof = true
    }

    /// Lines of bytes the caller holds, read where they lie: the bytes must stay unchanged and
    /// allocated while the lines are read. `CSVSplitter` reads the records it follows this way.
    init(borrowing bytes: UnsafeBufferPointer<UInt8>, maxLine: Int = ArchiveLimits.lineBytes, linesBefore: Int = 0) {
        lineNumber = linesBefore
        fd = -1
        ownsDescriptor = false
        ownsBuffer = false
        self.maxLine = maxLine
        capacity = bytes.count
        buffer = UnsafeMutablePointer(mutating: bytes.baseAddress ?? UnsafePointer(emptyLineBuffer))
        end = bytes.count
        eof = true
    }

    /// Opens a file for reading; "-" is standard input.
    static func open(path: String, maxLine: Int = ArchiveLimits.lineBytes) throws(ArchiveOpenError) -> ByteLines {
        if path == "-" {
            let lines = ByteLines(fd: 0, ownsDescriptor: false, maxLine: maxLine)
            lines.prefill(StandardInput.takeHead())
            return lines
        }
        let fd = openReadable(path)
        if fd < 0 { throw ArchiveOpenError(path: path, reason: openFailureReason(path)) }
        return ByteLines(fd: fd, ownsDescriptor: true, maxLine: maxLine)
    }

    /// Puts bytes already read from the descriptor (standard input's sniffed head) before the rest.
    private func prefill(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if bytes.count > capacity {
            buffer.deallocate()
            capacity = bytes.count
            buffer = .allocate(capacity: capacity)
        }
        bytes.withUnsafeBufferPointer { b in buffer.update(from: b.baseAddress!, count: b.count) }
        start = 0
        end = bytes.count
    }

    deinit {
        if ownsBuffer { buffer.deallocate() }
        if ownsDescriptor { _ = Glibc.close(fd) }
    }

    private func fill() {
        if start > 0 {
            let n = end - start
            if n > 0 { memmove(buffer, buffer + start, n) }
            start = 0
            end = n
        }
        if end == capacity {
            let grown = min(capacity * 2, maxLine + 2)
            if grown > capacity {
                let b = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
                b.update(from: buffer, count: end)
                buffer.deallocate()
                buffer = b
                capacity = grown
            }
        }
        if fd < 0 { eof = true; return }
        while true {
            let got = Glibc.read(fd, buffer + end, capacity - end)
            if got < 0 {
                if errno == EINTR { continue }
                readError = errno
                eof = true
            } else if got == 0 {
                eof = true
            } else {
                end += got
            }
            return
        }
    }

    func next() -> Status {
        var searchFrom = start
        while true {
            if searchFrom < end, let p = memchr(buffer + searchFrom, 0x0A, end - searchFrom) {
                let nl = buffer.distance(to: p.assumingMemoryBound(to: UInt8.self))
                var lineEnd = nl
                if lineEnd > start, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd - start > maxLine { return skipHeld(through: nl + 1) }
                current = UnsafeBufferPointer(start: buffer + start, count: lineEnd - start)
                bytesRead += nl + 1 - start
                start = nl + 1
                lineNumber += 1
                return .line
            }
            if eof {
                guard start < end else { return .end }
                var lineEnd = end
                if buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd - start > maxLine {
                    lastLineTerminated = false
                    return skipHeld(through: end)
                }
                current = UnsafeBufferPointer(start: buffer + start, count: lineEnd - start)
                bytesRead += end - start
                start = end
                lineNumber += 1
                lastLineTerminated = false
                return .line
            }
            if end - start >= maxLine + 2 {
                // Too long: skip to the next newline without keeping the bytes. (`maxLine + 1`
                // bytes may be a line of `maxLine` and the CR of its CR LF.)
                var skipped = end - start
                start = 0
                end = 0
                while true {
                    fill()
                    if let p = memchr(buffer, 0x0A, end) {
                        let nl = buffer.distance(to: p.assumingMemoryBound(to: UInt8.self))
                        skipped += nl + 1
                        start = nl + 1
                        break
                    }
                    skipped += end
                    end = 0
                    if eof { lastLineTerminated = false; break }
                }
                bytesRead += skipped
                skippedLength = skipped
                lineNumber += 1
                current = UnsafeBufferPointer(start: nil, count: 0)
                return .tooLong
            }
            let scanned = end - start
            fill()
            searchFrom = start + scanned
        }
    }

    /// Reports the over-long line that is wholly in the buffer, up to `lineEnd` (its terminator
    /// included), as `.tooLong`. Lines read from memory, or shorter than the buffer, get here.
    private func skipHeld(through lineEnd: Int) -> Status {
        skippedLength = lineEnd - start
        bytesRead += lineEnd - start
        start = lineEnd
        lineNumber += 1
        current = UnsafeBufferPointer(start: nil, count: 0)
        return .tooLong
    }
}

/// Where an empty borrowed input points: never read (its length is 0).
nonisolated(unsafe) private let emptyLineBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
