/// The bytes of a text part: the transfer encoding undone (base64, quoted-printable), the charset
/// converted to UTF-8, and line ends made LF.
extension MailParser {
    /// Decodes a text part and keeps it, as plain text or as HTML (made text at the end of `parse`).
    func addText(headers: [HeaderField], body: Range<Int>, charset: String?, html: Bool) throws(MailError) {
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

    func decodeTransfer(headers: [HeaderField], body: Range<Int>) -> [UInt8] {
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
}
