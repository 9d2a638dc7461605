/// A parsed `Content-Type` or `Content-Disposition`: the type, lowercased, and its parameters.
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
