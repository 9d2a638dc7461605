/// The MIME structure of a message: which parts are text (plain preferred over HTML in an
/// alternative), which are enclosed messages (parsed in turn) and which are attachments, with
/// the nesting depth and the number of parts limited (`ArchiveLimits`).
extension MailParser {
    /// Walks a part: its content type decides whether it is a multipart to split, an enclosed
    /// message, text to keep, or an attachment to count.
    func walk(headers: [HeaderField], body: Range<Int>, depth: Int, defaultType: String) throws(MailError) {
        partCount += 1
        if partCount > ArchiveLimits.mimeParts { throw MailError(reason: "more than \(ArchiveLimits.mimeParts) MIME parts") }
        if depth > ArchiveLimits.mimeDepth { throw MailError(reason: "MIME nesting deeper than \(ArchiveLimits.mimeDepth)") }

        let ct = parseContentType(header(headers, .contentType), default: defaultType)
        let disposition = header(headers, .contentDisposition).map { parseContentType($0, default: "inline") }
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
                    let t = parseContentType(header(c.0, .contentType), default: childDefault).type
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

    func splitMultipart(_ body: Range<Int>, boundary: [UInt8]) -> [Range<Int>] {
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
