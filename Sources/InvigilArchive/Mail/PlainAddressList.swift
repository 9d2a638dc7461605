/// The common cases of an address list, read without the general parser's copies, in printable
/// ASCII: bare addresses (`a@b.example, c@d.example; e@f.example`) and named ones
/// (`Ann Lee <a@b.example>`, `"Lee, Ann" <a@b.example>`, `<a@b.example>`). School mail systems
/// and CSV exports write nearly every list this way, and the general parser (a token array, a
/// charset decoder and several copies per address) was among the largest costs of the mail and
/// CSV readers.
///
/// Returns nil, without reading further, for anything else (comments, groups, escapes, encoded
/// words, `user at host`, tabs, line breaks, non-ASCII bytes, text after `>`): then
/// `parseAddressListInFull` reads the list. For the lists this accepts, it gives that parser's
/// result (`PlainAddressListTests` compares the two on generated lists).
func parsePlainAddressList(_ raw: ArraySlice<UInt8>) -> [MailAddress]? {
    var result: [MailAddress] = []
    let end = raw.endIndex
    var i = raw.startIndex
    @inline(__always) func skipSpaces() { while i < end, raw[i] == 0x20 { i += 1 } }
    @inline(__always) func isSeparator(_ c: UInt8) -> Bool { c == 0x2C || c == 0x3B }
    /// Bytes that end a bare run or that only the general parser reads.
    @inline(__always) func isSpecial(_ c: UInt8) -> Bool {
        switch c {
        case 0x22, 0x28, 0x29, 0x3C, 0x3E, 0x3A, 0x5C, 0x5B, 0x5D: return true  // " ( ) < > : \ [ ]
        default: return false
        }
    }
    /// An encoded word (`=?`) is decoded by the general parser.
    @inline(__always) func startsEncodedWord(_ k: Int) -> Bool { raw[k] == 0x3D && k + 1 < end && raw[k + 1] == 0x3F }
    func string(_ range: Range<Int>) -> String {
        let t = trimmed(raw[range])
        return String(decoding: t, as: UTF8.self)
    }

    while true {
        skipSpaces()
        if i == end { break }
        if isSeparator(raw[i]) {
            i += 1  // an empty entry is dropped
            continue
        }
        var name = ""
        var named = false
        if raw[i] == 0x22 {
            // A quoted name: printable ASCII without escapes, then `<`.
            let start = i + 1
            i = start
            while i < end, raw[i] != 0x22 {
                let c = raw[i]
                guard c >= 0x20, c <= 0x7E, c != 0x5C, !startsEncodedWord(i) else { return nil }
                i += 1
            }
            guard i < end else { return nil }
            name = string(start..<i)
            i += 1
            skipSpaces()
            guard i < end, raw[i] == 0x3C else { return nil }
            named = true
        } else {
            // A bare run: an address, or the words of a name before `<`.
            let start = i
            var sawAt = false
            var lastNonSpace = i
            while i < end, !isSeparator(raw[i]), raw[i] != 0x3C {
                let c = raw[i]
                guard c >= 0x20, c <= 0x7E, !isSpecial(c), !startsEncodedWord(i) else { return nil }
                if c == 0x40 { sawAt = true }
                if c != 0x20 { lastNonSpace = i }
                i += 1
            }
            if i < end, raw[i] == 0x3C {
                guard !sawAt else { return nil }
                name = string(start..<i)
                named = true
            } else {
                let run = raw[start...lastNonSpace]
                // Words after a space are a name for the general parser; an address has an `@`.
                guard sawAt, !run.contains(0x20) else { return nil }
                result.append(MailAddress(name: "", address: String(decoding: run, as: UTF8.self)))
            }
        }
        if named {
            // `<address>`, then nothing but spaces before the next entry.
            i += 1
            let start = i
            var sawAt = false
            while i < end, raw[i] != 0x3E {
                let c = raw[i]
                guard c > 0x20, c <= 0x7E, !isSpecial(c), !isSeparator(c) else { return nil }
                if c == 0x40 { sawAt = true }
                i += 1
            }
            guard i < end, sawAt else { return nil }
            let address = String(decoding: raw[start..<i], as: UTF8.self)
            i += 1
            skipSpaces()
            guard i == end || isSeparator(raw[i]) else { return nil }
            result.append(MailAddress(name: name == address ? "" : name, address: address))
        }
        if i < end { i += 1 }  // the separator
    }
    return result
}
