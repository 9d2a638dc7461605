#if canImport(Glibc)
import Glibc
#endif

// RFC 5322 / MIME message to event fields. Works on the bytes of one message (an mbox message,
// an .eml or Maildir file, a CSV cell). This file maps a message's headers and text to fields;
// the rest of the folder holds one part of the format each: the header section (folding), the
// MIME structure (nested multiparts, depth and part count limited), transfer encodings and
// charsets, content types, addresses, dates and attachment kinds.

/// One header field: which field it is and the raw value (folding kept) as a range of the message.
struct HeaderField {
    var name: HeaderName
    var value: Range<Int>
}

struct MailError: Error {
    var reason: String
}

/// Parses messages into event fields. One per reader (it caches charset converters).
final class MailParser {
    let decoder = CharsetDecoder()
    var notes: [String: Int] {
        var n = decoder.notes
        for (k, v) in ownNotes { n[k, default: 0] += v }
        return n
    }
    var ownNotes: [String: Int] = [:]

    // Per-message state, shared with the extensions in this folder (`MailHeaders.swift`,
    // `MIMEStructure.swift`, `TransferDecoding.swift`).
    var msg: [UInt8] = []
    var textParts: [[UInt8]] = []
    var htmlParts: [[UInt8]] = []
    var attachmentKinds: [String] = []
    var partCount = 0
    /// Set when a multipart ended without its closing boundary.
    var missingClosingBoundary = false
    var headersUnterminated = false

    /// Parses one message. Throws a reason when the message cannot be read (limits, NUL bytes).
    func parse(_ bytes: [UInt8]) throws(MailError) -> [ArchiveField] {
        msg = bytes
        textParts.removeAll()
        htmlParts.removeAll()
        attachmentKinds.removeAll()
        partCount = 0
        missingClosingBoundary = false
        headersUnterminated = false
        defer { msg = [] }

        var start = 0
        // Skip leading blank lines and an mbox "From " line (in .eml files saved from mboxes).
        while true {
            var j = start
            while j < msg.count, msg[j] == 0x20 || msg[j] == 0x09 || msg[j] == 0x0D { j += 1 }
            if j < msg.count, msg[j] == 0x0A { start = j + 1; continue }
            break
        }
        if msg.count - start >= 5, msg[start] == 0x46, msg[start + 1] == 0x72, msg[start + 2] == 0x6F, msg[start + 3] == 0x6D, msg[start + 4] == 0x20
        {
            start = msg.withUnsafeBufferPointer { lineFeed(in: $0, from: start, to: $0.count) } + 1
            if start > msg.count { start = msg.count }
        }
        let (headers, bodyStart, terminated) = try parseHeaders(start..<msg.count)
        headersUnterminated = !terminated
        if headers.isEmpty { throw MailError(reason: "no message headers") }

        var fields: [ArchiveField] = [ArchiveField("type", .string("email"))]
        fields.append(ArchiveField("account.platform", .string("email")))

        var recipientIndex: Int32 = 0
        var droppedRecipients = 0
        var subject: [UInt8]? = nil
        for h in headers {
            switch h.name {
            case .messageID:
                let v = trimmed(msg[h.value])
                var id = Array(v)
                if id.first == 0x3C, id.last == 0x3E, id.count >= 2 { id = Array(id[1..<(id.count - 1)]) }
                id.removeAll { $0 == 0x0D || $0 == 0x0A }
                if !id.isEmpty, !fields.contains(where: { $0.name == "id" }) {
                    fields.append(ArchiveField("id", .string(String(decoding: trimmed(id), as: UTF8.self))))
                }
            case .subject:
                if subject == nil { subject = decodeHeaderValue(msg[h.value], decoder: decoder) }
            case .date:
                if !fields.contains(where: { $0.name == "time" }), let t = parseMailDate(msg[h.value]) {
                    fields.append(ArchiveField("time", .string(t)))
                }
            case .from:
                if !fields.contains(where: { $0.name == "account.email" || $0.name == "author.name" }) {
                    if let first = parseAddressList(msg[h.value]).first {
                        if !first.address.isEmpty { fields.append(ArchiveField("account.email", .string(first.address))) }
                        if !first.name.isEmpty { fields.append(ArchiveField("author.name", .string(first.name))) }
                    }
                }
            case .to, .cc, .bcc:
                for a in parseAddressList(msg[h.value]) {
                    if recipientIndex >= ArchiveLimits.recipients { droppedRecipients += 1; continue }
                    if !a.address.isEmpty {
                        fields.append(ArchiveField("recipients.address", .string(a.address), element: recipientIndex, list: true))
                    }
                    if !a.name.isEmpty { fields.append(ArchiveField("recipients.name", .string(a.name), element: recipientIndex, list: true)) }
                    recipientIndex += 1
                }
            default:
                break
            }
        }
        if droppedRecipients > 0 { ownNotes["recipients beyond \(ArchiveLimits.recipients) dropped", default: 0] += 1 }
        if let s = subject {
            if s.withUnsafeBufferPointer(holdsNUL) { throw MailError(reason: "NUL byte in Subject") }
            let t = trimmed(s)
            if !t.isEmpty { fields.append(ArchiveField("subject", .string(String(decoding: t, as: UTF8.self)))) }
        }

        try walk(headers: headers, body: bodyStart..<msg.count, depth: 0, defaultType: "text/plain")

        let parts = textParts.isEmpty ? htmlParts.map(htmlToText) : textParts
        if parts.count == 1 {
            // One text part (most mail): the text is that part, trimmed, without a copy to join.
            let t = trimmedText(parts[0])
            if t.withUnsafeBufferPointer(holdsNUL) { throw MailError(reason: "NUL byte in the message text") }
            if !t.isEmpty { fields.append(ArchiveField("text", .string(String(decoding: t, as: UTF8.self)))) }
        } else {
            var text: [UInt8] = []
            for p in parts {
                let t = trimmedText(p)
                if t.isEmpty { continue }
                if !text.isEmpty { text.append(contentsOf: [0x0A, 0x0A]) }
                text.append(contentsOf: t)
            }
            if text.withUnsafeBufferPointer(holdsNUL) { throw MailError(reason: "NUL byte in the message text") }
            if !text.isEmpty { fields.append(ArchiveField("text", .string(String(decoding: text, as: UTF8.self)))) }
        }
        for (i, kind) in attachmentKinds.enumerated() {
            fields.append(ArchiveField("attachments.kind", .string(kind), element: Int32(i), list: true))
        }
        return fields
    }

    private func trimmedText(_ p: [UInt8]) -> ArraySlice<UInt8> {
        trimmed(p)
    }
}
