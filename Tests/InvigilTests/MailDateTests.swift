import Testing
@testable import InvigilArchive

/// The one-pass reader of canonical mail dates against the general token reader: wherever the
/// fast path answers, its answer is the general reader's, and it answers for the usual forms.
@Suite struct MailDateTests {
    static func generate(_ rng: inout SplitMix) -> String {
        func pick(_ options: [String]) -> String { options[Int.random(in: 0..<options.count, using: &rng)] }
        let weekday = pick(["", "Tue, ", "tue, ", "WED, ", "Sun,", "Tue ", "Mar, ", "Xyz, "])
        let day = pick(["1", "05", "5", "31", "30", "29", "0", "32", "123", " 5"])
        let month = pick(["Jan", "feb", "MAR", "Apr", "Sept", "Foo", "dec", "may"])
        let year = pick(["2024", "1999", "2023", "0999", "24", "20245", "2000", "1900"])
        let time = pick(["12:40:00", "23:59:60", "24:00:00", "09:05", "9:05", "12:60:00", "12:40:0", "00:00:00", "12:40:00:01"])
        let zone = pick(["+0000", "-0000", "+0100", "-0530", "+2359", "+2400", "+0099", "GMT", "+000", "+00000", "-1200"])
        let tail = pick(["", " (UTC)", " (GMT Standard Time)", "  ", " (a (b) c)", " x", " (unclosed", "\t"])
        var text = weekday + day + " " + month + " " + year + " " + time + " " + zone + tail
        if Int.random(in: 0..<8, using: &rng) == 0 { text = text.replacing(" ", with: "  ") }
        return text
    }

    @Test func canonicalDatesReadAsTheGeneralReaderReadsThem() {
        var rng = SplitMix(seed: 21)
        var answered = 0
        for _ in 0..<40_000 {
            let text = Self.generate(&rng)
            let bytes = Array(text.utf8)[...]
            guard let fast = parseCanonicalMailDate(bytes) else { continue }
            answered += 1
            #expect(fast == parseMailDateByTokens(bytes), "\(text.debugDescription)")
        }
        #expect(answered > 500)
        #expect(parseCanonicalMailDate(Array("Tue, 5 Mar 2024 12:40:00 +0000".utf8)[...]) == "2024-03-05T12:40:00+00:00")
        #expect(parseCanonicalMailDate(Array("5 Mar 2024 12:40 -0530 (IST)".utf8)[...]) == "2024-03-05T12:40:00-05:30")
        #expect(parseCanonicalMailDate(Array("29 Feb 2023 12:40:00 +0000".utf8)[...]) == nil)
        #expect(parseMailDate(Array("Tue, 5 Mar 2024 12:40:00 GMT".utf8)[...]) == "2024-03-05T12:40:00+00:00")
    }
}
