#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// Normalisation modes for phrase lists (`normalize:` in a `phrases` block). Each mode maps both
/// the phrases and the scanned text, so a match means "equal after normalisation"; offsets always
/// point into the original text.
package struct NormalizeMode: OptionSet, Hashable, Sendable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Unicode case folding, diacritics removed, compatibility forms folded (fullwidth, ligatures,
    /// superscripts, mathematical letters), zero-width and format characters dropped.
    package static let caseless = NormalizeMode(rawValue: 1)
    /// Cyrillic, Greek, Armenian and Cherokee look-alikes of Latin letters mapped to them.
    package static let confusables = NormalizeMode(rawValue: 2)
    /// Leetspeak: 0→o, 1 l i ! |→i, 3→e, 4 @→a, 5 $→s, 7→t, on both sides.
    package static let leet = NormalizeMode(rawValue: 4)
    /// Separators (space, `.`, `-`, `_`, `*`) dropped and repeated letters collapsed, on both sides.
    package static let spaced = NormalizeMode(rawValue: 8)

    package static let names: [(String, NormalizeMode)] = [
        ("caseless", .caseless), ("confusables", .confusables), ("leet", .leet), ("spaced", .spaced)
    ]

    package var description: String {
        let parts = NormalizeMode.names.filter { contains($0.1) }.map(\.0)
        return parts.isEmpty ? "plain" : parts.joined(separator: " ")
    }
}

/// The text normaliser. Output bytes carry the original span of the character that produced them.
enum Normalizer {
    /// scalar → replacement (UTF-8), from the generated fold table.
    static let fold: [UInt32: [UInt8]] = foldTable(parsing: foldTableSource)

    /// The fold table of `source`: entries `HEX=replacement` separated by U+0001, read as bytes
    /// (splitting the string by characters compared graphemes, and was a tenth of a rule set's
    /// load: the first non-ASCII phrase builds the table). An entry without a hexadecimal scalar
    /// before its `=` is skipped.
    static func foldTable(parsing source: String) -> [UInt32: [UInt8]] {
        var table: [UInt32: [UInt8]] = [:]
        var text = source
        text.withUTF8 { bytes in
            table.reserveCapacity(bytes.count / 8)
            var i = 0
            let n = bytes.count
            while i < n {
                var scalar: UInt32 = 0
                var valid = true
                var digits = 0
                while i < n, bytes[i] != 0x3D, bytes[i] != 0x01 {
                    let b = bytes[i] | 0x20
                    switch b {
                    case 0x30...0x39: scalar = scalar &<< 4 | UInt32(b - 0x30)
                    case 0x61...0x66: scalar = scalar &<< 4 | UInt32(b - 0x61 + 10)
                    default: valid = false
                    }
                    digits += 1
                    i += 1
                }
                let hasReplacement = i < n && bytes[i] == 0x3D
                if hasReplacement { i += 1 }
                let start = i
                while i < n, bytes[i] != 0x01 { i += 1 }
                if hasReplacement && valid && digits > 0 && digits <= 8 {
                    table[scalar] = Array(UnsafeBufferPointer(rebasing: bytes[start..<i]))
                }
                i += 1
            }
        }
        return table
    }

    /// Look-alikes of Latin letters, checked against the Latin-target prototypes of Unicode's
    /// confusables data (UTS #39, confusables.txt); applied before case folding so capitals map
    /// to capitals.
    static let confusable: [UInt32: UInt8] = {
        let pairs: [(String, String)] = [
            // Cyrillic capitals and small letters
            ("АВЕЅІЈКМНОРСТХУԌԚԜ", "ABESIJKMHOPCTXYGQW"),
            ("аеоіјрсхуѕԁԛԝһӏьѵгпк", "aeoijpcxysdqwhlbvrnk"),
            ("вмнт", "bmht"),
            // Greek
            ("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"),
            ("αοιονρτυχκγεω", "aoiovptuxkyew"),
            // Armenian, Cherokee, Latin look-alikes
            ("օսհոցզ", "ouhngq"),
            ("ᎪᏴᏟᎬᎻᎫᏦᏞᎷᏢᏚᎢᏔ", "ABCEHJKLMPSTW"),
            ("ıɑɡɩℓⅼⅰⅴⅹ", "iagilliivx")
        ]
        var table: [UInt32: UInt8] = [:]
        for (from, to) in pairs {
            for (a, b) in zip(from.unicodeScalars, to.utf8) { table[a.value] = b }
        }
        return table
    }()

    @inline(__always) static func isDropped(_ s: UInt32) -> Bool {
        (s >= 0x200B && s <= 0x200F) || s == 0x2060 || s == 0xFEFF || s == 0x00AD || (s >= 0x2061 && s <= 0x2064)
            || (s >= 0x0300 && s <= 0x036F)  // combining diacritical marks
    }

    @inline(__always) static func leet(_ b: UInt8) -> UInt8 {
        switch b {
        case 0x30: return 0x6F  // 0 → o
        case 0x31, 0x6C, 0x21, 0x7C: return 0x69  // 1 l ! | → i
        case 0x33: return 0x65  // 3 → e
        case 0x34, 0x40: return 0x61  // 4 @ → a
        case 0x35, 0x24: return 0x73  // 5 $ → s
        case 0x37: return 0x74  // 7 → t
        default: return b
        }
    }

    @inline(__always) static func isSeparator(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x2E || b == 0x2D || b == 0x5F || b == 0x2A
    }

    /// Normalises `text`. `out` receives the normalised bytes and `origin` one entry per output
    /// byte: the start and end of the original character it came from (of its first run, when
    /// `spaced` collapsed repetitions into it: x, y), then the start and end of its last
    /// repetition (z, w).
    /// Without `trackOrigin`, `origin` is left empty: the scanner first normalises without it and
    /// normalises again with it only for a value that has hits (most have none).
    static func normalize(
        _ text: UnsafeBufferPointer<UInt8>, mode: NormalizeMode,
        into out: inout [UInt8], origin: inout [SIMD4<Int32>], trackOrigin: Bool = true
    ) {
        out.removeAll(keepingCapacity: true)
        origin.removeAll(keepingCapacity: true)
        out.reserveCapacity(text.count)
        if trackOrigin { origin.reserveCapacity(text.count) }
        var separatorSinceLast = false
        _ = normalize(
            text, from: 0, upTo: text.count, mode: mode, into: &out, origin: &origin,
            trackOrigin: trackOrigin, separatorSinceLast: &separatorSinceLast)
    }

    /// The resumable core of `normalize`: normalises the scalars of `text` that start in
    /// `from..<upTo` (a scalar that starts before `upTo` is read whole), appending to `out` and
    /// `origin`, and returns where it stopped. Called on consecutive ranges with the same `out`,
    /// `origin` (of which only the last byte and the last entry are read back, so a caller may
    /// drop older entries between calls) and `separatorSinceLast`, it writes what one call over
    /// the whole text writes. `OriginWindow` uses it to produce origins a window at a time.
    ///
    /// With `asciiRuns` (the default), runs of ASCII bytes with origins are written by
    /// `appendASCIIRun`, through raw memory; without, byte by byte like other characters (the
    /// tests' reference for the runs).
    static func normalize(
        _ text: UnsafeBufferPointer<UInt8>, from: Int, upTo: Int, mode: NormalizeMode,
        into out: inout [UInt8], origin: inout [SIMD4<Int32>], trackOrigin: Bool,
        separatorSinceLast: inout Bool, asciiRuns: Bool = true
    ) -> Int {
        let n = text.count
        let stop = min(upTo, n)
        var i = from
        var replacement: [UInt8] = []
        @inline(__always) func emit(_ b0: UInt8, _ start: Int, _ end: Int) {
            var b = b0 >= 0x41 && b0 <= 0x5A ? b0 | 0x20 : b0
            if mode.contains(.spaced) {
                // Separators are tested before leet mapping, so that "!" and "|" inside words
                // still map while "." and "-" between letters are dropped.
                if isSeparator(b) { separatorSinceLast = true; return }
                if mode.contains(.leet) { b = leet(b) }
                // Repeated letters collapse, on both sides alike, also across separators
                // ("whatsapp", "w h a t s a p p" and "whats app" all become "whatsap"). The output
                // byte remembers both its first run and its last repetition, so a match can start
                // at the later one ("aight text me") or end at the earlier one ("heyyy you").
                if let last = out.last, last == b, b >= 0x61 && b <= 0x7A {
                    guard trackOrigin else { separatorSinceLast = false; return }
                    let k = origin.count - 1
                    if separatorSinceLast {
                        origin[k].z = Int32(start)
                        origin[k].w = Int32(end)
                    } else {
                        if origin[k].z == origin[k].x { origin[k].y = Int32(end) }
                        origin[k].w = Int32(end)
                    }
                    separatorSinceLast = false
                    return
                }
                separatorSinceLast = false
            } else if mode.contains(.leet) {
                b = leet(b)
            }
            out.append(b)
            if trackOrigin { origin.append(SIMD4(Int32(start), Int32(end), Int32(start), Int32(end))) }
        }
        while i < stop {
            let b = text[i]
            if b < 0x80 && trackOrigin && asciiRuns {
                var runEnd = i + 1
                while runEnd < stop && text[runEnd] < 0x80 { runEnd += 1 }
                appendASCIIRun(text, from: i, to: runEnd, mode: mode, into: &out, origin: &origin, separatorSinceLast: &separatorSinceLast)
                i = runEnd
                continue
            }
            if b < 0x80 {
                emit(b, i, i + 1)
                i += 1
                continue
            }
            // Decode one scalar (the text is valid UTF-8: the scanner validates it).
            var scalar: UInt32 = 0
            var length = 1
            if b >= 0xF0, i + 3 < n {
                scalar = UInt32(b & 0x07) << 18 | UInt32(text[i + 1] & 0x3F) << 12 | UInt32(text[i + 2] & 0x3F) << 6 | UInt32(text[i + 3] & 0x3F)
                length = 4
            } else if b >= 0xE0, i + 2 < n {
                scalar = UInt32(b & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F)
                length = 3
            } else if b >= 0xC0, i + 1 < n {
                scalar = UInt32(b & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F)
                length = 2
            } else {
                emit(b, i, i + 1)
                i += 1
                continue
            }
            let end = i + length
            if isDropped(scalar) {
                // A dropped character extends the previous output's span, so offsets stay contiguous.
                if trackOrigin && !origin.isEmpty {
                    let k = origin.count - 1
                    if origin[k].z == origin[k].x { origin[k].y = Int32(end) }
                    origin[k].w = Int32(end)
                }
                i = end
                continue
            }
            if mode.contains(.confusables), let latin = confusable[scalar] {
                emit(latin, i, end)
                i = end
                continue
            }
            if let mapped = fold[scalar] {
                replacement = mapped
                // A folded form may itself be a look-alike (Cyrillic capital → small → Latin).
                if mode.contains(.confusables), let s = String(decoding: mapped, as: UTF8.self).unicodeScalars.first,
                    mapped.count == UTF8.width(s), let latin = confusable[s.value]
                {
                    emit(latin, i, end)
                } else {
                    for r in replacement { emit(r, i, end) }
                }
            } else {
                for k in i..<end { emit(text[k], i, end) }
            }
            i = end
        }
        return i
    }

    /// What `normalize` writes with origins for the ASCII bytes `from..<to`, written through raw
    /// memory: appending byte by byte to two arrays checked each array's uniqueness and capacity
    /// per byte, which was most of the time of making a value's origins.
    static func appendASCIIRun(
        _ text: UnsafeBufferPointer<UInt8>, from: Int, to: Int, mode: NormalizeMode,
        into out: inout [UInt8], origin: inout [SIMD4<Int32>], separatorSinceLast: inout Bool
    ) {
        let first = out.count
        // At most one output per input byte: make room, write, then drop what was not written.
        out.append(contentsOf: repeatElement(0, count: to - from))
        origin.append(contentsOf: repeatElement(.zero, count: to - from))
        var separator = separatorSinceLast
        let k = out.withUnsafeMutableBufferPointer { o in
            origin.withUnsafeMutableBufferPointer { g in
                writeASCIIRun(
                    text, from: from, to: to, mode: mode, out: o.baseAddress!, origin: g.baseAddress!, count: first,
                    separatorSinceLast: &separator)
            }
        }
        separatorSinceLast = separator
        out.removeLast(out.count - k)
        origin.removeLast(origin.count - k)
    }

    /// The loop of `appendASCIIRun` on raw memory, for callers that keep room of their own
    /// (`OriginWindow` grows its buffers only past their largest size, where an append of zeros
    /// per step cost as much as the loop). `out` and `origin` hold `count` entries so far (the
    /// last may be widened by a repetition) and room for `to - from` more; returns the new count.
    static func writeASCIIRun(
        _ text: UnsafeBufferPointer<UInt8>, from: Int, to: Int, mode: NormalizeMode,
        out o: UnsafeMutablePointer<UInt8>, origin g: UnsafeMutablePointer<SIMD4<Int32>>, count: Int,
        separatorSinceLast: inout Bool
    ) -> Int {
        let spaced = mode.contains(.spaced), useLeet = mode.contains(.leet)
        guard from < to, let t = text.baseAddress else { return count }
        var k = count
        var separator = separatorSinceLast
        // Offsets fit in 32 bits (a value is at most `Limits.eventBytes`), so they are truncated
        // rather than checked: a checked conversion per byte, and the loop's other checks, made
        // this loop 70 instructions a byte.
        let map = asciiMap(leet: useLeet)
        if !spaced {
            for i in from..<to {
                let p = Int32(truncatingIfNeeded: i)
                o[k] = map[Int(t[i])]
                g[k] = SIMD4(p, p &+ 1, p, p &+ 1)
                k &+= 1
            }
            return k  // `separator` is unchanged without `spaced`
        }
        for i in from..<to {
            let raw = t[i]
            let p = Int32(truncatingIfNeeded: i)
            // As in `normalize`: separators are tested after case folding (which leaves them
            // alone) and before leet mapping.
            if isSeparator(raw) {
                separator = true
                continue
            }
            let b = map[Int(raw)]
            if k > 0, isSpacedRepetition(b, of: o[k &- 1]) {
                widenSpacedOrigin(&g[k &- 1], at: p, afterSeparator: separator)
                separator = false
                continue
            }
            separator = false
            o[k] = b
            g[k] = SIMD4(p, p &+ 1, p, p &+ 1)
            k &+= 1
        }
        separatorSinceLast = separator
        return k
    }

    /// The two rules of `spaced` over ASCII text, in one place for `writeASCIIRun` and
    /// `SpacedASCIIOrigins`, which must agree byte for byte.
    ///
    /// Whether byte `b` (mapped) repeats the byte kept before it, `previous`, and is dropped: a
    /// letter equal to it ("s e e x" reads as "sex", as does "s  e x").
    @inline(__always) static func isSpacedRepetition(_ b: UInt8, of previous: UInt8) -> Bool {
        b == previous && b &- 0x61 < 26
    }

    /// Widens the origin entry of a kept byte by a dropped repetition at text offset `p`: one
    /// after separators moves the entry's last run there; one right after the byte before it
    /// widens the last run, and the first run too while the two are the same.
    @inline(__always) static func widenSpacedOrigin(_ entry: inout SIMD4<Int32>, at p: Int32, afterSeparator: Bool) {
        if afterSeparator {
            entry.z = p
        } else if entry.z == entry.x {
            entry.y = p &+ 1
        }
        entry.w = p &+ 1
    }

    /// ASCII text under modes without `spaced`: one output byte per input byte (case folded, then
    /// leet-mapped under `leet`), so the origin of output byte k is input byte k and is not stored.
    static func normalizeASCIIInPlace(_ text: UnsafeBufferPointer<UInt8>, leet useLeet: Bool, into out: inout [UInt8]) {
        let n = text.count
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: repeatElement(0, count: n))
        let map = asciiMap(leet: useLeet)
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<n { o[i] = map[Int(text[i])] }
        }
    }

    /// ASCII case folding, and folding then leet mapping, as 256-byte tables (bytes from 0x80 map
    /// to themselves; the ASCII paths only see ASCII).
    static let foldTable: [UInt8] = (0...255).map { b in UInt8(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
    static let leetFoldTable: [UInt8] = foldTable.map { $0 < 0x80 ? leet($0) : $0 }

    /// `foldTable` and `leetFoldTable` in memory of their own, never freed. The scan paths read
    /// the tables through these pointers: each read of a global array retained and released
    /// it, so every scanning thread wrote the same reference count, for every value.
    nonisolated(unsafe) static let foldBytes = UnsafePointer(foldTable.allocatedCopy())
    nonisolated(unsafe) static let leetFoldBytes = UnsafePointer(leetFoldTable.allocatedCopy())

    @inline(__always) static func asciiMap(leet: Bool) -> UnsafePointer<UInt8> { leet ? leetFoldBytes : foldBytes }

    /// ASCII text under `spaced` (and `leet` if asked), without origins: what `normalize` writes
    /// for it with `trackOrigin: false`, in one pass over raw memory. The scanner's first pass;
    /// a value with hits is normalised again by `normalize` to get the origins.
    static func normalizeASCIISpaced(_ text: UnsafeBufferPointer<UInt8>, leet useLeet: Bool, into out: inout [UInt8]) {
        let written = normalizeASCIISpaced(text, leet: useLeet, keepingRoomIn: &out)
        out.removeLast(out.count - written)
    }

    /// `normalizeASCIISpaced` into the first bytes of `out`, returning how many: `out` keeps its
    /// count past them (its largest so far), so that the next value's room need not be added
    /// again. The scanner's pass scans `out[..<written]`; trimming `out` each time made the next
    /// value append zeros to make room (10,394 appends on the 8 MB benchmark slice).
    static func normalizeASCIISpaced(_ text: UnsafeBufferPointer<UInt8>, leet useLeet: Bool, keepingRoomIn out: inout [UInt8]) -> Int {
        #if canImport(InvigilSIMD)
        if asciiSpacedKernel, let base = text.baseAddress {
            // Sixteen bytes at a time (InvigilSIMD/spaced.c); the loop below is its reference.
            let n = text.count
            // The kernel overwrites from the start and writes up to 32 bytes past what it keeps.
            if out.count < n + 32 { out.append(contentsOf: repeatElement(0, count: n + 32 - out.count)) }
            let map = asciiMap(leet: useLeet)
            return out.withUnsafeMutableBufferPointer { Int(ivg_ascii_spaced(base, n, map, $0.baseAddress!)) }
        }
        #endif
        normalizeASCIISpacedByByte(text, leet: useLeet, into: &out)
        return out.count
    }

    #if canImport(InvigilSIMD)
    /// Whether the CPU runs the vector kernel of `normalizeASCIISpaced`.
    static let asciiSpacedKernel = ivg_ascii_spaced_available() != 0
    #endif

    /// `normalizeASCIISpaced` a byte at a time: where the vector kernel cannot run, and its
    /// reference in the tests.
    static func normalizeASCIISpacedByByte(_ text: UnsafeBufferPointer<UInt8>, leet useLeet: Bool, into out: inout [UInt8]) {
        let n = text.count
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: repeatElement(0, count: n))
        // Branch-free: every byte is written at `count`, and `count` moves on only for a byte that
        // is kept (not a separator, not a letter repeating the last kept byte). Separators come
        // every few bytes in prose, so a branch per byte mispredicted often enough to make this
        // loop a few per cent of a whole scan.
        let written = (useLeet ? spacedLeetTable : spacedTable).withUnsafeBufferPointer { table in
            out.withUnsafeMutableBufferPointer { o -> Int in
                var count = 0
                var last: UInt16 = 0x100  // no byte: nothing repeats at the start
                for i in 0..<n {
                    let entry = table[Int(text[i])]
                    let b = entry & 0xFF
                    // Bits, not `&&`: the short-circuit compiles to branches again.
                    let same: UInt16 = b == last ? 1 : 0
                    let dropped = (entry >> 8) & 1 | (entry >> 9) & same
                    o[count] = UInt8(truncatingIfNeeded: b)
                    count &+= Int(1 &- dropped)
                    last = dropped == 0 ? b : last
                }
                return count
            }
        }
        out.removeLast(n - written)
    }

    /// Per byte, for `normalizeASCIISpaced`: the folded (and leet-mapped) byte in the low 8 bits,
    /// `spacedSeparator` when the original byte is a separator, `spacedLetter` when the mapped
    /// byte is a letter (a repeated letter collapses).
    static let spacedTable: [UInt16] = spacedEntries(foldTable)
    static let spacedLeetTable: [UInt16] = spacedEntries(leetFoldTable)
    static let spacedSeparator: UInt16 = 0x100
    static let spacedLetter: UInt16 = 0x200

    private static func spacedEntries(_ map: [UInt8]) -> [UInt16] {
        (0..<256).map { b in
            let mapped = map[b]
            var entry = UInt16(mapped)
            if isSeparator(UInt8(b)) { entry |= spacedSeparator }
            if mapped >= 0x61 && mapped <= 0x7A { entry |= spacedLetter }
            return entry
        }
    }

    /// `normalizeASCIISpaced` resumable: appends the normalisation of `text[from..<upTo]` to
    /// `out`, continuing from its last byte (the chunked scan of long values carries it over).
    static func appendASCIISpaced(
        _ text: UnsafeBufferPointer<UInt8>, from: Int, upTo: Int, leet useLeet: Bool,
        to out: inout [UInt8]
    ) {
        var last = out.last ?? 0
        var any = !out.isEmpty
        out.reserveCapacity(out.count + (upTo - from))
        let map = asciiMap(leet: useLeet)
        for i in from..<upTo {
            let b0 = text[i]
            if isSeparator(b0) { continue }
            let b = map[Int(b0)]
            if any && last == b && b >= 0x61 && b <= 0x7A { continue }
            out.append(b)
            last = b
            any = true
        }
    }

    /// A leet symbol that stands for a letter.
    @inline(__always) static func isLeetSymbol(_ b: UInt8) -> Bool { b == 0x40 || b == 0x24 || b == 0x21 || b == 0x7C }

    /// A letter for the spaced-out-word test: letters (and under leet, digits and leet symbols).
    /// Digits do not join letters in plain text, so "love u 2" keeps "u" a word of its own.
    @inline(__always) static func isSpacedLetter(_ b: UInt8, leet: Bool) -> Bool {
        Detectors.isAlpha(b) || b >= 0x80 || (leet && (Detectors.isDigit(b) || isLeetSymbol(b)))
    }

    /// Whether the original characters in `start..<end` stand alone between non-letters: a
    /// spaced-out letter.
    static func isolated(_ t: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, leet: Bool) -> Bool {
        (start == 0 || !isSpacedLetter(t[start - 1], leet: leet)) && (end >= t.count || !isSpacedLetter(t[end], leet: leet))
    }

    static func boundary(_ t: UnsafeBufferPointer<UInt8>, before pos: Int, mode: NormalizeMode) -> Bool {
        let leet = mode.contains(.leet)
        if mode.contains(.spaced) { return spacedBoundary(t, before: pos, leet: leet) }
        if pos > 0, leet, isLeetSymbol(t[pos - 1]) { return false }  // "@dd": the @ is a letter
        return !Detectors.isWordBefore(t, pos)
    }

    static func boundary(_ t: UnsafeBufferPointer<UInt8>, after end: Int, mode: NormalizeMode) -> Bool {
        let leet = mode.contains(.leet)
        if mode.contains(.spaced) { return spacedBoundary(t, after: end, leet: leet) }
        // A trailing "!" or "$" is a letter only inside a word ("dm me!" ends at "me").
        if end < t.count, leet, isLeetSymbol(t[end]), end + 1 < t.count, Detectors.isWordAt(t, end + 1) { return false }
        return !Detectors.isWordAt(t, end)
    }

    /// Word boundaries for spaced-out text. A separator between two single letters ("a*d", "s n")
    /// joins them into one spaced-out word, so it is not a boundary; any other separator is.
    static func spacedBoundary(_ t: UnsafeBufferPointer<UInt8>, before pos: Int, leet: Bool) -> Bool {
        if pos <= 0 { return true }
        let p = pos - 1
        if leet, isLeetSymbol(t[p]) { return false }
        if !isSeparator(t[p]) { return !Detectors.isWordBefore(t, pos) }
        var q = p
        while q >= 0, isSeparator(t[q]) { q -= 1 }
        if q < 0 || !isSpacedLetter(t[q], leet: leet) { return true }
        let leftIsolated = q == 0 || !isSpacedLetter(t[q - 1], leet: leet)
        let rightIsolated = pos + 1 >= t.count || !isSpacedLetter(t[pos + 1], leet: leet)
        return !(leftIsolated && rightIsolated)
    }

    static func spacedBoundary(_ t: UnsafeBufferPointer<UInt8>, after end: Int, leet: Bool) -> Bool {
        if end >= t.count { return true }
        if leet, isLeetSymbol(t[end]) {
            return !(end + 1 < t.count && Detectors.isWordAt(t, end + 1))
        }
        if !isSeparator(t[end]) { return !Detectors.isWordAt(t, end) }
        var r = end
        while r < t.count, isSeparator(t[r]) { r += 1 }
        if r >= t.count || !isSpacedLetter(t[r], leet: leet) { return true }
        let rightIsolated = r + 1 >= t.count || !isSpacedLetter(t[r + 1], leet: leet)
        let leftIsolated = end - 2 < 0 || !isSpacedLetter(t[end - 2], leet: leet)
        return !(leftIsolated && rightIsolated)
    }

    /// Normalises a phrase (no offsets needed). An ASCII phrase takes the scanner's ASCII paths,
    /// which write what `normalize` writes: a rule set's load normalises thousands of phrases, and
    /// the general path (with origins, as it was) was a tenth of `invigil scan`'s start.
    static func normalize(phrase: [UInt8], mode: NormalizeMode) -> [UInt8] {
        var out: [UInt8] = []
        phrase.withUnsafeBufferPointer { p in
            if isASCII(p) {
                if mode.contains(.spaced) {
                    normalizeASCIISpaced(p, leet: mode.contains(.leet), into: &out)
                } else {
                    normalizeASCIIInPlace(p, leet: mode.contains(.leet), into: &out)
                }
            } else {
                var origin: [SIMD4<Int32>] = []
                normalize(p, mode: mode, into: &out, origin: &origin, trackOrigin: false)
            }
        }
        return out
    }
}
