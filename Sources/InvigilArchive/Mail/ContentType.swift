/// A parsed `Content-Type` or `Content-Disposition`: the type, lowercased, and its parameters.
struct ContentType: Equatable {
    var type: String
    var params: ContentParameters
}

/// The parameters of a content type, by lowercased name. A header has a handful at most, so
/// they are a list searched in order rather than a dictionary (no hashing per part).
struct ContentParameters: Equatable, ExpressibleByDictionaryLiteral {
    private var entries: [Entry] = []

    private struct Entry: Equatable {
        var key: String
        var value: String
    }

    init(dictionaryLiteral elements: (String, String)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// The value of the parameter `key`; setting nil removes it.
    subscript(key: String) -> String? {
        get {
            for e in entries where e.key == key { return e.value }
            return nil
        }
        set {
            if let k = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[k].value = newValue } else { entries.remove(at: k) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    /// The parameters as a dictionary (for tests: equal parameters, whatever their order).
    var dictionary: [String: String] {
        var d: [String: String] = [:]
        for e in entries { d[e.key] = e.value }
        return d
    }

    static func == (a: ContentParameters, b: ContentParameters) -> Bool { a.dictionary == b.dictionary }
}

/// Parses `type/subtype; name=value; name="quoted"` (also RFC 2231 `name*=charset''%XX` and
/// continuations `name*0=`). The type is lowercased; a missing or malformed type gives `default`.
/// Nearly every header is plain (`text/plain; charset=utf-8`) and is read by
/// `parsePlainContentType`; the rest by `parseContentTypeInFull`.
func parseContentType(_ raw: ArraySlice<UInt8>?, default def: String) -> ContentType {
    guard let raw else { return ContentType(type: def, params: [:]) }
    if let plain = parsePlainContentType(raw, default: def) { return plain }
    return parseContentTypeInFull(raw, default: def)
}

/// The general parser behind `parseContentType`, for the headers the plain path declines.
func parseContentTypeInFull(_ raw: ArraySlice<UInt8>, default def: String) -> ContentType {
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
    var params: ContentParameters = [:]
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

/// A content type in printable ASCII without folding, quotes in the type, escapes, apostrophes,
/// RFC 2231 parameters (`*`) or encoded words in file names, read in one pass without copies:
/// where it answers, it gives `parseContentTypeInFull`'s answer (`ContentTypeTests` compares the
/// two on generated headers). Nil for anything else. The full parser filtered, lowercased and
/// re-filtered the type and hashed every parameter into a dictionary, a sixth of the mail
/// parser's time.
func parsePlainContentType(_ raw: ArraySlice<UInt8>, default def: String) -> ContentType? {
    raw.withUnsafeBufferPointer { s -> ContentType? in
        let n = s.count
        for k in 0..<n {
            let c = s[k]
            // ' * \ and anything outside printable ASCII (tabs and folding too) go to the full parser.
            guard c >= 0x20, c <= 0x7E, c != 0x27, c != 0x2A, c != 0x5C else { return nil }
        }
        var i = 0
        while i < n, s[i] == 0x20 { i += 1 }
        let ts = i
        var slash = false
        while i < n, s[i] != 0x3B {
            if s[i] == 0x22 { return nil }  // a quote in the type
            if s[i] == 0x2F { slash = true }
            i += 1
        }
        var type = lowercasedASCIIString(trimmedSpaces(s, ts, i))
        if type.isEmpty || (!slash && type != "attachment" && type != "inline") { type = def }
        var params: ContentParameters = [:]
        while i < n {
            i += 1  // skip ';'
            while i < n, s[i] == 0x20 || s[i] == 0x3B { i += 1 }
            let ks = i
            while i < n, s[i] != 0x3D, s[i] != 0x3B { i += 1 }
            let keyBytes = trimmedSpaces(s, ks, i)
            guard i < n, s[i] == 0x3D else { continue }
            i += 1
            while i < n, s[i] == 0x20 { i += 1 }
            let value: UnsafeBufferPointer<UInt8>
            if i < n, s[i] == 0x22 {
                i += 1
                let vs = i
                while i < n, s[i] != 0x22 { i += 1 }
                value = UnsafeBufferPointer(rebasing: s[vs..<i])
                while i < n, s[i] != 0x3B { i += 1 }
            } else {
                let vs = i
                while i < n, s[i] != 0x3B { i += 1 }
                value = trimmedSpaces(s, vs, i)
            }
            let key = lowercasedASCIIString(keyBytes)
            guard params[key] == nil else { continue }
            if key == "name" || key == "filename", value.contains(0x3F), value.contains(0x3D) { return nil }  // encoded words
            params[key] = String(decoding: value, as: UTF8.self)
        }
        return ContentType(type: type, params: params)
    }
}

/// `s[from..<to]` without the spaces at either end.
@inline(__always) private func trimmedSpaces(_ s: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> UnsafeBufferPointer<UInt8> {
    var a = from
    var b = to
    while a < b, s[a] == 0x20 { a += 1 }
    while b > a, s[b - 1] == 0x20 { b -= 1 }
    return UnsafeBufferPointer(rebasing: s[a..<b])
}

/// The bytes, ASCII letters lowercased, as a string (no intermediate array).
func lowercasedASCIIString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    String(unsafeUninitializedCapacity: bytes.count) { out in
        for k in 0..<bytes.count { out[k] = lowerASCII(bytes[k]) }
        return bytes.count
    }
}
