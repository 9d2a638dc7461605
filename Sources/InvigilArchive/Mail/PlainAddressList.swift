/// The common case of an address list, read without the general parser's copies: bare addresses
/// (`a@b.example, c@d.example; e@f.example`) in printable ASCII, with no names, quotes, comments,
/// angle brackets, groups or encoded words. CSV exports and school mail systems write most lists
/// this way, and the general parser (a token array, a charset decoder and several copies per
/// address) was the largest single cost of the CSV reader.
///
/// Returns nil, without reading further, for anything else: then `parseAddressListInFull` reads
/// the list, and gives the same result for the lists this accepts (`PlainAddressListTests`).
func parsePlainAddressList(_ raw: ArraySlice<UInt8>) -> [MailAddress]? {
    var result: [MailAddress] = []
    var i = raw.startIndex
    var sawAt = false
    var spaceAfterContent = false
    var lastNonSpace = -1
    var firstNonSpace = -1
    func finishToken() -> Bool {
        if firstNonSpace < 0 { return true }  // an empty entry is dropped
        guard sawAt else { return false }
        let bytes = raw[firstNonSpace...lastNonSpace]
        result.append(MailAddress(name: "", address: String(decoding: bytes, as: UTF8.self)))
        return true
    }
    while i < raw.endIndex {
        let c = raw[i]
        switch c {
        case 0x2C, 0x3B:  // , ;
            guard finishToken() else { return nil }
            sawAt = false
            spaceAfterContent = false
            firstNonSpace = -1
            lastNonSpace = -1
        case 0x20:
            if firstNonSpace >= 0 { spaceAfterContent = true }
        case 0x22, 0x28, 0x29, 0x3C, 0x3E, 0x3A, 0x5C, 0x5B, 0x5D:  // " ( ) < > : \ [ ]
            return nil
        case 0x21...0x7E:
            if spaceAfterContent { return nil }  // words after a space: a name, for the full parser
            if c == 0x40 { sawAt = true }
            if firstNonSpace < 0 { firstNonSpace = i }
            lastNonSpace = i
        default:
            return nil  // tabs, line breaks, controls and non-ASCII bytes
        }
        i += 1
    }
    guard finishToken() else { return nil }
    return result
}
