private let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
private let zoneNames: [String: Int] = [
    "ut": 0, "gmt": 0, "utc": 0, "z": 0, "bst": 60, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "cet": 60, "cest": 120, "met": 60, "mest": 120
]

/// An RFC 5322 date (`Tue, 5 Mar 2024 12:40:00 +0000`, and the common deviations: no weekday,
/// two-digit years, zone names, no seconds, asctime order) as ISO 8601 with its offset, or nil.
func parseMailDate(_ raw: ArraySlice<UInt8>) -> String? {
    if let date = parseCanonicalMailDate(raw) { return date }
    return parseMailDateByTokens(raw)
}

private let weekdayNames: [UInt32] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(packedName)
private let packedMonthNames: [UInt32] = monthNames.map(packedName)

private func packedName(_ name: String) -> UInt32 {
    name.utf8.reduce(0) { $0 << 8 | UInt32($1) }
}

/// The date as nearly every mail system writes it, `[Www, ]D Mmm YYYY HH:MM[:SS] ±HHMM[ (comment)]`
/// with single spaces, read in one pass over the bytes. Nil for anything else, which
/// `parseMailDateByTokens` then reads; where this answers, it gives exactly that function's
/// answer (a test compares the two on generated dates).
func parseCanonicalMailDate(_ raw: ArraySlice<UInt8>) -> String? {
    raw.withUnsafeBufferPointer { b -> String? in
        let n = b.count
        var i = 0
        func number(_ minCount: Int, _ maxCount: Int) -> Int? {
            var value = 0
            let start = i
            while i < n, i - start < maxCount, b[i] >= 0x30, b[i] <= 0x39 {
                value = value * 10 + Int(b[i] - 0x30)
                i += 1
            }
            return i - start >= minCount ? value : nil
        }
        func take(_ byte: UInt8) -> Bool {
            guard i < n, b[i] == byte else { return false }
            i += 1
            return true
        }
        func word() -> UInt32? {
            guard i + 3 <= n else { return nil }
            var packed: UInt32 = 0
            for k in 0..<3 {
                let c = b[i + k] | 0x20
                guard c >= 0x61, c <= 0x7A else { return nil }
                packed = packed << 8 | UInt32(c)
            }
            i += 3
            return packed
        }
        while i < n, b[i] == 0x20 { i += 1 }
        if i < n, b[i] > 0x39 {
            guard let day = word(), weekdayNames.contains(day), take(0x2C), take(0x20) else { return nil }
        }
        guard let day = number(1, 2), day >= 1, day <= 31, take(0x20) else { return nil }
        guard let name = word(), let monthIndex = packedMonthNames.firstIndex(of: name), take(0x20) else { return nil }
        guard let year = number(4, 4), year >= 1000, take(0x20) else { return nil }
        guard let hour = number(2, 2), hour < 24, take(0x3A), let minute = number(2, 2), minute < 60 else { return nil }
        var second = 0
        if take(0x3A) {
            guard let s = number(2, 2) else { return nil }
            second = min(59, s)
        }
        guard take(0x20), i < n, b[i] == 0x2B || b[i] == 0x2D else { return nil }
        let negative = b[i] == 0x2D
        i += 1
        guard let zone = number(4, 4), i == n || b[i] == 0x20 else { return nil }
        let minutes = zone / 100 * 60 + zone % 100
        guard minutes < 24 * 60 else { return nil }
        // The rest: spaces and at most one comment without parentheses inside.
        while i < n, b[i] == 0x20 { i += 1 }
        if take(0x28) {
            while i < n, b[i] != 0x29 {
                guard b[i] != 0x28 else { return nil }
                i += 1
            }
            guard take(0x29) else { return nil }
            while i < n, b[i] == 0x20 { i += 1 }
        }
        guard i == n else { return nil }
        let month = monthIndex + 1
        let monthDays = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= monthDays[month - 1] else { return nil }
        return String(unsafeUninitializedCapacity: 25) { out in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var v = value
                for k in stride(from: width - 1, through: 0, by: -1) {
                    out[offset + k] = UInt8(0x30 + v % 10)
                    v /= 10
                }
            }
            put(year, 4, at: 0)
            out[4] = 0x2D
            put(month, 2, at: 5)
            out[7] = 0x2D
            put(day, 2, at: 8)
            out[10] = 0x54
            put(hour, 2, at: 11)
            out[13] = 0x3A
            put(minute, 2, at: 14)
            out[16] = 0x3A
            put(second, 2, at: 17)
            out[19] = negative && minutes != 0 ? 0x2D : 0x2B
            put(minutes / 60, 2, at: 20)
            out[22] = 0x3A
            put(minutes % 60, 2, at: 23)
            return 25
        }
    }
}

/// The general reader of mail dates: comments dropped, tokens told apart by their shape, in any
/// order.
func parseMailDateByTokens(_ raw: ArraySlice<UInt8>) -> String? {
    // Drop comments, split on spaces and commas.
    var clean: [UInt8] = []
    var depth = 0
    for c in raw {
        if c == 0x28 { depth += 1; continue }
        if c == 0x29 { depth = max(0, depth - 1); continue }
        if depth > 0 { continue }
        clean.append(c == 0x2C || isSpace(c) ? 0x20 : c)
    }
    let tokens = clean.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
    var day: Int? = nil, month: Int? = nil, year: Int? = nil
    var hour: Int? = nil, minute = 0, second = 0
    var offset: Int? = nil
    for t in tokens {
        let lower = t.lowercased()
        if t.utf8.contains(0x3A), hour == nil {
            let p = t.split(separator: ":")
            guard p.count >= 2, let h = Int(p[0]), let m = Int(p[1]), h < 24, m < 60 else { return nil }
            hour = h; minute = m
            if p.count >= 3 { second = min(59, Int(p[2].prefix(2)) ?? 0) }
        } else if (t.hasPrefix("+") || t.hasPrefix("-")), t.count == 5, let v = Int(t.dropFirst()), offset == nil {
            let mins = (v / 100) * 60 + v % 100
            offset = t.hasPrefix("-") ? -mins : mins
        } else if let z = zoneNames[lower], offset == nil, month != nil {
            offset = z
        } else if month == nil, lower.count >= 3, let m = monthNames.firstIndex(of: String(lower.prefix(3))) {
            month = m + 1
        } else if let v = Int(t) {
            if day == nil, t.count <= 2, v >= 1, v <= 31 {
                day = v
            } else if year == nil {
                year = t.count <= 2 ? (v < 50 ? 2000 + v : 1900 + v) : (t.count == 3 ? 1900 + v : v)
            }
        }
    }
    guard let d = day, let mo = month, let y = year, y >= 1000, y <= 9999 else { return nil }
    let monthDays = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard d <= monthDays[mo - 1], abs(offset ?? 0) < 24 * 60 else { return nil }
    let off = offset ?? 0
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let sign = off < 0 ? "-" : "+"
    return "\(y)-\(two(mo))-\(two(d))T\(two(hour ?? 0)):\(two(minute)):\(two(second))\(sign)\(two(abs(off) / 60)):\(two(abs(off) % 60))"
}
