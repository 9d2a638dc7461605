#if canImport(Glibc)
import Glibc
#endif

/// Options of the CSV reader.
public struct CSVOptions: Sendable {
    /// `--map column=field`: column name (as in the header) → event field (dotted name) or one of
    /// the special targets `author` (a From-style cell: address and/or name), `recipients` (an
    /// address list), `message` (the cell is a whole RFC 822 message, parsed like an .eml file),
    /// `ignore`. Overrides the automatic mapping.
    public var map: [String: String] = [:]
    /// Cell separator: `,` by default, tab for `.tsv` files.
    public var delimiter: UInt8 = 0x2C
    /// RFC 4180 quoting (`"a, b"`, `""` for a quote, line breaks inside quotes). Off for TSV.
    public var quoting = true
    /// False: the first row is data; the columns are then named by `columns`, or `1`, `2`, ...
    public var header = true
    /// The column names when `header` is false (`--columns a,b,c`); empty: `1`, `2`, ...
    public var columns: [String] = []
    /// Fields set on every event (`type` = `sms`, ...), under the cells' own values.
    public var constants: [String: String] = [:]
    /// Dates written `01/02/2024`: day first (UK) unless false.
    public var dayFirst = true

    /// Options with the column map `map` and the other defaults (comma, quoting, a header row, day first).
    public init(map: [String: String] = [:]) { self.map = map }

    /// The options as the reader of the input `name` applies them: a name ending `.tsv` or
    /// `.tab` means tabs without quoting, unless another delimiter was chosen.
    func resolved(forName name: String) -> CSVOptions {
        var resolved = self
        let lower = name.lowercased()
        if (lower.hasSuffix(".tsv") || lower.hasSuffix(".tab")) && resolved.delimiter == 0x2C {
            resolved.delimiter = 0x09
            resolved.quoting = false
        }
        return resolved
    }
}

/// The sizes at which the CSV reader gives up on a line or a record. The defaults are
/// `ArchiveLimits`'; tests and the fuzzer make them small, so that the paths past each limit are
/// reached on small inputs.
package struct CSVLimits: Sendable {
    /// A line longer than this (without its terminator) is skipped, not held.
    package var lineBytes = ArchiveLimits.lineBytes
    /// A record still in a quoted cell after this many lines is rejected.
    package var recordLines = ArchiveLimits.csvRecordLines
    /// A record still in a quoted cell after this many bytes (past its first line) is rejected.
    package var recordBytes = ArchiveLimits.csvRecordBytes

    package init() {}
}

/// What a CSV reader knows of the columns at a point of its input: whether it has read the header
/// row yet, and the column names. The reader of a whole file and the readers of its chunks start
/// from this state, so that a chunk after the header reads as the rest of the file does.
package struct CSVColumns: Sendable, Equatable {
    /// False until the header row is read (true from the start when the options say there is none).
    package var headerRead: Bool
    /// The column names: the header's, the options' `columns`, or `1`, `2`, ... from the first
    /// row's width. Empty until known.
    package var names: [String]

    /// The state at the start of an input.
    package init(options: CSVOptions) {
        headerRead = !options.header
        names = options.header ? [] : options.columns
    }

    /// Takes a row of cells. Returns true when the row was the header (it is not a record).
    package mutating func take(_ cells: [String], options: CSVOptions) -> Bool {
        if !headerRead {
            headerRead = true
            names = options.columns.isEmpty ? cells : options.columns
            if options.columns.isEmpty { return true }
        }
        if names.isEmpty { names = (1...max(1, cells.count)).map { String($0) } }
        return false
    }
}

/// The low-level row parser: RFC 4180 records over a streaming line reader. A quoted cell that is
/// not closed by the end of the file, within `ArchiveLimits.csvRecordLines` lines or
/// `ArchiveLimits.csvRecordBytes` bytes, rejects its record; reading then resumes on the line
/// after the record's first line, so one stray quote costs one record.
final class CSVRowReader {
    enum Row {
        case cells(line: Int, [String])
        case rejected(line: Int, String)
    }

    let lines: ByteLines
    let options: CSVOptions
    let limits: CSVLimits
    private var replay: [(Int, [UInt8])] = []  // lines to read again, in reverse order
    private var replayLastTerminated = true
    /// True once the input ended inside a quoted cell (the record was rejected). A reader of the
    /// bytes read so far, rather than of the whole input, cannot yet tell where that record ends.
    private(set) var endedInsideQuotes = false
    /// True when no line is waiting to be read again: the reader is between records of the input
    /// as read, and what it returns next depends only on the lines not read yet.
    var isBetweenRecords: Bool { replay.isEmpty }

    init(lines: ByteLines, options: CSVOptions, limits: CSVLimits = CSVLimits()) {
        self.lines = lines
        self.options = options
        self.limits = limits
    }

    convenience init(path: String, options: CSVOptions) throws(ArchiveOpenError) {
        self.init(lines: try ByteLines.open(path: path), options: options)
    }

    private enum Raw { case line(Int, UnsafeBufferPointer<UInt8>), tooLong(Int), end }

    private var replayBuffer: [UInt8] = []
    private var readErrorReported = false
    private func nextRaw() -> Raw {
        if let (n, bytes) = replay.popLast() {
            replayBuffer = bytes
            return replayBuffer.withUnsafeBufferPointer { .line(n, $0) }  // valid while replayBuffer is unchanged
        }
        switch lines.next() {
        case .line: return .line(lines.lineNumber, lines.current)
        case .tooLong: return .tooLong(lines.lineNumber)
        case .end: return .end
        }
    }

    func nextRow() -> Row? {
        // Room for a row as wide as the last and a cell of a line's length: no regrowth per cell.
        var cells: [String] = []
        cells.reserveCapacity(lastWidth)
        var cell: [UInt8] = []
        cell.reserveCapacity(256)
        var recordLines: [(Int, [UInt8])] = []
        var recordBytes = 0
        var firstLine = 0
        var inQuotes = false
        var quotedCell = false
        var afterClosingQuote = false
        let delimiter = options.delimiter
        let quoting = options.quoting

        func finishCell() -> String? {
            let made = cell.withUnsafeBufferPointer { b -> String? in
                guard let base = b.baseAddress, !b.isEmpty else { return "" }
                if memchr(base, 0, b.count) != nil || firstInvalidUTF8(b) != nil { return nil }
                // Valid: decoding repairs nothing. (`String(validating:as:)` would check once, but
                // it is generic and not specialised here: it costs more in metadata lookups.)
                return String(decoding: b, as: UTF8.self)
            }
            guard let s = made else { return nil }
            cell.removeAll(keepingCapacity: true)
            return s
        }

        while true {
            let raw = nextRaw()
            var lineNumber = 0
            var line = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            switch raw {
            case .end:
                if lines.readError != 0, !readErrorReported {
                    readErrorReported = true
                    return .rejected(
                        line: lines.lineNumber + 1, "read error: \(String(cString: strerror(lines.readError))); the rest of the input is lost")
                }
                if inQuotes {
                    endedInsideQuotes = true
                    return rejectAndReplay(recordLines, firstLine: firstLine, reason: "quoted cell not closed before the end of the file")
                }
                return nil
            case .tooLong(let n):
                if firstLine == 0 {
                    return .rejected(line: n, "line longer than \(limits.lineBytes) bytes")
                }
                return rejectAndReplay(recordLines, firstLine: firstLine, reason: "record has a line longer than \(limits.lineBytes) bytes")
            case .line(let n, let l):
                lineNumber = n
                line = l
            }
            if firstLine == 0 {
                if line.isEmpty || line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) && delimiter != 0x09 { continue }  // blank lines are not records
                firstLine = lineNumber
            } else {
                recordBytes += line.count
                if recordLines.count >= limits.recordLines || recordBytes > limits.recordBytes {
                    recordLines.append((lineNumber, Array(line)))
                    return rejectAndReplay(
                        recordLines, firstLine: firstLine,
                        reason: "quoted cell not closed within \(limits.recordLines) lines or \(limits.recordBytes) bytes")
                }
            }
            var i = 0
            let n = line.count
            while i < n {
                let c = line[i]
                if inQuotes {
                    if c == 0x22 {
                        if i + 1 < n, line[i + 1] == 0x22 { cell.append(0x22); i += 2; continue }
                        inQuotes = false
                        afterClosingQuote = true
                        i += 1
                        continue
                    }
                    // Copy a run of ordinary bytes at once.
                    let j = Self.next(0x22, in: line, after: i)
                    cell.append(contentsOf: UnsafeBufferPointer(rebasing: line[i..<j]))
                    i = j
                    continue
                }
                if c == delimiter {
                    guard let s = finishCell() else { return badCell(firstLine) }
                    cells.append(s)
                    if cells.count > ArchiveLimits.csvColumns { return skipRecord(firstLine, "more than \(ArchiveLimits.csvColumns) cells") }
                    quotedCell = false
                    afterClosingQuote = false
                    i += 1
                    continue
                }
                if c == 0x22, quoting, cell.isEmpty, !quotedCell, !afterClosingQuote {
                    inQuotes = true
                    quotedCell = true
                    i += 1
                    continue
                }
                let j = Self.next(delimiter, in: line, after: i)
                cell.append(contentsOf: UnsafeBufferPointer(rebasing: line[i..<j]))
                i = j
            }
            if inQuotes {
                cell.append(0x0A)
                if lineNumber != firstLine { recordLines.append((lineNumber, Array(line))) }
                continue
            }
            guard let s = finishCell() else { return badCell(firstLine) }
            cells.append(s)
            if lineNumber != firstLine { recordLines.append((lineNumber, Array(line))) }
            lastRecordLines = recordLines
            lastRecordLastLine = lineNumber
            lastWidth = cells.count
            return .cells(line: firstLine, cells)
        }
    }

    /// The index of the first `byte` in `line` after `index`, or the line's length.
    @inline(__always)
    static func next(_ byte: UInt8, in line: UnsafeBufferPointer<UInt8>, after index: Int) -> Int {
        let from = index + 1
        guard from < line.count, let base = line.baseAddress, let found = memchr(base + from, Int32(byte), line.count - from) else {
            return line.count
        }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Cells in the last row read.
    private var lastWidth = 8

    /// Lines of the last record after its first (when it spanned lines) and its last line number.
    private var lastRecordLines: [(Int, [UInt8])] = []
    private(set) var lastRecordLastLine = 0

    /// Reads the lines after the last record's first line again (after a record spanning lines
    /// turned out malformed: a stray quote swallowed them). Returns false if it had one line.
    func replayLastRecord() -> Bool {
        guard !lastRecordLines.isEmpty else { return false }
        replay.append(contentsOf: lastRecordLines.reversed())
        lastRecordLines = []
        return true
    }

    private func badCell(_ line: Int) -> Row {
        skipRecord(line, "invalid UTF-8 or NUL byte in a cell")
    }

    /// Rejects the record and drops the rest of its current line.
    private func skipRecord(_ line: Int, _ reason: String) -> Row {
        .rejected(line: line, reason)
    }

    private func rejectAndReplay(_ recordLines: [(Int, [UInt8])], firstLine: Int, reason: String) -> Row {
        // recordLines holds the record's lines after its first.
        replay.append(contentsOf: recordLines.reversed())
        return .rejected(line: firstLine, reason)
    }

    var bytesRead: Int { lines.bytesRead }
}

/// CSV with a header: each record becomes an event, columns mapped to fields by name. See
/// `CSVOptions` and `CSVSource.mapping(for:)` for the names understood.
public final class CSVSource: ArchiveSource, ArchiveNotes {
    enum Target: Equatable {
        case field(String)
        case author
        case recipients
        case time
        case message
        case messageOrText
        case ignore
    }

    let name: String
    let rows: CSVRowReader
    let options: CSVOptions
    let directory: PeopleDirectory?
    let mail = MailParser()
    private var plans: [ColumnPlan] = []
    private var columns: CSVColumns
    /// `options.constants`, in name order (as every event lists them).
    private let constants: [(key: String, value: String)]
    private var columnNames: [String] { columns.names }
    public var bytesRead: Int { rows.bytesRead }
    public var notes: [String: Int] { mail.notes }

    /// Opens a CSV or TSV file, or standard input for "-"; `directory` gives authors and recipients their roles.
    public convenience init(path: String, options: CSVOptions = CSVOptions(), directory: PeopleDirectory? = nil) throws(ArchiveOpenError) {
        self.init(name: path == "-" ? "<stdin>" : path, lines: try ByteLines.open(path: path), options: options, directory: directory)
    }

    /// Reads CSV already in memory. `name` stands for the path: in the records' sources
    /// (`name:line`) and for the delimiter (a name ending `.tsv` or `.tab` means tabs, as a path
    /// would).
    ///
    /// ```swift
    /// let table = CSVSource(bytes: Array("time,author,text\n2024-03-01T09:00:00Z,ann,hi\n".utf8), name: "export.csv")
    /// ```
    public convenience init(bytes: [UInt8], name: String, options: CSVOptions = CSVOptions(), directory: PeopleDirectory? = nil) {
        self.init(name: name, lines: ByteLines(bytes: bytes), options: options, directory: directory)
    }

    /// Reads one chunk of a CSV input that `CSVSplitter` cut: `linesBefore` lines of the input
    /// came before it, and `columns` is what the reader knew of the columns at its start. Its
    /// records are named and read as the whole input's reader names and reads them.
    package convenience init(
        chunk: [UInt8], name: String, linesBefore: Int, columns: CSVColumns, options: CSVOptions = CSVOptions(),
        directory: PeopleDirectory? = nil, limits: CSVLimits = CSVLimits()
    ) {
        let lines = ByteLines(bytes: chunk, maxLine: limits.lineBytes, linesBefore: linesBefore)
        self.init(name: name, lines: lines, options: options, directory: directory, limits: limits, columns: columns)
    }

    /// Reads CSV in memory with other limits than `ArchiveLimits` (tests and the fuzzer).
    package convenience init(bytes: [UInt8], name: String, options: CSVOptions, limits: CSVLimits) {
        self.init(name: name, lines: ByteLines(bytes: bytes, maxLine: limits.lineBytes), options: options, directory: nil, limits: limits)
    }

    init(
        name: String, lines: ByteLines, options: CSVOptions, directory: PeopleDirectory?, limits: CSVLimits = CSVLimits(),
        columns: CSVColumns? = nil
    ) {
        let resolved = options.resolved(forName: name)
        self.name = name
        rows = CSVRowReader(lines: lines, options: resolved, limits: limits)
        self.options = resolved
        self.directory = directory
        self.columns = columns ?? CSVColumns(options: resolved)
        constants = resolved.constants.sorted(by: { $0.key < $1.key })
        if !self.columns.names.isEmpty { setTargets() }
    }

    static let listFields: Set<String> = [
        "recipients.id", "recipients.name", "recipients.address", "recipients.role", "recipients.status", "recipients.family",
        "approval", "attachments.kind", "attachments.depicts", "attachments.labels", "attachments.capture_device", "attachments.consent"
    ]
    static let boolFields: Set<String> = ["recipients.family", "attachments.consent"]
    static let knownFields: Set<String> = [
        "id", "school", "type", "action", "time", "author.id", "author.name", "author.role", "author.status", "account.kind",
        "account.platform", "account.handle", "account.display_name", "account.email", "audience.scope", "device", "location",
        "subject", "text", "profile.bio", "profile.workplace", "profile.job_title", "profile.visibility", "web.url", "web.host",
        "web.category", "web.outcome"
    ]

    /// The automatic mapping of a header name: the event field of that dotted name, or an alias.
    static func mapping(for header: String) -> Target {
        let h = header.trimmingSpaces().lowercased()
        if h == "time" { return .time }
        if knownFields.contains(h) || listFields.contains(h) { return .field(h) }
        let key = String(h.map { $0 == " " || $0 == "-" ? "_" : $0 })
        switch key {
        case "body", "content", "text_body", "msg", "sms", "post", "comment", "message_text", "message_body": return .field("text")
        case "message": return .messageOrText
        case "from", "sender", "author", "from_address", "sender_email", "sender_name", "user", "username_from": return .author
        case "to", "cc", "bcc", "recipient", "recipients", "to_address", "receiver": return .recipients
        case "date", "timestamp", "datetime", "date_time", "sent", "sent_at", "created", "created_at", "posted", "posted_at": return .time
        case "subject", "title": return .field("subject")
        case "message_id", "msgid", "msg_id", "event_id": return .field("id")
        case "email", "email_address": return .field("account.email")
        case "handle", "username", "screen_name": return .field("account.handle")
        case "platform", "network", "service": return .field("account.platform")
        case "role": return .field("author.role")
        case "url", "link": return .field("web.url")
        case "host", "domain": return .field("web.host")
        case "category": return .field("web.category")
        case "attachment", "attachments", "media", "media_type": return .field("attachments.kind")
        default: return .ignore
        }
    }

    static func target(named value: String) -> Target {
        switch value.lowercased() {
        case "author", "from": return .author
        case "recipients", "to": return .recipients
        case "time": return .time
        case "message", "rfc822", "email-message", "eml": return .message
        case "ignore", "-", "": return .ignore
        default: return .field(value)
        }
    }

    /// Maps each column to its target: the `--map` entry for its name, or the automatic mapping.
    private func setTargets() {
        plans = columns.names.map { column in
            if let t = options.map[column] ?? options.map.first(where: { $0.key.lowercased() == column.lowercased() })?.value {
                return ColumnPlan(Self.target(named: t))
            }
            return ColumnPlan(Self.mapping(for: column))
        }
    }

    public func next() -> ArchiveRecord? {
        while let row = rows.nextRow() {
            switch row {
            case .rejected(let line, let reason):
                return ArchiveRecord(source: "\(name):\(line)", payload: .rejected(reason))
            case .cells(let line, let cells):
                let known = columns.names.count
                let isHeader = columns.take(cells, options: options)
                if columns.names.count != known || plans.count != columns.names.count { setTargets() }
                if isHeader { continue }
                let source = "\(name):\(line)"
                guard cells.count == columnNames.count else {
                    var reason = "expected \(columnNames.count) cells, found \(cells.count)"
                    let last = rows.lastRecordLastLine
                    if rows.replayLastRecord() {
                        // A quoted cell ran over several lines: probably a stray quote. The lines
                        // after this one are read again as records of their own.
                        reason += "; a quoted cell runs from line \(line) to line \(last) (a stray quote?)"
                    }
                    return ArchiveRecord(source: source, payload: .rejected(reason))
                }
                switch event(cells) {
                case .success(var fields):
                    directory?.apply(to: &fields)
                    return ArchiveRecord(source: source, payload: .fields(fields))
                case .failure(let e):
                    return ArchiveRecord(source: source, payload: .rejected(e.reason))
                }
            }
        }
        return nil
    }

    /// What a column's cells become, worked out once from its target, so that a row costs no
    /// field-name lookups.
    enum ColumnPlan {
        case ignore
        /// A field of one value; `lowercased`: trimmed and lowercased (roles, types, actions).
        case text(String, lowercased: Bool)
        case bool(String)
        /// A list field, its values separated by `;`. `bool`: true-or-false values; `kind`:
        /// attachment kinds, normalised.
        case list(String, bool: Bool, kind: Bool)
        case time
        case author
        case recipients
        /// A whole RFC 822 message; `orText`: unless the cell does not look like one.
        case message(orText: Bool)

        init(_ target: Target) {
            switch target {
            case .ignore: self = .ignore
            case .time: self = .time
            case .author: self = .author
            case .recipients: self = .recipients
            case .message: self = .message(orText: false)
            case .messageOrText: self = .message(orText: true)
            case .field(let f):
                if CSVSource.listFields.contains(f) {
                    self = .list(f, bool: CSVSource.boolFields.contains(f), kind: f == "attachments.kind")
                } else if f == "time" {
                    self = .time
                } else if CSVSource.boolFields.contains(f) {
                    self = .bool(f)
                } else {
                    self = .text(f, lowercased: f == "author.role" || f == "type" || f == "action")
                }
            }
        }
    }

    private func event(_ cells: [String]) -> Result<[ArchiveField], MailError> {
        var fields: [ArchiveField] = []
        fields.reserveCapacity(cells.count + constants.count + 2)
        for (k, v) in constants {
            fields.append(ArchiveField(k, .string(v), list: Self.listFields.contains(k)))
        }
        var recipient: Int32 = 0
        var listCounts: [String: Int32] = [:]
        for (i, value) in cells.enumerated() {
            if value.isEmpty { continue }
            switch plans[i] {
            case .ignore:
                continue
            case .text(let f, let lowercased):
                fields.append(ArchiveField(f, .string(lowercased ? value.trimmingCharacters().lowercased() : value)))
            case .bool(let f):
                guard let b = parseBool(value) else {
                    return .failure(MailError(reason: "column '\(columnNames[i])': '\(value)' is not true or false"))
                }
                fields.append(ArchiveField(f, .bool(b)))
            case .list(let f, let isBool, let isKind):
                for part in value.split(separator: ";") {
                    let p = part.trimmingCharacters()
                    if p.isEmpty { continue }
                    let e = listCounts[f, default: 0]
                    listCounts[f] = e + 1
                    if isBool {
                        guard let b = parseBool(p) else {
                            return .failure(MailError(reason: "column '\(columnNames[i])': '\(p)' is not true or false"))
                        }
                        fields.append(ArchiveField(f, .bool(b), element: e, list: true))
                    } else {
                        fields.append(ArchiveField(f, .string(isKind ? normalizeKind(p) : p), element: e, list: true))
                    }
                }
            case .time:
                guard let t = normalizeTime(value, dayFirst: options.dayFirst) else {
                    return .failure(MailError(reason: "column '\(columnNames[i])': unreadable time '\(value.prefix(40))'"))
                }
                fields.append(ArchiveField("time", .string(t)))
            case .author:
                let list = parseAddressList(Array(value.utf8)[...])
                if let a = list.first {
                    if !a.address.isEmpty { fields.append(ArchiveField("account.email", .string(a.address))) }
                    if !a.name.isEmpty { fields.append(ArchiveField("author.name", .string(a.name))) }
                } else {
                    fields.append(ArchiveField("author.name", .string(value)))
                }
            case .recipients:
                for a in parseAddressList(Array(value.utf8)[...]) {
                    if !a.address.isEmpty { fields.append(ArchiveField("recipients.address", .string(a.address), element: recipient, list: true)) }
                    if !a.name.isEmpty { fields.append(ArchiveField("recipients.name", .string(a.name), element: recipient, list: true)) }
                    recipient += 1
                }
            case .message(let orText):
                if orText && !looksLikeMessage(value) {
                    fields.append(ArchiveField("text", .string(value)))
                    continue
                }
                do {
                    let parsed = try mail.parse(Array(value.utf8))
                    // The message's own fields first; cells of other columns override them.
                    fields.insert(contentsOf: parsed, at: 0)
                } catch {
                    return .failure(MailError(reason: "column '\(columnNames[i])': \(error.reason)"))
                }
            }
        }
        return .success(fields)
    }
}

private let messageHeaderStarts = ["message-id:", "from:", "date:", "received:", "return-path:", "subject:", "to:", "mime-version:", "delivered-to:"]

/// A cell that starts with a mail header line and has a blank line (headers, then body).
func looksLikeMessage(_ s: String) -> Bool {
    let head = s.utf8.prefix(32)
    guard messageHeaderStarts.contains(where: { head.hasPrefixCI($0) }) else { return false }
    return true
}

func parseBool(_ s: String) -> Bool? {
    switch s.trimmingCharacters().lowercased() {
    case "true", "yes", "y", "1": return true
    case "false", "no", "n", "0": return false
    default: return nil
    }
}

func normalizeKind(_ s: String) -> String {
    let l = s.lowercased()
    if ["image", "video", "audio", "document"].contains(l) { return l }
    if l.utf8.contains(0x2F) { return attachmentKind(type: l, filename: nil) }
    return kindForFileName(l) ?? (kindForFileName("x." + l) ?? l)
}

extension StringProtocol {
    func trimmingCharacters() -> String { String(self).trimmingSpaces() }
}

/// A time cell as ISO 8601 with offset: ISO 8601 as it is (a space instead of `T` allowed), RFC 5322
/// dates, `dd/mm/yyyy hh:mm[:ss]` (or month first), Unix seconds or milliseconds. Times without an
/// offset are UTC. Nil when unreadable.
func normalizeTime(_ raw: String, dayFirst: Bool) -> String? {
    // Most exports write ISO 8601 with a `T` already: then the cell is the answer, as it is.
    let isISO = raw.utf8.withContiguousStorageIfAvailable { b in
        b.count > 10 && b[4] == 0x2D && b[7] == 0x2D && b[10] == 0x54 && ISOCheck.valid(b)
    }
    if isISO == true { return raw }
    let s = raw.trimmingSpaces()
    var u = Array(s.utf8)
    if u.count >= 10, u[4] == 0x2D, u[7] == 0x2D {
        if u.count > 10, u[10] == 0x20 { u[10] = 0x54 }
        if u.count == 10 { u += Array("T00:00:00".utf8) }
        let candidate = String(decoding: u, as: UTF8.self)
        if u.withUnsafeBufferPointer({ ISOCheck.valid($0) }) { return candidate }
    }
    if u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), u.count == 10 || u.count == 13, var secs = Int64(s) {
        if u.count == 13 { secs /= 1000 }
        return isoString(utcSeconds: secs, offsetMinutes: 0)
    }
    // dd/mm/yyyy[, ]hh:mm[:ss]
    let parts = s.split(whereSeparator: { $0 == "/" || $0 == "." || $0 == " " || $0 == "," || $0 == ":" || $0 == "-" }).map(String.init)
    if parts.count >= 3, parts[0].count <= 2, parts[1].count <= 2, let a = Int(parts[0]), let b = Int(parts[1]), let y0 = Int(parts[2]) {
        let (d, m) = dayFirst ? (a, b) : (b, a)
        let y = parts[2].count == 2 ? 2000 + y0 : y0
        var h = 0, mi = 0, se = 0
        if parts.count >= 5, let hh = Int(parts[3]), let mm = Int(parts[4]) { h = hh; mi = mm; if parts.count >= 6 { se = Int(parts[5]) ?? 0 } }
        if parts.count >= 6 || parts.count == 6, parts.last?.lowercased() == "pm", h < 12 { h += 12 }
        if m >= 1, m <= 12, d >= 1, d <= 31, h < 24, mi < 60, se < 60 {
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return "\(y)-\(two(m))-\(two(d))T\(two(h)):\(two(mi)):\(two(se))+00:00"
        }
    }
    if let t = parseMailDate(Array(s.utf8)[...]) { return t }
    return nil
}

import Invigil

enum ISOCheck {
    static func valid(_ b: UnsafeBufferPointer<UInt8>) -> Bool { CivilTime.parseISO8601(b) != nil }
}

/// ISO 8601 text for a UTC instant shown at an offset.
func isoString(utcSeconds: Int64, offsetMinutes: Int) -> String {
    let local = utcSeconds + Int64(offsetMinutes) * 60
    let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
    let secs = local - days * 86400
    let (y, m, d) = CivilTime.date(fromDays: days)
    func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let off = abs(offsetMinutes)
    let sign = offsetMinutes < 0 ? "-" : "+"
    return
        "\(y)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))\(sign)\(two(Int64(off / 60))):\(two(Int64(off % 60)))"
}
