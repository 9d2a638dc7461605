/// Event times as the report reads them: ISO 8601 (`2024-03-12T21:04:00+00:00`, `…Z`, a date
/// alone), to seconds since 1970 in UTC, and back to a date for the timeline's axis.
public enum ReportTime {
    /// Seconds since 1970 for an ISO 8601 time, or nil when it is not one.
    public static func seconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func number(_ at: Int, _ count: Int) -> Int64? {
            guard at + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in at..<(at + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        guard let year = number(0, 4), b.count >= 10, b[4] == 0x2D, b[7] == 0x2D,
            let month = number(5, 2), let day = number(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = days(year: year, month: month, day: day) * 86_400
        guard b.count > 10 else { return seconds }
        guard b[10] == 0x54 || b[10] == 0x20, let hour = number(11, 2), b.count >= 16, b[13] == 0x3A, let minute = number(14, 2),
            hour < 24, minute < 60
        else { return nil }
        seconds += hour * 3600 + minute * 60
        var at = 16
        if at < b.count, b[at] == 0x3A {
            guard let s = number(at + 1, 2), s < 61 else { return nil }
            seconds += s
            at += 3
            if at < b.count, b[at] == 0x2E || b[at] == 0x2C {
                at += 1
                while at < b.count, b[at] >= 0x30, b[at] <= 0x39 { at += 1 }
            }
        }
        if at == b.count { return seconds }
        if b[at] == 0x5A, at + 1 == b.count { return seconds }
        guard b[at] == 0x2B || b[at] == 0x2D, let oh = number(at + 1, 2) else { return nil }
        var om: Int64 = 0
        if at + 3 < b.count {
            let m = b[at + 3] == 0x3A ? at + 4 : at + 3
            guard let v = number(m, 2), m + 2 == b.count else { return nil }
            om = v
        } else if at + 3 != b.count {
            return nil
        }
        let offset = oh * 3600 + om * 60
        return b[at] == 0x2B ? seconds - offset : seconds + offset
    }

    /// Days from 1970-01-01 to a civil date (proleptic Gregorian).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD` of a time in seconds since 1970 (UTC).
    public static func date(_ seconds: Int64) -> String {
        let z = (seconds >= 0 ? seconds : seconds - 86_399) / 86_400 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))"
    }
}
