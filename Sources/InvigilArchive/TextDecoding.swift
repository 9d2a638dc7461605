#if canImport(Glibc)
import Glibc
#endif

// Byte-level decoding used by the mail, CSV and chat readers: charsets to UTF-8, base64,
// quoted-printable, RFC 2047 encoded words, HTML to text. No Foundation.

@inline(__always) func lowerASCII(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }
@inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
@inline(__always) func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: return b - 0x30
    case 0x41...0x46: return b - 0x41 + 10
    case 0x61...0x66: return b - 0x61 + 10
    default: return nil
    }
}

extension Collection where Element == UInt8 {
    /// ASCII case-insensitive prefix test.
    func hasPrefixCI(_ prefix: String) -> Bool {
        var i = startIndex
        for p in prefix.utf8 {
            guard i != endIndex, lowerASCII(self[i]) == lowerASCII(p) else { return false }
            i = index(after: i)
        }
        return true
    }
    func equalsCI(_ other: String) -> Bool { count == other.utf8.count && hasPrefixCI(other) }
}

func trimmed<C: BidirectionalCollection>(_ s: C) -> C.SubSequence where C.Element == UInt8 {
    var a = s.startIndex
    var b = s.endIndex
    while a != b, isSpace(s[a]) { a = s.index(after: a) }
    while b != a, isSpace(s[s.index(before: b)]) { b = s.index(before: b) }
    return s[a..<b]
}

func lowercasedASCII<C: Collection>(_ s: C) -> String where C.Element == UInt8 {
    String(decoding: s.map(lowerASCII), as: UTF8.self)
}

/// Appends the UTF-8 encoding of a scalar.
@inline(__always) func appendScalar(_ v: UInt32, to out: inout [UInt8]) {
    if v < 0x80 {
        out.append(UInt8(v))
    } else if v < 0x800 {
        out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
    } else if v < 0x10000 {
        if v >= 0xD800 && v < 0xE000 { appendScalar(0xFFFD, to: &out); return }
        out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
    } else if v < 0x110000 {
        out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
    } else {
        appendScalar(0xFFFD, to: &out)
    }
}

/// Length of the valid UTF-8 sequence at `i`, or 0 if invalid.
@inline(__always) func utf8SequenceLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
    let c = b[i]
    if c < 0x80 { return 1 }
    let n = b.count
    if c >= 0xC2 && c <= 0xDF {
        return i + 1 < n && b[i + 1] & 0xC0 == 0x80 ? 2 : 0
    }
    if c >= 0xE0 && c <= 0xEF {
        guard i + 2 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80 else { return 0 }
        if c == 0xE0 && b[i + 1] < 0xA0 { return 0 }
        if c == 0xED && b[i + 1] >= 0xA0 { return 0 }
        return 3
    }
    if c >= 0xF0 && c <= 0xF4 {
        guard i + 3 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80, b[i + 3] & 0xC0 == 0x80 else { return 0 }
        if c == 0xF0 && b[i + 1] < 0x90 { return 0 }
        if c == 0xF4 && b[i + 1] >= 0x90 { return 0 }
        return 4
    }
    return 0
}

/// Offset of the first byte that is not valid UTF-8, or nil if all is valid.
func firstInvalidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
    var i = 0
    let n = b.count
    while i < n {
        // Fast path over ASCII, 32 bytes, then 8 bytes at a time.
        while i + 32 <= n {
            let p = UnsafeRawPointer(b.baseAddress! + i)
            let any =
                p.loadUnaligned(as: UInt64.self) | p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                | p.loadUnaligned(fromByteOffset: 16, as: UInt64.self) | p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            if any & 0x8080_8080_8080_8080 != 0 { break }
            i += 32
        }
        while i + 8 <= n {
            let w = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
            if w & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        if i >= n { break }
        let l = utf8SequenceLength(b, i)
        if l == 0 { return i }
        i += l
    }
    return nil
}

func firstInvalidUTF8<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
    if let r = bytes.withContiguousStorageIfAvailable({ firstInvalidUTF8($0) }) { return r }
    return Array(bytes).withUnsafeBufferPointer { firstInvalidUTF8($0) }
}

let windows1252High: [UInt32] = [
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178
]

/// Decodes text in a named charset to UTF-8, replacing what cannot be decoded with U+FFFD.
/// UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and Windows-1252 are decoded here; other charsets go
/// through the C library's iconv when it knows them. Keeps counts of lossy decodings in `notes`.
final class CharsetDecoder {
    enum Kind { case utf8, ascii, latin1, latin9, windows1252, iconv(String), unknown(String) }
    private var kinds: [String: Kind] = [:]
    private var converters: [String: iconv_t] = [:]
    var notes: [String: Int] = [:]

    deinit {
        for (_, cd) in converters { iconv_close(cd) }
    }

    func kind(of name: String) -> Kind {
        if let k = kinds[name] { return k }
        let k = Self.classify(name)
        kinds[name] = k
        return k
    }

    static func classify(_ raw: String) -> Kind {
        var name = raw.lowercased()
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }  // RFC 2231 language
        name = name.trimmingSpaces()
        switch name {
        case "utf-8", "utf8", "utf_8", "unicode-1-1-utf-8", "x-utf-8": return .utf8
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "7bit", "", "default", "us-ascii\"": return .ascii
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819", "ibm819", "iso-8859-1:1987":
            return .latin1
        case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin9", "latin-9", "l9": return .latin9
        case "windows-1252", "cp1252", "x-cp1252", "win-1252", "ms-ansi": return .windows1252
        case "ks_c_5601-1987", "ks_c_5601", "ksc5601", "euc-kr", "x-windows-949", "windows-949": return iconvKind(raw, "CP949")
        case "gb2312", "x-gbk", "gbk", "cp936": return iconvKind(raw, "GBK")
        case "x-sjis", "shift-jis", "sjis", "ms_kanji", "windows-31j", "cp932", "shift_jis": return iconvKind(raw, "CP932")
        case "x-unknown", "unknown", "unknown-8bit", "x-user-defined", "charset": return .unknown(name)
        default: return iconvKind(raw, name)
        }
    }

    private static func iconvKind(_ raw: String, _ name: String) -> Kind {
        let cd = iconv_open("UTF-8", name)
        if cd == iconv_t(bitPattern: -1) { return .unknown(raw.lowercased()) }
        iconv_close(cd)
        return .iconv(name)
    }

    /// Decodes `bytes` labelled `charset` (nil: unlabelled) and appends UTF-8 to `out`.
    func decode(_ bytes: UnsafeBufferPointer<UInt8>, charset: String?, into out: inout [UInt8]) {
        let k = charset.map { kind(of: $0) } ?? .ascii
        switch k {
        case .utf8:
            appendUTF8Repairing(bytes, into: &out, fallback: false, label: "utf-8")
        case .ascii:
            // Unlabelled or ASCII-labelled 8-bit text: UTF-8 if it is valid, else Windows-1252.
            appendUTF8Repairing(bytes, into: &out, fallback: true, label: "us-ascii")
        case .latin1, .windows1252:
            appendSingleByte(bytes, into: &out, latin9: false)
        case .latin9:
            appendSingleByte(bytes, into: &out, latin9: true)
        case .iconv(let name):
            convert(bytes, name: name, into: &out)
        case .unknown(let name):
            if firstInvalidUTF8(bytes) == nil {
                out.append(contentsOf: bytes)
            } else {
                notes["unknown charset '\(name)': decoded as Windows-1252", default: 0] += 1
                appendSingleByte(bytes, into: &out, latin9: false)
            }
        }
    }

    func decode(_ bytes: [UInt8], charset: String?, into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { decode($0, charset: charset, into: &out) }
    }

    private func appendUTF8Repairing(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], fallback: Bool, label: String) {
        guard let bad = firstInvalidUTF8(b) else { out.append(contentsOf: b); return }
        if !fallback { notes["invalid \(label) bytes read as Windows-1252", default: 0] += 1 }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[0..<bad]))
        var i = bad
        while i < b.count {
            let l = utf8SequenceLength(b, i)
            if l == 0 {
                // A byte that is not part of valid UTF-8 is read as Windows-1252 (the usual mislabelling).
                let c = b[i]
                appendScalar(c >= 0x80 && c < 0xA0 ? windows1252High[Int(c - 0x80)] : UInt32(c), to: &out)
                i += 1
            } else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<(i + l)]))
                i += l
            }
        }
    }

    private func appendSingleByte(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], latin9: Bool) {
        out.reserveCapacity(out.count + b.count + b.count / 4)
        for c in b {
            if c < 0x80 {
                out.append(c)
            } else if latin9 {
                let v: UInt32
                switch c {
                case 0xA4: v = 0x20AC
                case 0xA6: v = 0x0160
                case 0xA8: v = 0x0161
                case 0xB4: v = 0x017D
                case 0xB8: v = 0x017E
                case 0xBC: v = 0x0152
                case 0xBD: v = 0x0153
                case 0xBE: v = 0x0178
                default: v = UInt32(c)
                }
                appendScalar(v, to: &out)
            } else if c < 0xA0 {
                appendScalar(windows1252High[Int(c - 0x80)], to: &out)
            } else {
                out.append(0xC0 | (c >> 6))
                out.append(0x80 | (c & 0x3F))
            }
        }
    }

    private func convert(_ b: UnsafeBufferPointer<UInt8>, name: String, into out: inout [UInt8]) {
        var cd: iconv_t
        if let c = converters[name] {
            cd = c
            iconv(cd, nil, nil, nil, nil)
        } else {
            cd = iconv_open("UTF-8", name)
            if cd == iconv_t(bitPattern: -1) {
                notes["charset '\(name)' not available: decoded as Windows-1252", default: 0] += 1
                appendSingleByte(b, into: &out, latin9: false)
                return
            }
            converters[name] = cd
        }
        guard b.count > 0 else { return }
        var replaced = false
        var chunk = [UInt8](repeating: 0, count: max(256, b.count * 4))
        var inPtr = UnsafeMutablePointer<CChar>(mutating: UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: CChar.self))
        var inLeft = b.count
        while inLeft > 0 {
            let (produced, err): (Int, Int32) = chunk.withUnsafeMutableBytes { raw in
                var outPtr: UnsafeMutablePointer<CChar>? = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
                var outLeft = raw.count
                var ip: UnsafeMutablePointer<CChar>? = inPtr
                let r = iconv(cd, &ip, &inLeft, &outPtr, &outLeft)
                inPtr = ip!
                return (raw.count - outLeft, r == -1 ? errno : 0)
            }
            out.append(contentsOf: chunk[0..<produced])
            if err == 0 { break }
            if err == E2BIG { continue }
            // EILSEQ or EINVAL: replace one byte and go on.
            appendScalar(0xFFFD, to: &out)
            replaced = true
            inPtr += 1
            inLeft -= 1
            iconv(cd, nil, nil, nil, nil)
        }
        if replaced { notes["charset '\(name)': undecodable bytes replaced with U+FFFD", default: 0] += 1 }
    }
}

extension String {
    func trimmingSpaces() -> String {
        let u = Array(utf8)
        return String(decoding: trimmed(u), as: UTF8.self)
    }
}

// MARK: Transfer encodings

let base64Table: [UInt8] = {
    var t = [UInt8](repeating: 0xFF, count: 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { t[Int(c)] = UInt8(i) }
    t[Int(UInt8(ascii: "-"))] = 62  // base64url, seen in the wild
    t[Int(UInt8(ascii: "_"))] = 63
    return t
}()

/// Decodes base64, skipping line breaks and any other byte outside the alphabet; stops at `=`.
/// An incomplete final group decodes to the whole bytes it holds.
func decodeBase64<C: Collection>(_ input: C, into out: inout [UInt8]) where C.Element == UInt8 {
    var acc: UInt32 = 0
    var bits = 0
    out.reserveCapacity(out.count + input.count * 3 / 4)
    base64Table.withUnsafeBufferPointer { table in
        for c in input {
            if c == 0x3D { break }
            let v = table[Int(c)]
            if v == 0xFF { continue }
            acc = (acc << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
    }
}

/// Decodes quoted-printable (RFC 2045): `=XX`, soft line breaks `=` at the end of a line; a
/// malformed `=` is kept as it is. With `underscoreIsSpace`, the Q encoding of RFC 2047.
func decodeQuotedPrintable<C: BidirectionalCollection>(_ input: C, into out: inout [UInt8], underscoreIsSpace: Bool = false)
where C.Element == UInt8, C.Index == Int {
    if !underscoreIsSpace, input.withContiguousStorageIfAvailable({ decodeQuotedPrintableRuns($0, into: &out) }) != nil { return }
    decodeQuotedPrintableByBytes(input, into: &out, underscoreIsSpace: underscoreIsSpace)
}

/// Quoted-printable body text as runs: `memchr` finds the next `=`, and the bytes before it are
/// appended at once rather than byte by byte (a mail body has an `=` every 70 bytes at most
/// once, for its soft line break). Gives `decodeQuotedPrintableByBytes`'s output (a test
/// compares the two on generated text).
func decodeQuotedPrintableRuns(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
    guard let base = b.baseAddress else { return }
    let e = b.count
    out.reserveCapacity(out.count + e)
    var i = 0
    while i < e {
        guard let found = memchr(base + i, 0x3D, e - i) else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<e]))
            return
        }
        let k = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<k]))
        if k + 2 < e, let h = hexValue(b[k + 1]), let l = hexValue(b[k + 2]) {
            out.append(h << 4 | l)
            i = k + 3
            continue
        }
        // Soft line break: "=" then optional spaces then LF or CRLF (or end of input).
        var j = k + 1
        while j < e, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
        if j == e { return }
        if b[j] == 0x0A {
            i = j + 1
            continue
        }
        if b[j] == 0x0D, j + 1 < e, b[j + 1] == 0x0A {
            i = j + 2
            continue
        }
        out.append(0x3D)
        i = k + 1
    }
}

/// The byte-at-a-time decoder behind `decodeQuotedPrintable`: the Q encoding of header words,
/// input without contiguous storage, and the tests' reference.
func decodeQuotedPrintableByBytes<C: BidirectionalCollection>(_ input: C, into out: inout [UInt8], underscoreIsSpace: Bool = false)
where C.Element == UInt8, C.Index == Int {
    var i = input.startIndex
    let e = input.endIndex
    out.reserveCapacity(out.count + input.count)
    while i < e {
        let c = input[i]
        if c == 0x3D {
            if i + 2 < e, let h = hexValue(input[i + 1]), let l = hexValue(input[i + 2]) {
                out.append(h << 4 | l)
                i += 3
                continue
            }
            // Soft line break: "=" then optional spaces then LF or CRLF (or end of input).
            var j = i + 1
            while j < e, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
            if j == e { i = e; continue }
            if input[j] == 0x0A { i = j + 1; continue }
            if input[j] == 0x0D, j + 1 < e, input[j + 1] == 0x0A { i = j + 2; continue }
            out.append(c)
            i += 1
        } else if c == 0x5F && underscoreIsSpace {
            out.append(0x20)
            i += 1
        } else {
            out.append(c)
            i += 1
        }
    }
}

// MARK: RFC 2047 encoded words

/// Decodes a header value: RFC 2047 encoded words (`=?charset?B?...?=`, `=?charset?Q?...?=`) to
/// UTF-8, whitespace between adjacent encoded words dropped; raw 8-bit bytes decoded as UTF-8 or,
/// failing that, Windows-1252. Folding line breaks become spaces.
func decodeHeaderValue(_ value: ArraySlice<UInt8>, decoder: CharsetDecoder) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(value.count)
    // Most values (a subject line) hold no encoded word, folding or tab: they are one literal,
    // decoded where it lies rather than copied to be cleaned first.
    let plain = value.withUnsafeBufferPointer { b -> Bool in
        for k in 0..<b.count {
            switch b[k] {
            case 0x0A, 0x0D, 0x09: return false
            case 0x3D where k + 1 < b.count && b[k + 1] == 0x3F: return false
            default: continue
            }
        }
        return true
    }
    if plain {
        value.withUnsafeBufferPointer { decoder.decode($0, charset: nil, into: &out) }
        return out
    }
    return decodeHeaderValueInFull(value, decoder: decoder)
}

/// The general reader behind `decodeHeaderValue`, for values with encoded words, folding or tabs
/// (`HeaderValueTests` checks that the plain path gives its answer).
func decodeHeaderValueInFull(_ value: ArraySlice<UInt8>, decoder: CharsetDecoder) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(value.count)
    var i = value.startIndex
    let e = value.endIndex
    var literalStart = i
    var lastWasEncoded = false
    var pending: [UInt8] = []  // bytes of adjacent encoded words in one charset
    var pendingCharset: String? = nil

    func flushPending() {
        if let cs = pendingCharset {
            decoder.decode(pending, charset: cs, into: &out)
            pending.removeAll(keepingCapacity: true)
            pendingCharset = nil
        }
    }
    func appendLiteral(_ s: ArraySlice<UInt8>) {
        guard !s.isEmpty else { return }
        var cleaned: [UInt8] = []
        cleaned.reserveCapacity(s.count)
        for c in s {
            if c == 0x0D { continue }
            cleaned.append(c == 0x0A || c == 0x09 ? 0x20 : c)
        }
        decoder.decode(cleaned, charset: nil, into: &out)
    }

    while i < e {
        if value[i] == 0x3D, i + 1 < e, value[i + 1] == 0x3F, let word = parseEncodedWord(value, at: i) {
            let between = value[literalStart..<i]
            if !(lastWasEncoded && between.allSatisfy(isSpace)) {
                flushPending()
                appendLiteral(between)
            }
            var bytes: [UInt8] = []
            if word.base64 { decodeBase64(word.text, into: &bytes) } else { decodeQuotedPrintable(word.text, into: &bytes, underscoreIsSpace: true) }
            if pendingCharset != word.charset { flushPending() }
            pendingCharset = word.charset
            pending.append(contentsOf: bytes)
            i = word.end
            literalStart = i
            lastWasEncoded = true
        } else {
            if !isSpace(value[i]) { lastWasEncoded = false }
            i += 1
        }
    }
    flushPending()
    appendLiteral(value[literalStart..<e])
    return out
}

private func parseEncodedWord(_ v: ArraySlice<UInt8>, at start: Int) -> (charset: String, base64: Bool, text: ArraySlice<UInt8>, end: Int)? {
    // =?charset?X?text?=
    var i = start + 2
    let e = v.endIndex
    let csStart = i
    while i < e, v[i] != 0x3F, !isSpace(v[i]) { i += 1 }
    guard i < e, v[i] == 0x3F, i > csStart, i + 2 < e, v[i + 2] == 0x3F else { return nil }
    let charset = String(decoding: v[csStart..<i], as: UTF8.self)
    let enc = lowerASCII(v[i + 1])
    guard enc == 0x62 || enc == 0x71 else { return nil }
    i += 3
    let textStart = i
    while i + 1 < e, !(v[i] == 0x3F && v[i + 1] == 0x3D) {
        if v[i] == 0x0A { return nil }
        i += 1
    }
    guard i + 1 < e else { return nil }
    return (charset, enc == 0x62, v[textStart..<i], i + 2)
}

// MARK: HTML to text

private let blockTags: Set<String> = [
    "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr", "title", "dd", "dt", "section",
    "article", "header", "footer"
]

private let namedEntities: [String: UInt32] = [
    "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "nbsp": 0xA0, "copy": 0xA9, "reg": 0xAE,
    "trade": 0x2122, "hellip": 0x2026, "mdash": 0x2014, "ndash": 0x2013, "lsquo": 0x2018, "rsquo": 0x2019,
    "ldquo": 0x201C, "rdquo": 0x201D, "pound": 0xA3, "euro": 0x20AC, "bull": 0x2022, "middot": 0xB7,
    "eacute": 0xE9, "egrave": 0xE8, "aacute": 0xE1, "agrave": 0xE0, "ccedil": 0xE7, "ouml": 0xF6, "uuml": 0xFC,
    "auml": 0xE4, "szlig": 0xDF, "laquo": 0xAB, "raquo": 0xBB, "deg": 0xB0, "times": 0xD7
]

/// Reduces HTML (UTF-8) to text: tags removed, `script` and `style` content and comments dropped,
/// block elements become line breaks, character references decoded, runs of blank lines collapsed.
func htmlToText(_ html: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(html.count / 2)
    var i = 0
    let n = html.count
    func newline() {
        if let last = out.last, last != 0x0A { out.append(0x0A) }
    }
    while i < n {
        let c = html[i]
        if c == 0x3C {  // <
            if i + 3 < n, html[i + 1] == 0x21, html[i + 2] == 0x2D, html[i + 3] == 0x2D {
                // comment
                var j = i + 4
                while j + 2 < n, !(html[j] == 0x2D && html[j + 1] == 0x2D && html[j + 2] == 0x3E) { j += 1 }
                i = min(n, j + 3)
                continue
            }
            var j = i + 1
            var closing = false
            if j < n, html[j] == 0x2F { closing = true; j += 1 }
            let nameStart = j
            while j < n, (html[j] >= 0x41 && html[j] <= 0x5A) || (html[j] >= 0x61 && html[j] <= 0x7A) || (html[j] >= 0x30 && html[j] <= 0x39) {
                j += 1
            }
            if j == nameStart && !(j < n && (html[j] == 0x21 || html[j] == 0x3F)) {
                out.append(c)  // a lone "<"
                i += 1
                continue
            }
            let name = lowercasedASCII(html[nameStart..<j])
            // Skip to the end of the tag, honouring quoted attribute values.
            var quote: UInt8 = 0
            while j < n {
                let d = html[j]
                if quote != 0 { if d == quote { quote = 0 } } else if d == 0x22 || d == 0x27 { quote = d } else if d == 0x3E { break }
                j += 1
            }
            i = min(n, j + 1)
            if !closing && (name == "script" || name == "style") {
                // Drop until </name
                let endTag = Array("</\(name)".utf8)
                var k = i
                while k + endTag.count <= n {
                    if html[k] == 0x3C, html[k..<(k + endTag.count)].elementsEqual(endTag, by: { lowerASCII($0) == $1 }) { break }
                    k += 1
                }
                i = k
                continue
            }
            if blockTags.contains(name) { newline() }
            continue
        }
        if c == 0x26 {  // &
            var j = i + 1
            while j < n, j - i <= 10, html[j] != 0x3B, !isSpace(html[j]), html[j] != 0x26 { j += 1 }
            if j < n, html[j] == 0x3B, j > i + 1 {
                let ref = html[(i + 1)..<j]
                var scalar: UInt32? = nil
                if ref.first == 0x23 {
                    let digits = ref.dropFirst()
                    if digits.first == 0x78 || digits.first == 0x58 {
                        scalar = UInt32(String(decoding: digits.dropFirst(), as: UTF8.self), radix: 16)
                    } else {
                        scalar = UInt32(String(decoding: digits, as: UTF8.self))
                    }
                } else {
                    scalar = namedEntities[String(decoding: ref, as: UTF8.self)]
                }
                if let s = scalar {
                    appendScalar(s == 0xA0 ? 0x20 : s, to: &out)
                    i = j + 1
                    continue
                }
            }
            out.append(c)
            i += 1
            continue
        }
        if c == 0x0D { i += 1; continue }
        if c == 0x0A || c == 0x09 || c == 0x20 {
            // Collapse whitespace as a browser would.
            if let last = out.last, last != 0x20, last != 0x0A { out.append(0x20) }
            i += 1
            continue
        }
        out.append(c)
        i += 1
    }
    // Trim spaces at line starts and trailing whitespace.
    var cleaned: [UInt8] = []
    cleaned.reserveCapacity(out.count)
    var atLineStart = true
    var blank = 0
    for c in out {
        if c == 0x0A {
            while cleaned.last == 0x20 { cleaned.removeLast() }
            blank += 1
            if blank <= 2, !cleaned.isEmpty { cleaned.append(c) }
            atLineStart = true
            continue
        }
        if atLineStart && c == 0x20 { continue }
        atLineStart = false
        blank = 0
        cleaned.append(c)
    }
    while let last = cleaned.last, isSpace(last) { cleaned.removeLast() }
    return cleaned
}
