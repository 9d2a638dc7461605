#if canImport(Glibc)
import Glibc
#endif
import Invigil

/// Options of the WhatsApp reader.
public struct WhatsAppOptions: Sendable {
    /// How to read a date such as `01/02/2024`; the raw values are the command's option values.
    public enum DateOrder: String, Sendable { case auto, dayFirst = "day-first", monthFirst = "month-first" }
    /// `auto`: per file, day first if some date's first number is over 12, month first if some
    /// date's second number is, day first (UK) when nothing tells. A line whose own numbers tell
    /// is read that way whatever the file's order.
    public var dateOrder: DateOrder = .auto
    /// The zone the phone showed times in (exports carry local times without offset).
    public var timeZone: TimeZoneRule = .europeanSummer(standardOffset: 0)
    /// The defaults: the date order told per file, UK time.
    public init() {}
}

/// WhatsApp chat exports (`.txt`) from Android and iOS, UK and US styles:
/// `dd/mm/yy, hh:mm - Name: text`, `[dd/mm/yyyy, hh:mm:ss] Name: text`, `m/d/yy, h:mm a.m. - `,
/// `yyyy/mm/dd, hh:mm. - `, separators `/ . -`, 12 or 24 hours, `AM`/`a.m.`/`a. m.` with ordinary
/// or no-break spaces. Lines that do not start with a date continue the message before. Lines
/// without `Name:` are system lines ("Messages and calls are end-to-end encrypted", "X created
/// group", "You were added"): events with no author. `<Media omitted>`, `image omitted`,
/// `<attached: file>`, `file (file attached)` become `attachments.kind`. Every other participant
/// of the file is a recipient of a message (up to `ArchiveLimits.chatParticipants`).
/// Sources are `file:line` of the message's first line.
public final class WhatsAppSource: ArchiveSource {
    let name: String
    let path: String
    let lines: ByteLines
    let options: WhatsAppOptions
    let directory: PeopleDirectory?
    /// The media files of the .zip the chat came from, if it came from one.
    var media: WhatsAppMedia? = nil
    private var fileDayFirst = true
    private var participants: [String] = []
    // The message being gathered.
    private var pendingHeader: ChatHeader? = nil
    private var pendingLine = 0
    private var pendingText: [UInt8] = []
    private var pendingLines = 0
    private var pendingBroken: String? = nil
    private var queued: [ArchiveRecord] = []
    private var finished = false
    public var bytesRead: Int { lines.bytesRead }

    /// Opens an exported chat text (`_chat.txt`), or standard input for "-"; `directory` gives authors their roles.
    public init(path: String, options: WhatsAppOptions = WhatsAppOptions(), directory: PeopleDirectory? = nil) throws(ArchiveOpenError) {
        self.path = path
        name = path == "-" ? "<stdin>" : path
        self.options = options
        self.directory = directory
        fileDayFirst = options.dateOrder != .monthFirst
        // A first pass over the file: the date order and the participants (not on standard input,
        // which cannot be read twice).
        if path != "-" {
            (fileDayFirst, participants) = Self.survey(try ByteLines.open(path: path), dateOrder: options.dateOrder)
        }
        lines = try ByteLines.open(path: path, maxLine: ArchiveLimits.messageBytes)
    }

    /// Reads an export already in memory. `name` stands for the path in the records' sources
    /// (`name:line`).
    ///
    /// ```swift
    /// let chat = WhatsAppSource(bytes: Array("12/03/2024, 09:15 - Ann: See you at 10\n".utf8), name: "chat.txt")
    /// ```
    public init(bytes: [UInt8], name: String, options: WhatsAppOptions = WhatsAppOptions(), directory: PeopleDirectory? = nil) {
        path = name
        self.name = name
        self.options = options
        self.directory = directory
        fileDayFirst = options.dateOrder != .monthFirst
        (fileDayFirst, participants) = Self.survey(ByteLines(bytes: bytes), dateOrder: options.dateOrder)
        lines = ByteLines(bytes: bytes, maxLine: ArchiveLimits.messageBytes)
    }

    /// The first pass: the file's date order (when `auto`) and its participants.
    private static func survey(_ pre: ByteLines, dateOrder: WhatsAppOptions.DateOrder) -> (dayFirst: Bool, participants: [String]) {
        var dayFirstSeen = 0, monthFirstSeen = 0
        var seen: Set<String> = []
        var list: [String] = []
        while true {
            let s = pre.next()
            if s == .end { break }
            if s != .line { continue }
            guard let h = parseChatHeader(pre.current) else { continue }
            if !h.yearFirst {
                if h.n1 > 12 { dayFirstSeen += 1 }
                if h.n2 > 12 { monthFirstSeen += 1 }
            }
            if let a = h.author, seen.count <= ArchiveLimits.chatParticipants, !seen.contains(a) {
                seen.insert(a)
                list.append(a)
            }
        }
        let dayFirst = dateOrder == .auto ? !(monthFirstSeen > dayFirstSeen) : dateOrder != .monthFirst
        return (dayFirst, list.count <= ArchiveLimits.chatParticipants ? list : [])
    }

    public func next() -> ArchiveRecord? {
        if !queued.isEmpty { return queued.removeFirst() }
        guard !finished else { return nil }
        while true {
            let status = lines.next()
            switch status {
            case .end:
                finished = true
                if lines.readError != 0 {
                    queued.append(
                        ArchiveRecord(
                            source: "\(name):\(lines.lineNumber + 1)",
                            payload: .rejected("read error: \(String(cString: strerror(lines.readError))); the rest of the input is lost")))
                }
                let r = flush()
                if let r { return r }
                return queued.isEmpty ? nil : queued.removeFirst()
            case .tooLong:
                let r = flush()
                let long = ArchiveRecord(
                    source: "\(name):\(lines.lineNumber)", payload: .rejected("line longer than \(ArchiveLimits.messageBytes) bytes"))
                if let r { queued.append(long); return r }
                return long
            case .line:
                let line = lines.current
                if let h = parseChatHeader(line) {
                    let r = flush()
                    pendingHeader = h
                    pendingLine = lines.lineNumber
                    pendingText = Array(UnsafeBufferPointer(rebasing: line[h.textStart...]))
                    pendingLines = 1
                    pendingBroken = nil
                    if let r { return r }
                    continue
                }
                if startsLikeChatHeader(line) {
                    // A date and time where messages start, but no message header: a broken
                    // record, never text of the message before.
                    let rejected = ArchiveRecord(
                        source: "\(name):\(lines.lineNumber)",
                        payload: .rejected("the line starts with a date and time but is not a message header: \(preview(line))"))
                    if let r = flush() { queued.append(rejected); return r }
                    return rejected
                }
                if pendingHeader == nil {
                    if line.allSatisfy(isSpace) || isOnlyMarks(line) { continue }
                    return ArchiveRecord(
                        source: "\(name):\(lines.lineNumber)", payload: .rejected("not a chat message: the line does not start with a date and time"))
                }
                pendingLines += 1
                if pendingBroken != nil { continue }
                if pendingLines > ArchiveLimits.chatMessageLines || pendingText.count + line.count > ArchiveLimits.messageBytes {
                    pendingBroken = "message longer than \(ArchiveLimits.chatMessageLines) lines or \(ArchiveLimits.messageBytes) bytes"
                    pendingText = []
                    continue
                }
                pendingText.append(0x0A)
                pendingText.append(contentsOf: line)
            }
        }
    }

    private func isOnlyMarks(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < line.count {
            let k = skipMark(line, i)
            if k == i { return false }
            i = k
        }
        return true
    }

    private func flush() -> ArchiveRecord? {
        guard let h = pendingHeader else { return nil }
        pendingHeader = nil
        let source = "\(name):\(pendingLine)"
        if let reason = pendingBroken { return ArchiveRecord(source: source, payload: .rejected(reason)) }
        let text = pendingText
        pendingText = []
        if text.withUnsafeBufferPointer(holdsNUL) { return ArchiveRecord(source: source, payload: .rejected("NUL byte in the message")) }
        if let bad = firstInvalidUTF8(text) {
            return ArchiveRecord(source: source, payload: .rejected("invalid UTF-8 at byte \(bad + 1) of the message"))
        }
        guard let time = h.time(dayFirst: fileDayFirst, zone: options.timeZone) else {
            return ArchiveRecord(source: source, payload: .rejected("impossible date or time"))
        }
        var fields: [ArchiveField] = [
            ArchiveField("type", .string("chat")), ArchiveField("account.platform", .string("whatsapp")), ArchiveField("time", .string(time))
        ]
        var body = String(decoding: text, as: UTF8.self)
        if let author = h.author {
            fields.append(ArchiveField("author.name", .string(author)))
            var element: Int32 = 0
            for p in participants where p != author {
                fields.append(ArchiveField("recipients.name", .string(p), element: element, list: true))
                element += 1
            }
            // Placeholders are short and carry one of a few words: only such bodies are looked at.
            let candidate = text.count <= 512 && text.withUnsafeBufferPointer { t in placeholderWords.contains { containsBytes(t, $0) } }
            let stripped = candidate ? body.trimmingCharacters().replacingMarks() : ""
            if candidate, let kind = mediaKind(stripped) {
                fields.append(ArchiveField("attachments.kind", .string(kind), element: 0, list: true))
                // In a .zip export the file itself is there: its name and size (WhatsAppMedia).
                if let media, let file = attachedFileName(stripped), let found = media.claim(file) {
                    fields.append(ArchiveField("attachments.name", .string(found.name), element: 0, list: true))
                    fields.append(ArchiveField("attachments.size", .int(Int64(found.size)), element: 0, list: true))
                }
                body = captionAfterMedia(stripped)
            } else if stripped == "This message was deleted" || stripped == "You deleted this message" {
                fields.append(ArchiveField("action", .string("delete")))
                body = ""
            }
        }
        if !body.isEmpty { fields.append(ArchiveField("text", .string(body))) }
        directory?.apply(to: &fields)
        return ArchiveRecord(source: source, payload: .fields(fields))
    }
}

extension String {
    fileprivate func replacingMarks() -> String {
        // Fast path: no U+200E, U+200F or U+FEFF (all start with 0xE2 0x80 or 0xEF 0xBB).
        if !utf8.contains(where: { $0 == 0xE2 || $0 == 0xEF }) { return self }
        return String(unicodeScalars.filter { $0.value != 0x200E && $0.value != 0x200F && $0.value != 0xFEFF }.map(Character.init))
            .trimmingCharacters()
    }
}

/// The attachment kind of a media placeholder, or nil if the text is not one.
func mediaKind(_ text: String) -> String? {
    let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
    let t = firstLine.trimmingCharacters()
    let lower = t.lowercased()
    switch lower {
    case "<media omitted>", "<médias omis>", "<medien ausgeschlossen>", "<multimedia omitido>": return "image"
    case "image omitted", "photo omitted", "sticker omitted", "<sticker omitted>": return "image"
    case "video omitted", "gif omitted", "<video omitted>", "<gif omitted>": return "video"
    case "audio omitted", "<audio omitted>", "voice message omitted": return "audio"
    case "document omitted", "contact card omitted", "<document omitted>": return "document"
    default: break
    }
    if let file = attachedFileName(t) { return kindForFileName(file) ?? "document" }
    if lower.hasSuffix("document omitted") { return "document" }
    return nil
}

/// The file a media placeholder names, as exports with media write it: `<attached: NAME>` (iOS)
/// or `NAME (file attached)` (Android), on the text's first line (empty when the placeholder names
/// none); nil for other text.
func attachedFileName(_ text: String) -> String? {
    let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
    let t = firstLine.trimmingCharacters()
    let lower = t.lowercased()
    if lower.hasPrefix("<attached:"), lower.hasSuffix(">") {
        let file = String(t.dropFirst(10).dropLast()).trimmingCharacters()
        return file
    }
    if lower.hasSuffix("(file attached)") {
        return String(t.dropLast(15)).trimmingCharacters()
    }
    return nil
}

/// Text after a media placeholder line (a caption), if any.
func captionAfterMedia(_ text: String) -> String {
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    return parts.count > 1 ? String(parts[1]).trimmingCharacters() : ""
}

/// A parsed message header: date numbers, time, and where the author and text are.
struct ChatHeader {
    var n1: Int, n2: Int, n3: Int
    var yearFirst: Bool
    var yearDigits: Int
    var hour: Int, minute: Int, second: Int
    var meridiem: Int  // 0 none, 1 am, 2 pm
    var author: String?
    var textStart: Int

    func time(dayFirst: Bool, zone: TimeZoneRule) -> String? {
        var y: Int, m: Int, d: Int
        if yearFirst {
            y = n1; m = n2; d = n3
        } else {
            y = n3
            // A line's own numbers decide when they can.
            let df = n1 > 12 ? true : n2 > 12 ? false : dayFirst
            (d, m) = df ? (n1, n2) : (n2, n1)
        }
        if yearDigits == 2 { y += 2000 }
        var h = hour
        if meridiem == 1 && h == 12 { h = 0 }
        if meridiem == 2 && h < 12 { h += 12 }
        guard m >= 1, m <= 12, d >= 1, d <= 31, h < 24, minute < 60, second < 60, y >= 1970, y < 3000 else { return nil }
        let monthDays = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d <= monthDays[m - 1] else { return nil }
        let local = CivilTime.days(year: Int64(y), month: Int64(m), day: Int64(d)) * 86400 + Int64(h * 3600 + minute * 60 + second)
        let offset = zone.offset(at: local - zone.offset(at: local))
        return isoString(utcSeconds: local - offset, offsetMinutes: Int(offset / 60))
    }
}

/// Skips a left-to-right / right-to-left mark or a byte-order mark at `i`.
@inline(__always) func skipMark(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
    if i + 2 < b.count, b[i] == 0xE2, b[i + 1] == 0x80, b[i + 2] == 0x8E || b[i + 2] == 0x8F { return i + 3 }
    if i + 2 < b.count, b[i] == 0xEF, b[i + 1] == 0xBB, b[i + 2] == 0xBF { return i + 3 }
    return i
}

/// Skips spaces: ASCII space, no-break space (U+00A0), narrow no-break space (U+202F), marks.
@inline(__always) private func skipSpaces(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
    var i = start
    while i < b.count {
        if b[i] == 0x20 || b[i] == 0x09 { i += 1; continue }
        if i + 1 < b.count, b[i] == 0xC2, b[i + 1] == 0xA0 { i += 2; continue }
        if i + 2 < b.count, b[i] == 0xE2, b[i + 1] == 0x80, b[i + 2] == 0xAF { i += 3; continue }
        let k = skipMark(b, i)
        if k != i { i = k; continue }
        break
    }
    return i
}

private let systemMarkers = [
    " created group", " created this group", " changed the subject", " changed this group", " changed the group",
    " added ", " removed ", " left", " joined using", " changed their phone number", " security code",
    "end-to-end encrypted", " was added", " were added", " changed to ", " deleted this group"
]

private let placeholderWords = ["omitted", "omis", "ausgeschlossen", "omitido", "attached", "deleted"].map { Array($0.utf8) }
private let systemMarkerBytes = systemMarkers.map { Array($0.utf8) }

/// Whether `needle` occurs in `haystack` (short needles, short haystacks).
func containsBytes(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
    let n = needle.count
    guard n > 0, haystack.count >= n else { return n == 0 }
    let first = needle[0]
    var i = 0
    let last = haystack.count - n
    while i <= last {
        if haystack[i] == first {
            var k = 1
            while k < n, haystack[i + k] == needle[k] { k += 1 }
            if k == n { return true }
        }
        i += 1
    }
    return false
}

/// Whether a line starts as message headers do, with a date and then a time (`12/10/22, 13:`,
/// `[2022-10-12 13:`), whether or not the rest parses.
func startsLikeChatHeader(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = b.count
    var i = skipMark(b, 0)
    if i < n, b[i] == 0x5B { i += 1 }
    func digits(_ maxDigits: Int) -> Int {
        var d = 0
        while i < n, b[i] >= 0x30, b[i] <= 0x39, d < maxDigits { i += 1; d += 1 }
        return d
    }
    guard digits(4) > 0, i < n, b[i] == 0x2F || b[i] == 0x2E || b[i] == 0x2D else { return false }
    let sep = b[i]
    i += 1
    guard digits(2) > 0, i < n, b[i] == sep else { return false }
    i += 1
    guard digits(4) > 0 else { return false }
    if i < n, b[i] == 0x2C { i += 1 }
    let afterDate = i
    i = skipSpaces(b, i)
    guard i > afterDate else { return false }
    let hourDigits = digits(2)
    return hourDigits > 0 && i < n && (b[i] == 0x3A || b[i] == 0x2E)
}

/// The start of a line for an error message.
func preview(_ line: UnsafeBufferPointer<UInt8>) -> String {
    let text = String(decoding: line.prefix(60), as: UTF8.self)
    return "'" + text + (line.count > 60 ? "…'" : "'")
}

/// Parses the date, time and author of a message's first line; nil if the line does not start one.
func parseChatHeader(_ b: UnsafeBufferPointer<UInt8>) -> ChatHeader? {
    let n = b.count
    var i = skipMark(b, 0)
    var bracketed = false
    if i < n, b[i] == 0x5B { bracketed = true; i += 1 }
    func number(_ maxDigits: Int) -> (Int, Int)? {
        var v = 0
        var digits = 0
        while i < n, b[i] >= 0x30, b[i] <= 0x39, digits < maxDigits { v = v * 10 + Int(b[i] - 0x30); i += 1; digits += 1 }
        if digits == 0 || (i < n && b[i] >= 0x30 && b[i] <= 0x39) { return nil }
        return (v, digits)
    }
    guard let (a, ad) = number(4) else { return nil }
    guard i < n, b[i] == 0x2F || b[i] == 0x2E || b[i] == 0x2D else { return nil }
    let sep = b[i]
    i += 1
    guard let (c2, _) = number(2) else { return nil }
    guard i < n, b[i] == sep else { return nil }
    i += 1
    guard let (c3, c3d) = number(4) else { return nil }
    let yearFirst = ad == 4
    if yearFirst { if c3d > 2 { return nil } } else if ad > 2 || (c3d != 2 && c3d != 4) { return nil }
    if i < n, b[i] == 0x2C { i += 1 }
    let afterDate = i
    i = skipSpaces(b, i)
    guard i > afterDate || (i < n && b[i] == 0x2C) else { return nil }
    guard let (hour, _) = number(2), i < n, b[i] == 0x3A else { return nil }
    i += 1
    guard let (minute, md) = number(2), md == 2 else { return nil }
    var second = 0
    if i < n, b[i] == 0x3A {
        i += 1
        guard let (s, sd) = number(2), sd == 2 else { return nil }
        second = s
    }
    if i < n, b[i] == 0x2E { i += 1 }  // "13:34." in some locales
    // am / pm: "AM", "am", "a.m.", "a. m." (spaces may be no-break).
    var meridiem = 0
    let beforeMeridiem = i
    i = skipSpaces(b, i)
    if i < n, b[i] | 0x20 == 0x61 || b[i] | 0x20 == 0x70 {
        let isPM = b[i] | 0x20 == 0x70
        var j = i + 1
        if j < n, b[j] == 0x2E { j += 1 }
        j = skipSpaces(b, j)
        if j < n, b[j] | 0x20 == 0x6D {
            j += 1
            if j < n, b[j] == 0x2E { j += 1 }
            meridiem = isPM ? 2 : 1
            i = j
        } else {
            i = beforeMeridiem
        }
    } else {
        i = beforeMeridiem
    }
    // Some phone locales write 24-hour times with a 12-hour marker ("13:37:00 p.m."): the hour
    // decides, and the marker is ignored.
    if meridiem != 0, hour > 12 { meridiem = 0 }
    if hour > 23 || minute > 59 || second > 59 { return nil }
    if bracketed {
        guard i < n, b[i] == 0x5D else { return nil }
        i += 1
        i = skipSpaces(b, i)
    } else {
        i = skipSpaces(b, i)
        guard i < n, b[i] == 0x2D || b[i] == 0x3A else { return nil }  // " - " (or ": " in some exports)
        i += 1
        i = skipSpaces(b, i)
    }
    // Author: up to the first ':'.
    var author: String? = nil
    var textStart = i
    if let colon = UnsafeBufferPointer(rebasing: b[i...]).firstIndex(of: 0x3A).map({ $0 + i }), colon > i, colon - i <= 120 {
        let name = UnsafeBufferPointer(rebasing: b[i..<colon])
        if !name.contains(0x22) && !systemMarkerBytes.contains(where: { containsBytes(name, $0) }) {
            author = String(decoding: name, as: UTF8.self).replacingMarks().trimmingCharacters()
            textStart = colon + 1
            if textStart < n, b[textStart] == 0x20 { textStart += 1 }
        }
    }
    return ChatHeader(
        n1: a, n2: c2, n3: c3, yearFirst: yearFirst, yearDigits: yearFirst ? ad : c3d, hour: hour, minute: minute, second: second, meridiem: meridiem,
        author: author, textStart: textStart)
}
