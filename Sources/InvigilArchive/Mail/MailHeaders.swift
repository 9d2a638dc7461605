#if canImport(Glibc)
import Glibc
#endif

/// The header fields the parser reads, told apart by their name's bytes (ASCII case ignored)
/// without making a string of every name: lowercasing each name into a `String` and comparing
/// strings was a tenth of the mail parser's time.
enum HeaderName {
    case messageID, subject, date, from, to, cc, bcc
    case contentType, contentDisposition, contentTransferEncoding
    /// Any other field, which the parser skips.
    case other

    /// The field a (trimmed) header name names.
    init(_ name: UnsafeBufferPointer<UInt8>) {
        @inline(__always) func named(_ known: StaticString) -> Bool {
            known.utf8CodeUnitCount == name.count && equalsIgnoringASCIICase(name, known)
        }
        switch name.count {
        case 2: self = named("to") ? .to : named("cc") ? .cc : .other
        case 3: self = named("bcc") ? .bcc : .other
        case 4: self = named("date") ? .date : named("from") ? .from : .other
        case 7: self = named("subject") ? .subject : .other
        case 10: self = named("message-id") ? .messageID : .other
        case 12: self = named("content-type") ? .contentType : .other
        case 19: self = named("content-disposition") ? .contentDisposition : .other
        case 25: self = named("content-transfer-encoding") ? .contentTransferEncoding : .other
        default: self = .other
        }
    }
}

/// Whether `bytes` are `lowercase` (lowercase ASCII letters, digits and `-`) with ASCII case ignored.
@inline(__always) private func equalsIgnoringASCIICase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
    let known = lowercase.utf8Start
    for k in 0..<bytes.count where lowerASCII(bytes[k]) != known[k] { return false }
    return true
}

/// The header section of a message or MIME part: fields with folding, up to the blank line.
extension MailParser {
    /// Header fields of the section starting at `range.lowerBound`, the start of the body, and
    /// whether the header section ended with a blank line.
    func parseHeaders(_ range: Range<Int>) throws(MailError) -> ([HeaderField], Int, Bool) {
        try msg.withUnsafeBufferPointer { (m) throws(MailError) -> ([HeaderField], Int, Bool) in
            try Self.parseHeaders(m, range)
        }
    }

    /// `parseHeaders(_:)` over the message's bytes. Lines are found with `memchr`; a header line
    /// is looked at once for its name, its NUL bytes and the start of its value.
    private static func parseHeaders(_ msg: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(MailError) -> ([HeaderField], Int, Bool) {
        var fields: [HeaderField] = []
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            if i - range.lowerBound > ArchiveLimits.headerBytes {
                throw MailError(reason: "header section larger than \(ArchiveLimits.headerBytes) bytes")
            }
            // Line [i, nl)
            let nl = lineFeed(in: msg, from: i, to: end)
            var lineEnd = nl
            if lineEnd > i, msg[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if lineEnd == i { return (fields, min(end, nl + 1), true) }  // blank line: end of headers
            let first = msg[i]
            if first == 0x20 || first == 0x09 {
                // Continuation of the previous field.
                if !fields.isEmpty { fields[fields.count - 1].value = fields[fields.count - 1].value.lowerBound..<lineEnd }
                i = nl + 1
                continue
            }
            // The name: the bytes before the first colon, trimmed, printable ASCII without spaces.
            var colon = i
            while colon < lineEnd, msg[colon] != 0x3A { colon += 1 }
            var nameStart = i
            var nameEnd = colon
            while nameStart < nameEnd, isSpace(msg[nameStart]) { nameStart += 1 }
            while nameEnd > nameStart, isSpace(msg[nameEnd - 1]) { nameEnd -= 1 }
            var printable = nameEnd > nameStart
            var k = nameStart
            while printable, k < nameEnd {
                printable = msg[k] > 0x20 && msg[k] < 0x7F
                k += 1
            }
            guard colon < lineEnd, colon > i, printable else {
                if fields.isEmpty, i == range.lowerBound {
                    // Not a header at all: the whole section is body.
                    return ([], i, false)
                }
                // A line that is not a header ends the header section (it starts the body).
                return (fields, i, true)
            }
            if holdsNUL(UnsafeBufferPointer(rebasing: msg[i..<lineEnd])) { throw MailError(reason: "NUL byte in the headers") }
            let name = HeaderName(UnsafeBufferPointer(rebasing: msg[nameStart..<nameEnd]))
            var vs = colon + 1
            while vs < lineEnd, msg[vs] == 0x20 || msg[vs] == 0x09 { vs += 1 }
            fields.append(HeaderField(name: name, value: vs..<lineEnd))
            i = nl + 1
        }
        return (fields, end, false)
    }

    func header(_ headers: [HeaderField], _ name: HeaderName) -> ArraySlice<UInt8>? {
        for h in headers where h.name == name { return msg[h.value] }
        return nil
    }
}

/// The offset of the first line feed in `bytes[from..<to]`, or `to`.
@inline(__always) func lineFeed(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
    guard from < to, let base = bytes.baseAddress, let found = memchr(base + from, 0x0A, to - from) else { return to }
    return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
}
