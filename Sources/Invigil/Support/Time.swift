/// A time zone the schedules of a pack are read in. The core carries no tz database, so it knows
/// the European Union rule that the UK and Ireland follow, UTC, and fixed offsets.
public enum TimeZoneRule: Hashable, Sendable {
    case utc
    case fixed(seconds: Int64)
    /// GMT/UTC in winter; one hour ahead from 01:00 UTC on the last Sunday of March to 01:00 UTC
    /// on the last Sunday of October (Europe/London, Europe/Dublin, and the EU rule shifted).
    case europeanSummer(standardOffset: Int64)

    /// The rule for a zone name the core knows (`Europe/London`, `UTC`, or a fixed offset such as
    /// `+01:00`); nil for another.
    public init?(name: String) {
        switch name {
        case "Europe/London", "Europe/Dublin", "Europe/Belfast", "Europe/Guernsey", "Europe/Jersey",
            "Europe/Isle_of_Man", "GB":
            self = .europeanSummer(standardOffset: 0)
        case "Europe/Lisbon", "Atlantic/Canary", "Atlantic/Faroe", "Atlantic/Madeira":
            self = .europeanSummer(standardOffset: 0)
        case "UTC", "GMT", "Etc/UTC", "Z": self = .utc
        default:
            let b = Array(name.utf8)
            guard b.count == 6, b[0] == 0x2B || b[0] == 0x2D, b[3] == 0x3A,
                let h = Int64(String(decoding: b[1...2], as: UTF8.self)),
                let m = Int64(String(decoding: b[4...5], as: UTF8.self)), h <= 14, m < 60
            else { return nil }
            let seconds = (h * 3600 + m * 60) * (b[0] == 0x2D ? -1 : 1)
            self = .fixed(seconds: seconds)
        }
    }

    /// The offset from UTC in seconds at the instant `utc` (seconds since 1970).
    public func offset(at utc: Int64) -> Int64 {
        switch self {
        case .utc: return 0
        case .fixed(let s): return s
        case .europeanSummer(let standard):
            let (year, _, _) = CivilTime.date(fromDays: CivilTime.floorDiv(utc, 86400))
            let start = CivilTime.lastSunday(year: year, month: 3) * 86400 + 3600
            let end = CivilTime.lastSunday(year: year, month: 10) * 86400 + 3600
            return standard + (utc >= start && utc < end ? 3600 : 0)
        }
    }
}

/// Calendar arithmetic on the proleptic Gregorian calendar (Howard Hinnant's algorithms).
package enum CivilTime {
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 for a civil date.
    package static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Civil date for days since 1970-01-01.
    package static func date(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719468
        let era = floorDiv(z, 146097)
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// 0 = Monday ... 6 = Sunday.
    package static func weekday(days: Int64) -> Int {
        // 1970-01-01 was a Thursday (3).
        Int(((days % 7) + 7 + 3) % 7)
    }

    static func lastSunday(year: Int64, month: Int64) -> Int64 {
        let nextMonthFirst = month == 12 ? days(year: year + 1, month: 1, day: 1) : days(year: year, month: month + 1, day: 1)
        let last = nextMonthFirst - 1
        let wd = Int64(weekday(days: last))  // 6 = Sunday
        return last - ((wd + 1) % 7)
    }

    /// Parses ISO 8601 / RFC 3339: `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM|±HHMM]`, also with a space
    /// instead of `T`, or a date alone. Without an offset the time is read as UTC.
    /// Returns seconds since 1970 in UTC.
    ///
    /// The forms events nearly always use, `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS±HH:MM`,
    /// are read at fixed offsets (`parseRFC3339Fixed`); anything else, or anything that fixed
    /// reading refuses, goes through the general parser, which is the reference the tests compare
    /// the fixed reading with.
    package static func parseISO8601(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        if let t = parseRFC3339Fixed(s) { return t }
        return parseISO8601General(s)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (20 bytes) or `YYYY-MM-DDTHH:MM:SS±HH:MM` (25), with `T`, `t` or a
    /// space, `Z` or `z`; nil for any other text, and for values the general parser refuses.
    @inline(__always)
    static func parseRFC3339Fixed(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = s.count
        guard n == 20 || n == 25, let p = s.baseAddress else { return nil }
        // A digit is a byte whose value less "0" is below 10 (bytes below "0" wrap around).
        @inline(__always) func digit(_ i: Int) -> Int64 { Int64(p[i] &- 0x30) }
        @inline(__always) func digits(_ i: Int) -> Bool { p[i] &- 0x30 < 10 && p[i + 1] &- 0x30 < 10 }
        guard digits(0), digits(2), digits(5), digits(8), digits(11), digits(14), digits(17), p[4] == 0x2D, p[7] == 0x2D,
            p[10] == 0x54 || p[10] == 0x74 || p[10] == 0x20, p[13] == 0x3A, p[16] == 0x3A
        else {
            return nil
        }
        let year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
        let month = digit(5) * 10 + digit(6), day = digit(8) * 10 + digit(9)
        let hour = digit(11) * 10 + digit(12), minute = digit(14) * 10 + digit(15), second = digit(17) * 10 + digit(18)
        guard month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month: month, year: year), hour < 24, minute < 60, second <= 60 else {
            return nil
        }
        let seconds = days(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + min(second, 59)
        if n == 20 { return p[19] == 0x5A || p[19] == 0x7A ? seconds : nil }
        let sign: Int64 = p[19] == 0x2B ? 1 : p[19] == 0x2D ? -1 : 0
        guard sign != 0, digits(20), p[22] == 0x3A, digits(23) else { return nil }
        let oh = digit(20) * 10 + digit(21), om = digit(23) * 10 + digit(24)
        guard oh <= 18, om < 60 else { return nil }
        return seconds - sign * (oh * 3600 + om * 60)
    }

    /// The general ISO 8601 parser behind `parseISO8601`.
    static func parseISO8601General(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        let n = s.count
        // The cursor is passed in rather than captured: a captured `var` lives in a box whose every
        // access is a run-time exclusivity check (this parser runs for every time in every event).
        func digits(_ count: Int, _ i: inout Int) -> Int64? {
            guard i + count <= n else { return nil }
            var v: Int64 = 0
            for k in 0..<count {
                let b = s[i + k]
                guard b >= 0x30 && b <= 0x39 else { return nil }
                v = v * 10 + Int64(b - 0x30)
            }
            i += count
            return v
        }
        func take(_ b: UInt8, _ i: inout Int) -> Bool {
            if i < n && s[i] == b { i += 1; return true }
            return false
        }
        guard let year = digits(4, &i), take(0x2D, &i), let month = digits(2, &i), take(0x2D, &i), let day = digits(2, &i) else { return nil }
        guard month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month: month, year: year) else { return nil }
        var seconds = days(year: year, month: month, day: day) * 86400
        if i == n { return seconds }
        guard take(0x54, &i) || take(0x74, &i) || take(0x20, &i) else { return nil }
        guard let hour = digits(2, &i), take(0x3A, &i), let minute = digits(2, &i), hour < 24, minute < 60 else { return nil }
        seconds += hour * 3600 + minute * 60
        if take(0x3A, &i) {
            guard let sec = digits(2, &i), sec <= 60 else { return nil }
            seconds += min(sec, 59)
            if take(0x2E, &i) || take(0x2C, &i) {
                let start = i
                while i < n, s[i] >= 0x30 && s[i] <= 0x39 { i += 1 }
                guard i > start else { return nil }
            }
        }
        if i == n { return seconds }
        if take(0x5A, &i) || take(0x7A, &i) { return i == n ? seconds : nil }
        let sign: Int64
        if take(0x2B, &i) { sign = 1 } else if take(0x2D, &i) { sign = -1 } else { return nil }
        guard let oh = digits(2, &i), oh <= 18 else { return nil }
        _ = take(0x3A, &i)
        var om: Int64 = 0
        if i < n { guard let m = digits(2, &i), m < 60 else { return nil }; om = m }
        guard i == n else { return nil }
        return seconds - sign * (oh * 3600 + om * 60)
    }

    package static func parseISO8601(_ string: String) -> Int64? {
        var copy = string
        return copy.withUTF8 { parseISO8601($0) }
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Local weekday (0 = Monday) and minute of the day of a UTC instant in a zone.
    package static func local(_ utc: Int64, in zone: TimeZoneRule) -> (weekday: Int, minute: Int) {
        let local = utc + zone.offset(at: utc)
        let days = floorDiv(local, 86400)
        let secondOfDay = local - days * 86400
        return (weekday(days: days), Int(secondOfDay / 60))
    }

    /// Formats UTC seconds as `YYYY-MM-DDTHH:MM:SSZ`.
    package static func format(_ utc: Int64) -> String {
        let days = floorDiv(utc, 86400)
        let (y, m, d) = date(fromDays: days)
        let sod = utc - days * 86400
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(sod / 3600)):\(two(sod / 60 % 60)):\(two(sod % 60))Z"
    }
}
