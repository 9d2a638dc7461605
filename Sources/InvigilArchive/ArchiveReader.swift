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
    /// The input as given (a file, a folder, or "-").
    public var path: String
    /// Why it cannot be read, for a message (`is a directory`, `not a Maildir folder`, ...).
    public var reason: String
    /// `path: reason`.
    public var description: String { "\(path): \(reason)" }
}

/// Opens one input (a file, a folder, or "-" for standard input) in the given format.
public func openArchive(path: String, format: ArchiveFormat) throws(ArchiveOpenError) -> any ArchiveSource {
    try openArchive(path: path, format: format, options: ArchiveOptions())
}

/// Opens one input with reader options (CSV column map, people directory, chat date order).
public func openArchive(path: String, format: ArchiveFormat, options: ArchiveOptions) throws(ArchiveOpenError) -> any ArchiveSource {
    let chosen = format == .auto ? detectFormat(path: path) : format
    // `auto` never stays: detectFormat falls back to JSONL.
    let descriptor = chosen.descriptor ?? ArchiveFormat.jsonl.descriptor!
    return try descriptor.open(path, options)
}

/// Picks a format by extension and, for `.txt` files and files without a telling extension, by
/// content: a folder is a Maildir; `From ` at the start is an mbox; a line that starts with a
/// date and time is a WhatsApp export; mail header lines are an .eml; `{` is JSONL; a first line
/// with commas or tabs is CSV. Anything else is read as JSONL (and its lines rejected one by one);
/// `recognizedFormat(path:)` tells such inputs apart, so that callers can refuse them.
/// Standard input ("-") is sniffed like a file, from its first 64 KB (which are kept for the reader).
public func detectFormat(path: String) -> ArchiveFormat {
    if let format = recognizedFormat(path: path) { return format }
    // A zip without a chat text: the WhatsApp reader refuses it, saying why.
    if path != "-", ZipArchive.hasSignature(path: path) { return .whatsapp }
    return .jsonl
}

/// The format an input's extension or content tells, or nil when neither does (a LICENSE, an
/// image, a PDF, a zip of something else).
public func recognizedFormat(path: String) -> ArchiveFormat? {
    if path == "-" { return sniffFormat(head: StandardInput.head()) }
    if isDirectoryPath(path) { return .maildir }
    if let format = ArchiveFormat.byExtension(path) { return format }
    return sniffFormat(path: path)
}

/// What kind of binary file the first bytes are, for an error message ("a zip archive"), or nil
/// for text.
package func binaryKind(head: [UInt8]) -> String? {
    let magics: [(bytes: [UInt8], kind: String)] = [
        ([0x50, 0x4B, 0x03, 0x04], "a zip archive"), ([0x50, 0x4B, 0x05, 0x06], "a zip archive"),
        ([0x25, 0x50, 0x44, 0x46], "a PDF document"), ([0xFF, 0xD8, 0xFF], "a JPEG image"),
        ([0x89, 0x50, 0x4E, 0x47], "a PNG image"), ([0x47, 0x49, 0x46, 0x38], "a GIF image"),
        ([0x1F, 0x8B], "a gzip file"), ([0x42, 0x5A, 0x68], "a bzip2 file"), ([0xFD, 0x37, 0x7A, 0x58, 0x5A], "an xz file"),
        ([0x37, 0x7A, 0xBC, 0xAF], "a 7-zip archive"), ([0x52, 0x61, 0x72, 0x21], "a RAR archive"),
        ([0xD0, 0xCF, 0x11, 0xE0], "an Office document (OLE)"), ([0x7F, 0x45, 0x4C, 0x46], "an executable (ELF)"),
        ([0x53, 0x51, 0x4C, 0x69, 0x74, 0x65], "an SQLite database")
    ]
    for m in magics where head.starts(with: m.bytes) { return m.kind }
    if head.count >= 12, head[4..<8].elementsEqual([0x66, 0x74, 0x79, 0x70]) { return "a video or image (ISO media)" }
    if head.prefix(8192).contains(0) { return "a binary file" }
    return nil
}

/// The first 64 KB of a file, or nil when it cannot be read.
func fileHead(path: String) -> [UInt8]? {
    let fd = openReadable(path)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var head = [UInt8](repeating: 0, count: 1 << 16)
    var got = 0
    while got < head.count {
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
        if n < 0 { if errno == EINTR { continue }; return nil }
        if n == 0 { break }
        got += n
    }
    head.removeLast(head.count - got)
    return head
}

/// The format the first 64 KB of a file suggest, or nil.
func sniffFormat(path: String) -> ArchiveFormat? {
    guard let head = fileHead(path: path) else { return nil }
    // A zip is a WhatsApp export when it holds a chat text; other zips are not a format we read.
    if ZipArchive.hasSignature(head) { return WhatsAppChatEntries.isChatArchive(path: path) ? .whatsapp : nil }
    return sniffFormat(head: head)
}

/// The format the first bytes of an input suggest, or nil (binary files included).
package func sniffFormat(head: [UInt8]) -> ArchiveFormat? {
    guard !head.isEmpty, binaryKind(head: head) == nil else { return nil }
    // First non-blank lines.
    var lines: [ArraySlice<UInt8>] = []
    for l in head.split(separator: 0x0A, omittingEmptySubsequences: true) {
        var line = l
        if line.last == 0x0D { line = line.dropLast() }
        if line.allSatisfy(isSpace) { continue }
        lines.append(line)
        if lines.count >= 5 { break }
    }
    guard !lines.isEmpty else { return nil }
    return ArchiveFormat.descriptors.first { $0.sniff?(lines) == true }?.format
}

/// Reader options, from the command line (`apply(option:value:)`) or set directly.
public struct ArchiveOptions: Sendable {
    /// Options of the CSV reader (column map, delimiter, header, constants, date order).
    public var csv = CSVOptions()
    /// Options of the WhatsApp readers (date order, time zone).
    public var whatsApp = WhatsAppOptions()
    /// Options of the mbox reader.
    public var mail = MailOptions()
    /// `--directory FILE`: roles for authors and recipients of mail, chat and CSV events.
    public var directory: PeopleDirectory? = nil

    /// The defaults: automatic CSV mapping, dates told per file, `>From` unquoted, no directory.
    public init() {}

    /// The command-line options this module understands, with their help lines.
    package static let help: [(option: String, meaning: String)] = [
        ("--map COLUMN=FIELD", "CSV column to event field (or author, recipients, message, ignore); repeatable"),
        ("--directory FILE", "CSV of people (address,name,role[,relation]) giving authors and recipients their roles"),
        ("--set FIELD=VALUE", "set a field on every event, whatever the format (e.g. type=sms); repeatable"),
        ("--csv-delimiter C", "CSV cell separator: , ; | or tab (tab also turns quoting off)"),
        ("--csv-columns A,B,...", "the CSV has no header row; name its columns"),
        ("--date-order auto|day-first|month-first", "how to read 01/02/2020 in chat exports and CSV dates (auto: per file)"),
        ("--chat-timezone ZONE", "zone of chat export times (Europe/London, UTC, +01:00); default Europe/London")
    ]

    /// Applies one option of `help` (`value` is its argument). Returns false for an option that is
    /// not a reader option; throws (with the option as `path`) for a bad value.
    package mutating func apply(option: String, value: String) throws(ArchiveOpenError) -> Bool {
        func pair(_ v: String) throws(ArchiveOpenError) -> (String, String) {
            guard let eq = v.firstIndex(of: "="), eq != v.startIndex else {
                throw ArchiveOpenError(path: option, reason: "needs NAME=VALUE, got '\(v)'")
            }
            return (String(v[..<eq]), String(v[v.index(after: eq)...]))
        }
        switch option {
        case "--map":
            let (k, v) = try pair(value)
            csv.map[k] = v
        case "--set":
            let (k, v) = try pair(value)
            csv.constants[k] = v
        case "--directory":
            directory = try PeopleDirectory(path: value)
        case "--csv-delimiter":
            switch value {
            case "tab", "\\t", "\t": csv.delimiter = 0x09; csv.quoting = false
            case ",", ";", "|": csv.delimiter = value.utf8.first!
            default: throw ArchiveOpenError(path: option, reason: "expected , ; | or tab, got '\(value)'")
            }
        case "--csv-columns":
            csv.header = false
            csv.columns = value.split(separator: ",").map { String($0).trimmingSpaces() }
        case "--date-order":
            guard let order = WhatsAppOptions.DateOrder(rawValue: value) else {
                throw ArchiveOpenError(path: option, reason: "expected auto, day-first or month-first, got '\(value)'")
            }
            whatsApp.dateOrder = order
            csv.dayFirst = order != .monthFirst
        case "--chat-timezone":
            guard let zone = TimeZoneRule(name: value) else {
                throw ArchiveOpenError(path: option, reason: "unknown zone '\(value)' (Europe/London, UTC, or an offset such as +01:00)")
            }
            whatsApp.timeZone = zone
        default:
            return false
        }
        return true
    }
}

/// JSONL: one event object a line. Blank lines are not records and are skipped. A line longer
/// than `ArchiveLimits.lineBytes` is rejected without being held in memory.
public final class JSONLSource: ArchiveSource {
    let path: String
    let lines: ByteLines
    var reportedReadError = false
    public var bytesRead: Int { lines.bytesRead }

    /// Opens a JSONL file, or standard input for "-". Throws for a folder or an unreadable file.
    public init(path: String) throws(ArchiveOpenError) {
        self.path = path
        if path != "-" {
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                throw ArchiveOpenError(path: path, reason: "is a directory")
            }
        }
        lines = try ByteLines.open(path: path)
    }

    /// Reads JSONL already in memory. `name` stands for the path in the records' sources
    /// (`name:line`).
    ///
    /// ```swift
    /// let source = JSONLSource(bytes: Array(#"{"kind":"post","text":"hi"}"#.utf8), name: "upload")
    /// ```
    public init(bytes: [UInt8], name: String) {
        path = name
        lines = ByteLines(bytes: bytes)
    }

    /// Reads a chunk of a larger JSONL input that starts after `linesBefore` lines, so that the
    /// sources (`name:line`) are those of the whole input. The chunk ends at the end of a line, or
    /// is the input's last.
    package init(chunk: [UInt8], name: String, linesBefore: Int) {
        path = name
        lines = ByteLines(bytes: chunk, linesBefore: linesBefore)
    }

    /// Reads a chunk as `init(chunk:name:linesBefore:)` does, where it lies: the bytes must stay
    /// allocated and unchanged while the source is read (the scan's workers read a chunk inside
    /// `withUnsafeBufferPointer`). Copying each megabyte chunk was 1 % of a scan's instructions.
    package init(borrowingChunk chunk: UnsafeBufferPointer<UInt8>, name: String, linesBefore: Int) {
        path = name
        lines = ByteLines(borrowing: chunk, linesBefore: linesBefore)
    }

    /// What `nextItem()` read: the line of an event, or a record that is no event (a rejection).
    package enum Item {
        /// An event's JSON line (without its line terminator), valid until the next call, and its
        /// line number.
        case event(UnsafeBufferPointer<UInt8>, line: Int)
        /// A line that was rejected, or a read error.
        case record(ArchiveRecord)
    }

    /// What `next()` reads, without copying an event's line or making its source: the scan's
    /// workers set the scanner's event from the line where it lies and make the source
    /// (`source(ofLine:)`) only for an event that has findings or errors, most have neither.
    package func nextItem() -> Item? {
        while true {
            switch lines.next() {
            case .end:
                if lines.readError != 0, !reportedReadError {
                    reportedReadError = true
                    let reason = String(cString: strerror(lines.readError))
                    return .record(
                        ArchiveRecord(
                            source: source(ofLine: lines.lineNumber + 1), payload: .rejected("read error: \(reason); the rest of the input is lost")))
                }
                return nil
            case .tooLong:
                return .record(
                    ArchiveRecord(
                        source: source(ofLine: lines.lineNumber),
                        payload: .rejected("line of \(lines.skippedLength) bytes is longer than the limit of \(ArchiveLimits.lineBytes)")))
            case .line:
                let line = lines.current
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                return .event(line, line: lines.lineNumber)
            }
        }
    }

    /// The source of the record on line `number`: `path:number` (`<stdin>:number` for "-").
    package func source(ofLine number: Int) -> String {
        "\(path == "-" ? "<stdin>" : path):\(number)"
    }

    public func next() -> ArchiveRecord? {
        switch nextItem() {
        case nil: return nil
        case .record(let record): return record
        case .event(let line, let number): return ArchiveRecord(source: source(ofLine: number), payload: .json(Array(line)))
        }
    }
}
