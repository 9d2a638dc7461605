private let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
private let zoneNames: [String: Int] = [
    "ut": 0, "gmt": 0, "utc": 0, "z": 0, "bst": 60, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "cet": 60, "cest": 120, "met": 60, "mest": 120
]

/// An RFC 5322 date (`Tue, 5 Mar 2024 12:40:00 +0000`, and the common deviations: no weekday,
/// two-digit years, zone names, no seconds, asctime order) as ISO 8601 with its offset, or nil.
func parseMailDate(_ raw: ArraySlice<UInt8>) -> String? {
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
