#if canImport(Glibc)
import Glibc
#endif
import Invigil

/// Input formats the command reads.
public enum ArchiveFormat: String, Sendable, CaseIterable {
    case auto, jsonl, csv, mbox, eml, maildir, whatsapp
}

/// Reads the records of one input, streaming: memory does not grow with the input's size.
public protocol ArchiveSource {
    /// The next record, or nil at the end of the input.
    mutating func next() -> ArchiveRecord?
    /// Bytes consumed so far (for progress).
    var bytesRead: Int { get }
}

/// Why an input cannot be opened at all (the scan then exits with status 2).
public struct ArchiveOpenError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Opens one input (a file, a folder, or "-" for standard input) in the given format.
public func openArchive(path: String, format: ArchiveFormat) throws(ArchiveOpenError) -> any ArchiveSource {
    let chosen = format == .auto ? detectFormat(path: path) : format
    switch chosen {
    case .jsonl, .auto:
        return try JSONLSource(path: path)
    default:
        throw ArchiveOpenError(path: path, reason: "the \(chosen.rawValue) reader is not available in this build")
    }
}

/// Picks a format by extension (and, for files without a telling extension, by content).
public func detectFormat(path: String) -> ArchiveFormat {
    let lower = path.lowercased()
    if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") || path == "-" { return .jsonl }
    if lower.hasSuffix(".csv") { return .csv }
    if lower.hasSuffix(".mbox") || lower.hasSuffix(".mbx") { return .mbox }
    if lower.hasSuffix(".eml") { return .eml }
    return .jsonl
}

/// Buffered line reader over a file descriptor: lines of any length, no whole-file read.
public struct LineReader {
    private let fd: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var eof = false
    public private(set) var bytesRead = 0
    public private(set) var lineNumber = 0
    private let ownsDescriptor: Bool

    public init(fd: Int32, ownsDescriptor: Bool, bufferSize: Int = 1 << 20) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
        buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    public func close() { if ownsDescriptor { _ = Glibc.close(fd) } }

    /// The next line without its terminator (LF or CRLF), or nil at the end. A final line without
    /// a newline is returned too.
    public mutating func nextLine() -> ArraySlice<UInt8>? {
        while true {
            if let nl = buffer[start..<end].firstIndex(of: 0x0A) {
                var lineEnd = nl
                if lineEnd > start, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = buffer[start..<lineEnd]
                bytesRead += nl + 1 - start
                start = nl + 1
                lineNumber += 1
                return line
            }
            if eof {
                guard start < end else { return nil }
                var lineEnd = end
                if buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = buffer[start..<lineEnd]
                bytesRead += end - start
                start = end
                lineNumber += 1
                return line
            }
            // Move the partial line to the front, grow if the line fills the buffer, and refill.
            if start > 0 {
                let n = end - start
                if n > 0 { buffer.withUnsafeMutableBufferPointer { b in _ = memmove(b.baseAddress!, b.baseAddress! + start, n) } }
                start = 0
                end = n
            }
            if end == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            let got = buffer.withUnsafeMutableBufferPointer { b in Glibc.read(fd, b.baseAddress! + end, b.count - end) }
            if got < 0 {
                if errno == EINTR { continue }
                eof = true
            } else if got == 0 {
                eof = true
            } else {
                end += got
            }
        }
    }
}

/// JSONL: one event object a line. Blank lines are not records and are skipped.
public final class JSONLSource: ArchiveSource {
    let path: String
    var lines: LineReader
    public var bytesRead: Int { lines.bytesRead }

    public init(path: String) throws(ArchiveOpenError) {
        self.path = path
        var fd: Int32 = 0
        if path != "-" {
            fd = open(path, O_RDONLY)
            if fd < 0 { throw ArchiveOpenError(path: path, reason: String(cString: strerror(errno))) }
            var info = stat()
            if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                Glibc.close(fd)
                throw ArchiveOpenError(path: path, reason: "is a directory")
            }
        }
        lines = LineReader(fd: fd, ownsDescriptor: path != "-")
    }

    deinit { lines.close() }

    public func next() -> ArchiveRecord? {
        while let line = lines.nextLine() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let name = path == "-" ? "<stdin>" : path
            return ArchiveRecord(source: "\(name):\(lines.lineNumber)", payload: .json(Array(line)))
        }
        return nil
    }
}
