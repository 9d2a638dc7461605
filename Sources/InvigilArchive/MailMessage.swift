// RFC 5322 / MIME message to event fields. Works on the bytes of one message (an mbox message,
// an .eml or Maildir file, a CSV cell): headers with folding, RFC 2047 encoded words, addresses,
// dates, nested multiparts (depth and part count limited), transfer encodings and charsets.

/// One header field: its name lowercased and the raw value (folding kept) as a range of the message.
struct HeaderField {
    var name: String
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
    private var ownNotes: [String: Int] = [:]

    // Per-message state.
    private var msg: [UInt8] = []
    private var textParts: [[UInt8]] = []
    private var htmlParts: [[UInt8]] = []
    private var attachmentKinds: [String] = []
    private var partCount = 0
    /// Set when a multipart ended without its closing boundary.
    private(set) var missingClosingBoundary = false
    private(set) var headersUnterminated = false

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
        if msg[start...].starts(with: Array("From ".utf8)) {
            if let nl = msg[start...].firstIndex(of: 0x0A) { start = nl + 1 } else { start = msg.count }
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
            case "message-id":
                let v = trimmed(msg[h.value])
                var id = Array(v)
                if id.first == 0x3C, id.last == 0x3E, id.count >= 2 { id = Array(id[1..<(id.count - 1)]) }
                id.removeAll { $0 == 0x0D || $0 == 0x0A }
                if !id.isEmpty, !fields.contains(where: { $0.name == "id" }) {
                    fields.append(ArchiveField("id", .string(String(decoding: trimmed(id), as: UTF8.self))))
                }
            case "subject":
                if subject == nil { subject = decodeHeaderValue(msg[h.value], decoder: decoder) }
            case "date":
                if !fields.contains(where: { $0.name == "time" }), let t = parseMailDate(msg[h.value]) {
                    fields.append(ArchiveField("time", .string(t)))
                }
            case "from":
                if !fields.contains(where: { $0.name == "account.email" || $0.name == "author.name" }) {
                    if let first = parseAddressList(msg[h.value]).first {
                        if !first.address.isEmpty { fields.append(ArchiveField("account.email", .string(first.address))) }
                        if !first.name.isEmpty { fields.append(ArchiveField("author.name", .string(first.name))) }
                    }
                }
            case "to", "cc", "bcc":
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
            if s.contains(0) { throw MailError(reason: "NUL byte in Subject") }
            let t = trimmed(s)
            if !t.isEmpty { fields.append(ArchiveField("subject", .string(String(decoding: t, as: UTF8.self)))) }
        }

        try walk(headers: headers, body: bodyStart..<msg.count, depth: 0, defaultType: "text/plain")

        var text: [UInt8] = []
        let parts = textParts.isEmpty ? htmlParts.map(htmlToText) : textParts
        for p in parts {
            let t = trimmedText(p)
            if t.isEmpty { continue }
            if !text.isEmpty { text.append(contentsOf: [0x0A, 0x0A]) }
            text.append(contentsOf: t)
        }
        if text.contains(0) { throw MailError(reason: "NUL byte in the message text") }
        if !text.isEmpty { fields.append(ArchiveField("text", .string(String(decoding: text, as: UTF8.self)))) }
        for (i, kind) in attachmentKinds.enumerated() {
            fields.append(ArchiveField("attachments.kind", .string(kind), element: Int32(i), list: true))
        }
        return fields
    }

    private func trimmedText(_ p: [UInt8]) -> ArraySlice<UInt8> {
        trimmed(p)
    }

    // MARK: Headers

    /// Header fields of the section starting at `range.lowerBound`, the start of the body, and
    /// whether the header section ended with a blank line.
    private func parseHeaders(_ range: Range<Int>) throws(MailError) -> ([HeaderField], Int, Bool) {
        var fields: [HeaderField] = []
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            if i - range.lowerBound > ArchiveLimits.headerBytes {
                throw MailError(reason: "header section larger than \(ArchiveLimits.headerBytes) bytes")
            }
            // Line [i, nl)
            let nl = msg[i..<end].firstIndex(of: 0x0A) ?? end
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
            guard let colon = msg[i..<lineEnd].firstIndex(of: 0x3A), colon > i,
                case let headerName = trimmed(msg[i..<colon]), !headerName.isEmpty,
                headerName.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            else {
                if fields.isEmpty, i == range.lowerBound {
                    // Not a header at all: the whole section is body.
                    return ([], i, false)
                }
                // A line that is not a header ends the header section (it starts the body).
                return (fields, i, true)
            }
            if msg[i..<lineEnd].contains(0) { throw MailError(reason: "NUL byte in the headers") }
            let name = lowercasedASCII(trimmed(msg[i..<colon]))
            var vs = colon + 1
            while vs < lineEnd, msg[vs] == 0x20 || msg[vs] == 0x09 { vs += 1 }
            fields.append(HeaderField(name: name, value: vs..<lineEnd))
            i = nl + 1
        }
        return (fields, end, false)
    }

    private func header(_ headers: [HeaderField], _ name: String) -> ArraySlice<UInt8>? {
        for h in headers where h.name == name { return msg[h.value] }
        return nil
    }

    // MARK: MIME

    private func walk(headers: [HeaderField], body: Range<Int>, depth: Int, defaultType: String) throws(MailError) {
        partCount += 1
        if partCount > ArchiveLimits.mimeParts { throw MailError(reason: "more than \(ArchiveLimits.mimeParts) MIME parts") }
        if depth > ArchiveLimits.mimeDepth { throw MailError(reason: "MIME nesting deeper than \(ArchiveLimits.mimeDepth)") }

        let ct = parseContentType(header(headers, "content-type"), default: defaultType)
        let disposition = header(headers, "content-disposition").map { parseContentType($0, default: "inline") }
        let isAttachment = disposition?.type == "attachment"
        let filename = disposition?.params["filename"] ?? ct.params["name"]

        if ct.type.hasPrefix("multipart/") {
            guard let boundary = ct.params["boundary"], !boundary.isEmpty else {
                // A multipart without a boundary: read it as plain text.
                try addText(headers: headers, body: body, charset: ct.params["charset"], html: false)
                return
            }
            let parts = splitMultipart(body, boundary: Array(boundary.utf8))
            var children: [([HeaderField], Range<Int>)] = []
            for p in parts {
                let (h, b, _) = try parseHeaders(p)
                children.append((h, b..<p.upperBound))
            }
            let childDefault = ct.type == "multipart/digest" ? "message/rfc822" : "text/plain"
            if ct.type == "multipart/alternative", children.count > 1 {
                // Prefer text/plain, then a multipart (related html + images), then the last one.
                var chosen = children.count - 1
                var best = -1
                for (k, c) in children.enumerated() {
                    let t = parseContentType(header(c.0, "content-type"), default: childDefault).type
                    let score = t == "text/plain" ? 3 : t.hasPrefix("multipart/") ? 2 : t == "text/html" ? 1 : 0
                    if score > best { best = score; chosen = k }
                }
                partCount += children.count - 1
                try walk(headers: children[chosen].0, body: children[chosen].1, depth: depth + 1, defaultType: childDefault)
            } else {
                for c in children {
                    try walk(headers: c.0, body: c.1, depth: depth + 1, defaultType: childDefault)
                }
            }
            return
        }
        if ct.type == "message/rfc822" || ct.type == "message/global" {
            let inner = decodeTransfer(headers: headers, body: body)
            // Parse the enclosed message inside a copy of its own bytes.
            let saved = msg
            msg = inner
            defer { msg = saved }
            let (h, b, _) = try parseHeaders(0..<msg.count)
            if h.isEmpty && b == 0 && msg.isEmpty { return }
            try walk(headers: h, body: b..<msg.count, depth: depth + 1, defaultType: "text/plain")
            return
        }
        if !isAttachment {
            if ct.type == "text/plain" || ct.type == "text" {
                try addText(headers: headers, body: body, charset: ct.params["charset"], html: false)
                return
            }
            if ct.type == "text/html" {
                try addText(headers: headers, body: body, charset: ct.params["charset"], html: true)
                return
            }
            if ct.type.hasPrefix("message/") || ct.type.hasPrefix("text/") || ct.type.hasSuffix("-signature")
                || ct.type == "application/pkcs7-signature" || ct.type == "application/x-pkcs7-signature"
                || ct.type == "application/ms-tnef"
            {
                return  // delivery reports, headers, calendars, signatures: neither body nor attachment
            }
        }
        attachmentKinds.append(attachmentKind(type: ct.type, filename: filename))
    }

    private func addText(headers: [HeaderField], body: Range<Int>, charset: String?, html: Bool) throws(MailError) {
        let raw = decodeTransfer(headers: headers, body: body)
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        decoder.decode(raw, charset: charset, into: &out)
        if out.contains(0x0D) {
            // CRLF and lone CR line ends become LF.
            var k = 0
            var w = 0
            while k < out.count {
                if out[k] == 0x0D {
                    out[w] = 0x0A
                    w += 1
                    k += (k + 1 < out.count && out[k + 1] == 0x0A) ? 2 : 1
                } else {
                    out[w] = out[k]
                    w += 1
                    k += 1
                }
            }
            out.removeLast(out.count - w)
        }
        if html { htmlParts.append(out) } else { textParts.append(out) }
    }

    private func decodeTransfer(headers: [HeaderField], body: Range<Int>) -> [UInt8] {
        let cte = header(headers, "content-transfer-encoding").map { lowercasedASCII(trimmed($0)) } ?? ""
        var out: [UInt8] = []
        if cte.hasPrefix("base64") {
            decodeBase64(msg[body], into: &out)
        } else if cte.hasPrefix("quoted-printable") {
            decodeQuotedPrintable(msg[body], into: &out)
        } else {
            out.append(contentsOf: msg[body])
        }
        return out
    }

    /// The ranges of the parts of a multipart body. A missing closing boundary ends the last part
    /// at the end of the body (and is remembered: it marks a possibly truncated message).
    private func splitMultipart(_ body: Range<Int>, boundary: [UInt8]) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var i = body.lowerBound
        let end = body.upperBound
        var partStart: Int? = nil
        var closed = false
        while i < end {
            let nl = msg[i..<end].firstIndex(of: 0x0A) ?? end
            if nl - i >= boundary.count + 2, msg[i] == 0x2D, msg[i + 1] == 0x2D,
                msg[(i + 2)..<(i + 2 + boundary.count)].elementsEqual(boundary)
            {
                var k = i + 2 + boundary.count
                var isClose = false
                if k + 1 < nl, msg[k] == 0x2D, msg[k + 1] == 0x2D { isClose = true; k += 2 }
                if msg[k..<nl].allSatisfy(isSpace) {
                    if let s = partStart {
                        // The line break before the boundary belongs to the boundary.
                        var pe = i
                        if pe > s, msg[pe - 1] == 0x0A { pe -= 1 }
                        if pe > s, msg[pe - 1] == 0x0D { pe -= 1 }
                        parts.append(s..<max(s, pe))
                    }
                    if isClose { closed = true; break }
                    partStart = min(end, nl + 1)
                }
            }
            i = nl + 1
        }
        if !closed {
            missingClosingBoundary = true
            if let s = partStart, s < end { parts.append(s..<end) }
        }
        return parts
    }
}

/// Attachment kind of the event schema for a MIME type (and file name, for generic types).
func attachmentKind(type: String, filename: String?) -> String {
    if type.hasPrefix("image/") { return "image" }
    if type.hasPrefix("video/") { return "video" }
    if type.hasPrefix("audio/") { return "audio" }
    if let f = filename, let kind = kindForFileName(f) { return kind }
    return "document"
}

func kindForFileName(_ name: String) -> String? {
    guard let dot = name.lastIndex(of: ".") else { return nil }
    let ext = name[name.index(after: dot)...].lowercased().trimmingSpaces()
    switch ext {
    case "jpg", "jpeg", "png", "gif", "bmp", "heic", "heif", "webp", "tif", "tiff", "svg": return "image"
    case "mp4", "mov", "avi", "mkv", "3gp", "webm", "m4v", "wmv", "mpg", "mpeg": return "video"
    case "mp3", "m4a", "wav", "ogg", "opus", "aac", "amr", "flac", "wma": return "audio"
    case "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf", "odt", "csv", "zip", "vcf": return "document"
    default: return nil
    }
}

// MARK: Content-Type

struct ContentType {
    var type: String
    var params: [String: String]
}

/// Parses `type/subtype; name=value; name="quoted"` (also RFC 2231 `name*=charset''%XX` and
/// continuations `name*0=`). The type is lowercased; a missing or malformed type gives `default`.
func parseContentType(_ raw: ArraySlice<UInt8>?, default def: String) -> ContentType {
    guard let raw else { return ContentType(type: def, params: [:]) }
    let s = Array(raw.filter { $0 != 0x0D && $0 != 0x0A })
    var i = 0
    let n = s.count
    while i < n, isSpace(s[i]) { i += 1 }
    let ts = i
    while i < n, s[i] != 0x3B { i += 1 }
    var type = lowercasedASCII(trimmed(s[ts..<i]))
    if let q = type.firstIndex(of: "\"") { type.remove(at: q) }
    type = type.replacingQuotes()
    if type.isEmpty || (!type.utf8.contains(0x2F) && type != "attachment" && type != "inline") { type = def }
    var params: [String: String] = [:]
    var continued: [String: [(Int, String)]] = [:]
    while i < n {
        i += 1  // skip ';'
        while i < n, isSpace(s[i]) || s[i] == 0x3B { i += 1 }
        let ks = i
        while i < n, s[i] != 0x3D, s[i] != 0x3B { i += 1 }
        let key = lowercasedASCII(trimmed(s[ks..<i]))
        guard i < n, s[i] == 0x3D else { continue }
        i += 1
        while i < n, isSpace(s[i]) { i += 1 }
        var value: [UInt8] = []
        if i < n, s[i] == 0x22 {
            i += 1
            while i < n, s[i] != 0x22 {
                if s[i] == 0x5C, i + 1 < n { i += 1 }
                value.append(s[i])
                i += 1
            }
            while i < n, s[i] != 0x3B { i += 1 }
        } else {
            let vs = i
            while i < n, s[i] != 0x3B { i += 1 }
            value = Array(trimmed(s[vs..<i]))
        }
        // RFC 2231
        if let star = key.firstIndex(of: "*") {
            let base = String(key[..<star])
            let rest = key[key.index(after: star)...]
            let encoded = key.hasSuffix("*")
            var v = value
            if encoded {
                // charset'lang'%XX (only on the first section, but tolerate)
                var charset: String? = nil
                let parts = v.split(separator: 0x27, maxSplits: 2, omittingEmptySubsequences: false)
                if parts.count == 3 { charset = String(decoding: parts[0], as: UTF8.self); v = Array(parts[2]) }
                var dec: [UInt8] = []
                var k = 0
                while k < v.count {
                    if v[k] == 0x25, k + 2 < v.count, let h = hexValue(v[k + 1]), let l = hexValue(v[k + 2]) {
                        dec.append(h << 4 | l); k += 3
                    } else {
                        dec.append(v[k]); k += 1
                    }
                }
                if let cs = charset, !cs.isEmpty {
                    var out: [UInt8] = []
                    CharsetDecoder().decode(dec, charset: cs, into: &out)
                    dec = out
                }
                v = dec
            }
            let sectionText = rest.hasSuffix("*") ? rest.dropLast() : rest[...]
            let section = Int(sectionText) ?? 0
            continued[base, default: []].append((section, String(decoding: v, as: UTF8.self)))
        } else if params[key] == nil {
            params[key] = String(decoding: value, as: UTF8.self)
        }
    }
    for (base, sections) in continued where params[base] == nil {
        params[base] = sections.sorted { $0.0 < $1.0 }.map(\.1).joined()
    }
    // Encoded words in file names (not standard, but common).
    for key in ["name", "filename"] {
        if let v = params[key], v.utf8.contains(0x3F), v.utf8.contains(0x3D) {
            params[key] = String(decoding: decodeHeaderValue(Array(v.utf8)[...], decoder: CharsetDecoder()), as: UTF8.self)
        }
    }
    return ContentType(type: type, params: params)
}

extension String {
    fileprivate func replacingQuotes() -> String { String(self.filter { $0 != "\"" && $0 != "'" }) }
}

// MARK: Addresses

struct MailAddress {
    var name: String
    var address: String
}

/// Parses an address list (RFC 5322 with the usual deviations): `Name <a@b>`, `"Last, First" <a@b>`,
/// `a@b (Name)`, groups `team: a@b, c@d;`, encoded-word names, and `user at host` (mailing-list
/// archives). Entries with neither address nor name are dropped.
func parseAddressList(_ raw: ArraySlice<UInt8>) -> [MailAddress] {
    if let plain = parsePlainAddressList(raw) { return plain }
    return parseAddressListInFull(raw)
}

/// The general parser behind `parseAddressList`, for lists the plain path declines.
func parseAddressListInFull(_ raw: ArraySlice<UInt8>) -> [MailAddress] {
    var result: [MailAddress] = []
    var tokens: [[UInt8]] = []
    var current: [UInt8] = []
    var inQuote = false
    var angle = 0
    var comment = 0
    var i = raw.startIndex
    while i < raw.endIndex {
        var c = raw[i]
        if c == 0x0D || c == 0x0A || c == 0x09 { c = 0x20 }
        if inQuote {
            if c == 0x5C, i + 1 < raw.endIndex { current.append(c); i += 1; current.append(raw[i]); i += 1; continue }
            if c == 0x22 { inQuote = false }
            current.append(c)
        } else if comment > 0 {
            if c == 0x28 { comment += 1 } else if c == 0x29 { comment -= 1 }
            current.append(c)
        } else {
            switch c {
            case 0x22: inQuote = true; current.append(c)
            case 0x28: comment = 1; current.append(c)
            case 0x3C: angle += 1; current.append(c)
            case 0x3E: angle = max(0, angle - 1); current.append(c)
            case 0x2C where angle == 0, 0x3B where angle == 0:
                tokens.append(current); current = []
            case 0x3A where angle == 0 && !current.contains(0x40):
                current = []  // group name
            default: current.append(c)
            }
        }
        i += 1
    }
    tokens.append(current)
    let decoder = CharsetDecoder()
    for t in tokens {
        let tok = trimmed(t)
        if tok.isEmpty { continue }
        var name: [UInt8] = []
        var address: [UInt8] = []
        if let lt = findTopLevel(tok, 0x3C) {
            let close = tok[lt...].firstIndex(of: 0x3E) ?? tok.endIndex
            address = Array(tok[(lt + 1)..<close])
            if let colon = address.firstIndex(of: 0x3A), address.first == 0x40 { address = Array(address[(colon + 1)...]) }
            name = Array(tok[tok.startIndex..<lt])
            if name.isEmpty, close < tok.endIndex { name = Array(tok[(close + 1)...]) }
        } else {
            // addr (Name) or bare address / bare name
            var plain: [UInt8] = []
            var commentText: [UInt8] = []
            var depth = 0
            for c in tok {
                if c == 0x28 { depth += 1; if depth == 1 { continue } }
                if c == 0x29, depth > 0 { depth -= 1; if depth == 0 { continue } }
                if depth > 0 { commentText.append(c) } else { plain.append(c) }
            }
            let p = Array(trimmed(plain))
            if p.contains(0x40) || looksLikeAtAddress(p) {
                address = p
                name = commentText
            } else {
                name = p.isEmpty ? commentText : p
            }
        }
        var addr = Array(trimmed(address))
        if looksLikeAtAddress(addr) {
            let parts = addr.split(separator: 0x20)
            addr = Array(parts[0]) + [0x40] + Array(parts[2])
        } else {
            addr.removeAll { $0 == 0x20 || $0 == 0x09 }
        }
        var n = Array(trimmed(name))
        if n.count >= 2, n.first == 0x22, n.last == 0x22 { n = Array(n[1..<(n.count - 1)]) }
        n = unescapeQuoted(n)
        let decodedName = decodeHeaderValue(n[...], decoder: decoder)
        var nameString = String(decoding: trimmed(decodedName), as: UTF8.self)
        if nameString.hasPrefix("\""), nameString.hasSuffix("\""), nameString.count >= 2 { nameString = String(nameString.dropFirst().dropLast()) }
        var addrBytes: [UInt8] = []
        decoder.decode(addr, charset: nil, into: &addrBytes)
        let addressString = String(decoding: addrBytes, as: UTF8.self)
        if addressString.isEmpty && nameString.isEmpty { continue }
        if nameString == addressString { nameString = "" }
        result.append(MailAddress(name: nameString, address: addressString))
    }
    return result
}

private func unescapeQuoted(_ s: [UInt8]) -> [UInt8] {
    guard s.contains(0x5C) else { return s }
    var out: [UInt8] = []
    var k = 0
    while k < s.count {
        if s[k] == 0x5C, k + 1 < s.count { k += 1 }
        out.append(s[k])
        k += 1
    }
    return out
}

private func findTopLevel(_ s: ArraySlice<UInt8>, _ target: UInt8) -> Int? {
    var inQuote = false
    var comment = 0
    var i = s.startIndex
    while i < s.endIndex {
        let c = s[i]
        if inQuote {
            if c == 0x5C { i += 1 } else if c == 0x22 { inQuote = false }
        } else if comment > 0 {
            if c == 0x28 { comment += 1 } else if c == 0x29 { comment -= 1 }
        } else if c == 0x22 {
            inQuote = true
        } else if c == 0x28 {
            comment = 1
        } else if c == target {
            return i
        }
        i += 1
    }
    return nil
}

private func looksLikeAtAddress(_ p: [UInt8]) -> Bool {
    guard !p.contains(0x40) else { return false }
    let parts = p.split(separator: 0x20)
    return parts.count == 3 && parts[1].elementsEqual("at".utf8) && parts[2].contains(0x2E)
}

// MARK: Dates

private let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
private let zoneNames: [String: Int] = [
    "ut": 0, "gmt": 0, "utc": 0, "z": 0, "bst": 60, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "cet": 60, "cest": 120, "met": 60, "mest": 120
]

/// An RFC 5322 date (`Tue, 5 Mar 2024 12:40:00 +0000`, and the common deviations: no weekday,
/// two-digit years, zone names, no seconds, asctime order) as ISO 8601 with its offset, or nil.
func parseMailDate(_ raw: ArraySlice<UInt8>) -> String? {
    // Drop comments, split on spaces and commas.
    var clean: [UInt8] = []
    var depth = 0
    for c in raw {
        if c == 0x28 { depth += 1; continue }
        if c == 0x29 { depth = max(0, depth - 1); continue }
        if depth > 0 { continue }
        clean.append(c == 0x2C || isSpace(c) ? 0x20 : c)
    }
    let tokens = clean.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
    var day: Int? = nil, month: Int? = nil, year: Int? = nil
    var hour: Int? = nil, minute = 0, second = 0
    var offset: Int? = nil
    for t in tokens {
        let lower = t.lowercased()
        if t.utf8.contains(0x3A), hour == nil {
            let p = t.split(separator: ":")
            guard p.count >= 2, let h = Int(p[0]), let m = Int(p[1]), h < 24, m < 60 else { return nil }
            hour = h; minute = m
            if p.count >= 3 { second = min(59, Int(p[2].prefix(2)) ?? 0) }
        } else if (t.hasPrefix("+") || t.hasPrefix("-")), t.count == 5, let v = Int(t.dropFirst()), offset == nil {
            let mins = (v / 100) * 60 + v % 100
            offset = t.hasPrefix("-") ? -mins : mins
        } else if let z = zoneNames[lower], offset == nil, month != nil {
            offset = z
        } else if month == nil, lower.count >= 3, let m = monthNames.firstIndex(of: String(lower.prefix(3))) {
            month = m + 1
        } else if let v = Int(t) {
            if day == nil, t.count <= 2, v >= 1, v <= 31 {
                day = v
            } else if year == nil {
                year = t.count <= 2 ? (v < 50 ? 2000 + v : 1900 + v) : (t.count == 3 ? 1900 + v : v)
            }
        }
    }
    guard let d = day, let mo = month, let y = year, y >= 1000, y <= 9999 else { return nil }
    let monthDays = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard d <= monthDays[mo - 1], abs(offset ?? 0) < 24 * 60 else { return nil }
    let off = offset ?? 0
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let sign = off < 0 ? "-" : "+"
    return "\(y)-\(two(mo))-\(two(d))T\(two(hour ?? 0)):\(two(minute)):\(two(second))\(sign)\(two(abs(off) / 60)):\(two(abs(off) % 60))"
}
