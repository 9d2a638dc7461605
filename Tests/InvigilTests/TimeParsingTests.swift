import Testing

@testable import Invigil

/// `CivilTime.parseISO8601` reads the two fixed forms events use at fixed offsets; the general
/// parser is the reference. Checked on generated times: valid ones near every limit (month and
/// day ends, leap years, leap seconds, offsets up to ±18 hours), and one byte changed anywhere.
@Suite("Time parsing: the fixed forms against the general parser")
struct TimeParsingTests {
    static func parseBoth(_ text: [UInt8]) -> (Int64?, Int64?) {
        text.withUnsafeBufferPointer { (CivilTime.parseISO8601($0), CivilTime.parseISO8601General($0)) }
    }

    @Test func fixedFormsReadAsTheGeneralParserReadsThem() {
        var rng = SplitMix(seed: 8_601)
        func pick(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var fixedRead = 0, compared = 0
        for _ in 0..<40_000 {
            // Fields mostly valid, sometimes one past a limit.
            let year = [1970, 1999, 2000, 2023, 2024, 2100, 1600, 9999, 0][pick(9)]
            let month = pick(14), day = pick(33), hour = pick(26), minute = pick(62), second = pick(62)
            let date = "\(String(repeating: "0", count: max(0, 4 - "\(year)".count)))\(year)-\(two(month))-\(two(day))"
            let separator = ["T", "t", " ", "_"][pick(4)]
            let time = "\(two(hour)):\(two(minute)):\(two(second))"
            let zone = ["Z", "z", "+00:00", "-05:30", "+18:00", "+19:00", "-12:60", "+0100", "", ".5Z"][pick(10)]
            var text = Array((date + separator + time + zone).utf8)
            // One byte changed now and then: a digit, a separator, or anything.
            if pick(4) == 0, !text.isEmpty {
                text[pick(text.count)] = [0x2F, 0x3A, 0x30, 0x39, 0x2D, 0x2B, 0x00, 0xFF, 0x41][pick(9)]
            }
            let (fast, reference) = Self.parseBoth(text)
            #expect(fast == reference, "\(String(decoding: text, as: UTF8.self))")
            compared += 1
            let fixed = text.withUnsafeBufferPointer { CivilTime.parseRFC3339Fixed($0) }
            if fixed != nil { fixedRead += 1 }
            // Whatever the fixed reading accepts, the general parser reads the same way.
            if let fixed { #expect(fixed == reference) }
        }
        // Both paths were taken often.
        #expect(fixedRead > 5_000)
        #expect(compared - fixedRead > 5_000)
    }

    @Test func knownInstants() {
        for (text, expected) in [
            ("1970-01-01T00:00:00Z", 0 as Int64?), ("2024-03-05T12:40:00+00:00", 1_709_642_400),
            ("2024-03-05T13:40:00+01:00", 1_709_642_400), ("2024-03-05t07:10:00-05:30", 1_709_642_400),
            ("2024-02-29T00:00:00Z", 1_709_164_800), ("2023-02-29T00:00:00Z", nil),
            ("2016-12-31T23:59:60Z", 1_483_228_799), ("2024-03-05T24:00:00Z", nil)
        ] {
            #expect(Self.parseBoth(Array(text.utf8)).0 == expected, "\(text)")
        }
    }
}
