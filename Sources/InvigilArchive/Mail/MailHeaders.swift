/// The header section of a message or MIME part: fields with folding, up to the blank line.
extension MailParser {
    /// Header fields of the section starting at `range.lowerBound`, the start of the body, and
    /// whether the header section ended with a blank line.
    func parseHeaders(_ range: Range<Int>) throws(MailError) -> ([HeaderField], Int, Bool) {
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
            if msg[i..<lineEnd].withUnsafeBufferPointer(holdsNUL) { throw MailError(reason: "NUL byte in the headers") }
            let name = lowercasedASCII(trimmed(msg[i..<colon]))
            var vs = colon + 1
            while vs < lineEnd, msg[vs] == 0x20 || msg[vs] == 0x09 { vs += 1 }
            fields.append(HeaderField(name: name, value: vs..<lineEnd))
            i = nl + 1
        }
        return (fields, end, false)
    }

    func header(_ headers: [HeaderField], _ name: String) -> ArraySlice<UInt8>? {
        for h in headers where h.name == name { return msg[h.value] }
        return nil
    }
}
