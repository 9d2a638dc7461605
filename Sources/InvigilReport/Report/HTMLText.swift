/// HTML text building: escaping, and an evidence window's text with its matches marked.
enum HTMLText {
    /// Text for element content and quoted attribute values.
    static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// The masks redaction writes, shown apart from the text around them.
    static let maskLabels = ["[phone]", "[email]", "[url]", "[name]"]

    /// Escaped text with mask labels wrapped in `<span class="mask">`.
    static func escapeShowingMasks(_ s: String) -> String {
        var e = escape(s)
        guard e.contains("[") else { return e }
        for label in maskLabels where e.contains(label) {
            e = e.replacingAll(label, with: "<span class=\"mask\">\(label)</span>")
        }
        return e
    }

    /// A window's text with `<mark>` around its matches (byte ranges), and an ellipsis where the
    /// window is cut from a longer value.
    static func marked(_ text: String, _ matches: [Range<Int>], cutBefore: Bool) -> String {
        let bytes = Array(text.utf8)
        var out = cutBefore ? "…" : ""
        var at = 0
        for r in matches where r.lowerBound >= at && r.upperBound <= bytes.count && !r.isEmpty {
            out += escapeShowingMasks(String(decoding: bytes[at..<r.lowerBound], as: UTF8.self))
            out += "<mark>" + escapeShowingMasks(String(decoding: bytes[r], as: UTF8.self)) + "</mark>"
            at = r.upperBound
        }
        out += escapeShowingMasks(String(decoding: bytes[at...], as: UTF8.self))
        return out
    }
}

public extension String {
    /// Every occurrence of `target` replaced (no Foundation here).
    func replacingAll(_ target: String, with replacement: String) -> String {
        let t = Array(target.utf8), b = Array(utf8)
        guard !t.isEmpty, b.count >= t.count else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if i + t.count <= b.count, b[i] == t[0], Array(b[i..<(i + t.count)]) == t {
                out += replacement.utf8
                i += t.count
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
