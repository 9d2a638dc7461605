/// One address of an address header: the display name (decoded) and the address, either may be empty.
struct MailAddress {
    var name: String
    var address: String
}

/// Parses an address list (RFC 5322 with the usual deviations): `Name <a@b>`, `"Last, First" <a@b>`,
/// `a@b (Name)`, groups `team: a@b, c@d;`, encoded-word names, and `user at host` (mailing-list
/// archives). Entries with neither address nor name are dropped.
func parseAddressList(_ raw: ArraySlice<UInt8>) -> [MailAddress] {
    if let plain = parsePlainAddressList(raw) { return plain }
    return parseAddressListInFull(raw)
}

/// The general parser behind `parseAddressList`, for lists the plain path declines.
func parseAddressListInFull(_ raw: ArraySlice<UInt8>) -> [MailAddress] {
    var result: [MailAddress] = []
    var tokens: [[UInt8]] = []
    var current: [UInt8] = []
    var inQuote = false
    var angle = 0
    var comment = 0
    var i = raw.startIndex
    while i < raw.endIndex {
        var c = raw[i]
        if c == 0x0D || c == 0x0A || c == 0x09 { c = 0x20 }
        if inQuote {
            if c == 0x5C, i + 1 < raw.endIndex { current.append(c); i += 1; current.append(raw[i]); i += 1; continue }
            if c == 0x22 { inQuote = false }
            current.append(c)
        } else if comment > 0 {
            if c == 0x28 { comment += 1 } else if c == 0x29 { comment -= 1 }
            current.append(c)
        } else {
            switch c {
            case 0x22: inQuote = true; current.append(c)
            case 0x28: comment = 1; current.append(c)
            case 0x3C: angle += 1; current.append(c)
            case 0x3E: angle = max(0, angle - 1); current.append(c)
            case 0x2C where angle == 0, 0x3B where angle == 0:
                tokens.append(current); current = []
            case 0x3A where angle == 0 && !current.contains(0x40):
                current = []  // group name
            default: current.append(c)
            }
        }
        i += 1
    }
    tokens.append(current)
    let decoder = CharsetDecoder()
    for t in tokens {
        let tok = trimmed(t)
        if tok.isEmpty { continue }
        var name: [UInt8] = []
        var address: [UInt8] = []
        if let lt = findTopLevel(tok, 0x3C) {
            let close = tok[lt...].firstIndex(of: 0x3E) ?? tok.endIndex
            address = Array(tok[(lt + 1)..<close])
            if let colon = address.firstIndex(of: 0x3A), address.first == 0x40 { address = Array(address[(colon + 1)...]) }
            name = Array(tok[tok.startIndex..<lt])
            if name.isEmpty, close < tok.endIndex { name = Array(tok[(close + 1)...]) }
        } else {
            // addr (Name) or bare address / bare name
            var plain: [UInt8] = []
            var commentText: [UInt8] = []
            var depth = 0
            for c in tok {
                if c == 0x28 { depth += 1; if depth == 1 { continue } }
                if c == 0x29, depth > 0 { depth -= 1; if depth == 0 { continue } }
                if depth > 0 { commentText.append(c) } else { plain.append(c) }
            }
            let p = Array(trimmed(plain))
            if p.contains(0x40) || looksLikeAtAddress(p) {
                address = p
                name = commentText
            } else {
                name = p.isEmpty ? commentText : p
            }
        }
        var addr = Array(trimmed(address))
        if looksLikeAtAddress(addr) {
            let parts = addr.split(separator: 0x20)
            addr = Array(parts[0]) + [0x40] + Array(parts[2])
        } else {
            addr.removeAll { $0 == 0x20 || $0 == 0x09 }
        }
        var n = Array(trimmed(name))
        if n.count >= 2, n.first == 0x22, n.last == 0x22 { n = Array(n[1..<(n.count - 1)]) }
        n = unescapeQuoted(n)
        let decodedName = decodeHeaderValue(n[...], decoder: decoder)
        var nameString = String(decoding: trimmed(decodedName), as: UTF8.self)
        if nameString.hasPrefix("\""), nameString.hasSuffix("\""), nameString.count >= 2 { nameString = String(nameString.dropFirst().dropLast()) }
        var addrBytes: [UInt8] = []
        decoder.decode(addr, charset: nil, into: &addrBytes)
        let addressString = String(decoding: addrBytes, as: UTF8.self)
        if addressString.isEmpty && nameString.isEmpty { continue }
        if nameString == addressString { nameString = "" }
        result.append(MailAddress(name: nameString, address: addressString))
    }
    return result
}

private func unescapeQuoted(_ s: [UInt8]) -> [UInt8] {
    guard s.contains(0x5C) else { return s }
    var out: [UInt8] = []
    var k = 0
    while k < s.count {
        if s[k] == 0x5C, k + 1 < s.count { k += 1 }
        out.append(s[k])
        k += 1
    }
    return out
}

private func findTopLevel(_ s: ArraySlice<UInt8>, _ target: UInt8) -> Int? {
    var inQuote = false
    var comment = 0
    var i = s.startIndex
    while i < s.endIndex {
        let c = s[i]
        if inQuote {
            if c == 0x5C { i += 1 } else if c == 0x22 { inQuote = false }
        } else if comment > 0 {
            if c == 0x28 { comment += 1 } else if c == 0x29 { comment -= 1 }
        } else if c == 0x22 {
            inQuote = true
        } else if c == 0x28 {
            comment = 1
        } else if c == target {
            return i
        }
        i += 1
    }
    return nil
}

private func looksLikeAtAddress(_ p: [UInt8]) -> Bool {
    guard !p.contains(0x40) else { return false }
    let parts = p.split(separator: 0x20)
    return parts.count == 3 && parts[1].elementsEqual("at".utf8) && parts[2].contains(0x2E)
}
