#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a text part: the transfer encoding undone (base64, quoted-printable), the charset
/// converted to UTF-8, and line ends made LF.
extension MailParser {
    /// Decodes a text part and keeps it, as plain text or as HTML (made text at the end of `parse`).
    func addText(headers: [HeaderField], body: Range<Int>, charset: String?, html: Bool) throws(MailError) {
        var out: [UInt8] = []
        if transferEncoding(headers) == .identity {
            // Straight from the message into the charset decoder: no copy of the body first.
            out.reserveCapacity(body.count)
            msg.withUnsafeBufferPointer { m in decoder.decode(UnsafeBufferPointer(rebasing: m[body]), charset: charset, into: &out) }
        } else {
            let raw = decodeTransfer(headers: headers, body: body)
            out.reserveCapacity(raw.count)
            decoder.decode(raw, charset: charset, into: &out)
        }
        if out.withUnsafeBufferPointer({ $0.count > 0 && memchr($0.baseAddress!, 0x0D, $0.count) != nil }) {
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

    /// A part's `Content-Transfer-Encoding`.
    enum TransferEncoding { case identity, base64, quotedPrintable }

    /// The part's transfer encoding: the header's value, trimmed, starting with `base64` or
    /// `quoted-printable` (ASCII case ignored); anything else is taken as it is.
    func transferEncoding(_ headers: [HeaderField]) -> TransferEncoding {
        guard let value = header(headers, .contentTransferEncoding) else { return .identity }
        let t = trimmed(value)
        if t.allSatisfy({ $0 < 0x80 }) {
            return t.hasPrefixCI("base64") ? .base64 : t.hasPrefixCI("quoted-printable") ? .quotedPrintable : .identity
        }
        // Beyond ASCII, as a string's prefix (a combining mark after `base64` is no match).
        let cte = lowercasedASCII(t)
        return cte.hasPrefix("base64") ? .base64 : cte.hasPrefix("quoted-printable") ? .quotedPrintable : .identity
    }

    func decodeTransfer(headers: [HeaderField], body: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        switch transferEncoding(headers) {
        case .base64: decodeBase64(msg[body], into: &out)
        case .quotedPrintable: decodeQuotedPrintable(msg[body], into: &out)
        case .identity: out.append(contentsOf: msg[body])
        }
        return out
    }

    /// The ranges of the parts of a multipart body. A missing closing boundary ends the last part
}
