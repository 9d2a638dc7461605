import Testing
@testable import Invigil

#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

func phones(_ s: String) -> [String] {
    var out: [String] = []
    let b = Array(s.utf8)
    b.withUnsafeBufferPointer { t in Detectors.phones(in: t) { out.append(String(decoding: b[$0..<$1], as: UTF8.self)) } }
    return out
}

func emails(_ s: String) -> [String] {
    var out: [String] = []
    let b = Array(s.utf8)
    b.withUnsafeBufferPointer { t in Detectors.emails(in: t) { s, e, _ in out.append(String(decoding: b[s..<e], as: UTF8.self)) } }
    return out
}

func urls(_ s: String) -> [(String, String)] {
    var out: [(String, String)] = []
    let b = Array(s.utf8)
    b.withUnsafeBufferPointer { t in
        Detectors.urls(in: t) { s, e, hs, he in
            out.append((String(decoding: b[s..<e], as: UTF8.self), String(decoding: b[hs..<he], as: UTF8.self)))
        }
    }
    return out
}

@Suite("Detectors")
struct DetectorTests {
    @Test(arguments: [
        "07700 900123", "07700900123", "07700-900-123", "07700.900.123", "+44 (0)7700 900123", "+44 7700 900123",
        "+447700900123", "0044 7700 900123", "0113 496 0000", "(0113) 496 0000", "020 7946 0000", "01632 960123",
        "+1 202 555 0143", "+33 1 23 45 67 89", "0161 496 0123"
    ])
    func validNumbers(_ number: String) {
        #expect(phones("call " + number + " now") == [number])
    }

    @Test(arguments: [
        "0123", "12345", "2024-03-05", "07700 9001", "077009001234567", "+44 12", "100,000", "£1,000.50",
        "12:40", "0000 000 0000", "ISBN 978-3-16-148410-0", "abc07700900123", "07700900123abc"
    ])
    func notNumbers(_ text: String) {
        #expect(phones(text).isEmpty, "\(text) → \(phones(text))")
    }

    @Test func twoNumbersSideBySide() {
        #expect(phones("07700 900123 07700 900124") == ["07700 900123", "07700 900124"])
        #expect(phones("ring 07700900123, or 0113 496 0000.") == ["07700900123", "0113 496 0000"])
    }

    @Test(
        arguments: [
            ("call 0770O 9OO123 tonight", "0770O 9OO123"),
            ("my number is O77OO 9OOl23", "O77OO 9OOl23"),
            ("ring oh seven seven oh oh nine oh oh one two three", "oh seven seven oh oh nine oh oh one two three"),
            ("zero seven seven zero zero, nine zero zero, one two three ok", "zero seven seven zero zero, nine zero zero, one two three"),
            ("oh seven seven double oh nine double oh one two three", "oh seven seven double oh nine double oh one two three")
        ] as [(String, String)])
    func obfuscatedNumbers(_ text: String, _ expected: String) {
        var out: [String] = []
        let b = Array(text.utf8)
        b.withUnsafeBufferPointer { t in Detectors.obfuscatedPhones(in: t) { out.append(String(decoding: b[$0..<$1], as: UTF8.self)) } }
        #expect(out == [expected])
    }

    @Test(arguments: ["one or two of them", "I love you so much, oh one more thing", "07700 900123", "room 1O1", "Oh no, lol"])
    func notObfuscatedNumbers(_ text: String) {
        var out: [String] = []
        let b = Array(text.utf8)
        b.withUnsafeBufferPointer { t in Detectors.obfuscatedPhones(in: t) { out.append(String(decoding: b[$0..<$1], as: UTF8.self)) } }
        #expect(out.isEmpty, "\(out)")
    }

    @Test func emailAddresses() {
        #expect(emails("write to jo.smith+x@example.co.uk.") == ["jo.smith+x@example.co.uk"])
        #expect(emails("a@b") == [])
        #expect(emails("@handle and user@ and @@") == [])
        #expect(emails("x@host.c") == [])
        #expect(emails("first@a.org,second@b.net") == ["first@a.org", "second@b.net"])
    }

    @Test func urlsAndHosts() {
        #expect(urls("see https://m.facebook.com/jo?x=1.").map(\.1) == ["m.facebook.com"])
        #expect(urls("see https://m.facebook.com/jo?x=1.").map(\.0) == ["https://m.facebook.com/jo?x=1"])
        #expect(urls("www.example.org/page").map(\.1) == ["www.example.org"])
        #expect(urls("add me snapchat.com/add/jo").map(\.1) == ["snapchat.com"])
        #expect(urls("version 1.2.3 and e.g. this").isEmpty)
        #expect(urls("mail jo@example.com").isEmpty)
    }

    @Test func hostOfField() {
        func host(_ s: String) -> String {
            let b = Array(s.utf8)
            return String(decoding: b.withUnsafeBufferPointer { Detectors.host(ofField: $0) }, as: UTF8.self)
        }
        #expect(host("https://User@M.Facebook.com:443/x") == "m.facebook.com")
        #expect(host("facebook.com.") == "facebook.com")
        #expect(host("jo@school.example.sch.uk") == "school.example.sch.uk")
    }

    @Test func hostListsMatchSubdomainsOnly() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { web.host: string  text: text }
                hosts social { "facebook.com" }
                rule s { severity info message "m" when social in web.host }
                rule t { severity info message "m" when social in text }
                """)
        let scanner = Scanner(rules: rules)
        for (host, expected) in [("facebook.com", true), ("m.facebook.com", true), ("notfacebook.com", false), ("facebook.com.evil.org", false)] {
            scanner.reset()
            try scanner.setString("web.host", host)
            scanner.scan()
            #expect(scanner.findings.map(\.rule) == (expected ? [0] : []), "\(host)")
        }
        scanner.reset()
        try scanner.setString("text", "look https://www.facebook.com/x and notfacebook.com")
        scanner.scan()
        #expect(scanner.findings.map(\.rule) == [1])
        #expect(scanner.matches.map { scanner.excerpt($0) } == ["https://www.facebook.com/x"])
    }
}

@Suite("Time")
struct TimeTests {
    @Test func parsing() {
        #expect(CivilTime.parseISO8601("1970-01-01T00:00:00Z") == 0)
        #expect(CivilTime.parseISO8601("2024-03-05T12:40:00+00:00") == 1_709_642_400)
        #expect(CivilTime.parseISO8601("2024-03-05T13:40:00+01:00") == 1_709_642_400)
        #expect(CivilTime.parseISO8601("2024-03-05 12:40") == 1_709_642_400)
        #expect(CivilTime.parseISO8601("2024-02-30T00:00:00Z") == nil)
        #expect(CivilTime.parseISO8601("2024-03-05T25:00:00Z") == nil)
        #expect(CivilTime.parseISO8601("yesterday") == nil)
        #expect(CivilTime.parseISO8601("2024-03-05T12:40:00+0100") == 1_709_638_800)
    }

    @Test func londonDaylightSaving() {
        let london = TimeZoneRule(name: "Europe/London")!
        // 2024: BST from 31 March 01:00 UTC to 27 October 01:00 UTC.
        #expect(london.offset(at: CivilTime.parseISO8601("2024-03-31T00:59:59Z")!) == 0)
        #expect(london.offset(at: CivilTime.parseISO8601("2024-03-31T01:00:00Z")!) == 3600)
        #expect(london.offset(at: CivilTime.parseISO8601("2024-10-27T00:59:59Z")!) == 3600)
        #expect(london.offset(at: CivilTime.parseISO8601("2024-10-27T01:00:00Z")!) == 0)
        let (weekday, minute) = CivilTime.local(CivilTime.parseISO8601("2024-06-03T07:50:00Z")!, in: london)
        #expect(weekday == 0)  // Monday
        #expect(minute == 8 * 60 + 50)
    }

    @Test func schedulesReadInThePacksZone() throws {
        let rules = try RuleSet.compile(
            source: """
                pack p { timezone "Europe/London" }
                schema { time: time }
                schedule day { mon-fri 08:45-15:15 }
                rule r { severity info message "m" when time in day }
                """)
        let scanner = Scanner(rules: rules)
        for (t, expected) in [
            ("2024-06-03T07:50:00Z", true),  // 08:50 BST Monday
            ("2024-06-03T07:40:00Z", false),  // 08:40 BST
            ("2024-12-02T08:50:00Z", true),  // 08:50 GMT Monday
            ("2024-06-01T10:00:00Z", false)
        ]  // Saturday
        {
            scanner.reset()
            try scanner.setString("time", t)
            #expect((scanner.scan() == 1) == expected, "\(t)")
        }
    }
}

@Suite("Digit words")
struct DigitWordTests {
    /// The packed look-up against a plain comparison with the list, on the list's words in mixed
    /// case and on generated words of 1 to 7 letters.
    @Test func packedLookupAgreesWithTheList() {
        func naive(_ w: [UInt8]) -> UInt8? {
            Detectors.digitWordList.first { $0.0.count == w.count && zip($0.0, w).allSatisfy { $0 == ($1 | 0x20) } }?.1
        }
        var words: [[UInt8]] = Detectors.digitWordList.flatMap { w, _ in [w, w.map { $0 & ~0x20 }, [w[0] & ~0x20] + w.dropFirst()] }
        var state: UInt64 = 7
        let letters = Array("onetwhrfivsxzgudlON0 ".utf8)
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int(state >> 61) + 1
            var w: [UInt8] = []
            for k in 0..<length { w.append(letters[Int((state >> (8 * UInt64(k) % 56)) & 0xFF) % letters.count]) }
            words.append(w)
        }
        var hits = 0
        for w in words {
            let got = w.withUnsafeBufferPointer { Detectors.digitWord($0, 0, w.count) }
            #expect(got == naive(w), "\(String(decoding: w, as: UTF8.self))")
            if got != nil { hits += 1 }
        }
        #expect(hits >= 3 * Detectors.digitWordList.count)
    }

    /// The phone detector, which skips sixteen bytes at a time where no number can start,
    /// against the same rule applied at every byte, on generated texts with numbers, "+" and "("
    /// at every offset of the sixteen-byte steps.
    @Test func phoneSkippingAgreesWithEveryByte() {
        func naive(_ text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
            var spans: [Range<Int>] = []
            var i = 0
            while i < text.count {
                let b = text[i]
                let starts =
                    (b == 0x2B || b == 0x28 || Detectors.isDigit(b))
                    && (i == 0 || !(Detectors.isWordByte(text[i - 1]) || text[i - 1] == 0x2B))
                if starts, let end = Detectors.phoneEnd(text, from: i) {
                    spans.append(i..<end)
                    i = end
                } else if starts {
                    i += 1
                    while i < text.count, Detectors.isDigit(text[i]) { i += 1 }
                } else {
                    i += 1
                }
            }
            return spans
        }
        let pieces = ["07700 900123", "+44 7700 900123", "(01632) 960001", "12", "x", "hello there ", " ", "(", "+", "ring ", "0", "5555"]
        var state: UInt64 = 3
        var found = 0
        for _ in 0..<5_000 {
            var text: [UInt8] = []
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let count = Int(state >> 59)
            for _ in 0..<count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += Array(pieces[Int(state >> 33) % pieces.count].utf8)
            }
            var got: [Range<Int>] = []
            text.withUnsafeBufferPointer { t in Detectors.phones(in: t) { got.append($0..<$1) } }
            let expected = text.withUnsafeBufferPointer(naive)
            #expect(got == expected, "\(String(decoding: text, as: UTF8.self))")
            found += expected.count
        }
        #expect(found > 1_000)
    }

    /// The detectors' vector first tests against plain searches, at every length up to 80 (the
    /// vector loops' tails) with the sought byte at each position, or absent.
    @Test func firstTestsAgreeWithPlainSearches() {
        var state: UInt64 = 5
        for length in 0...80 {
            for place in -1..<length {
                var text: [UInt8] = (0..<length).map { _ in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    let b = UInt8(truncatingIfNeeded: state >> 56)
                    return Detectors.isDigit(b) || b == 0x40 || b == 0x2B || b == 0x28 ? 0x61 : b
                }
                func phoneStart() -> Int {
                    text.withUnsafeBufferPointer { t in t.baseAddress.map { Detectors.nextPhoneStart($0, from: 0, end: length) } ?? 0 }
                }
                #expect(phoneStart() == length)
                #expect(text.withUnsafeBufferPointer { Detectors.contains(0x40, in: $0) } == false)
                guard place >= 0 else { continue }
                for start: UInt8 in [0x37, 0x2B, 0x28] {
                    text[place] = start
                    #expect(phoneStart() == place)
                }
                text[place] = 0x40
                #expect(text.withUnsafeBufferPointer { Detectors.contains(0x40, in: $0) })
                #expect(phoneStart() == length)
            }
        }
    }

    /// The first pass of the disguised-number detector (every kernel: byte loop, SSE2, AVX2) against the rule it stands
    /// for, written plainly: a token of digits and O/o/l/I only (both present), or seven words
    /// that spell digits. Generated texts mix digit words, swappable letters, digits, other
    /// letters and separators, so that both answers occur often.
    @Test func obfuscatedPhonePrefilterAgreesWithTheRule() {
        func naive(_ t: [UInt8]) -> Bool {
            var words = 0
            var tokens: [[UInt8]] = [[]]
            for b in t {
                if Detectors.isAlpha(b) || Detectors.isDigit(b) {
                    tokens[tokens.count - 1].append(b)
                } else if !tokens[tokens.count - 1].isEmpty {
                    tokens.append([])
                }
            }
            for token in tokens where !token.isEmpty {
                let digits = token.filter(Detectors.isDigit).count
                let letters = token.count - digits
                if digits > 0 && letters > 0 && token.allSatisfy({ Detectors.isDigit($0) || [0x4F, 0x6F, 0x6C, 0x49].contains($0) }) { return true }
                if digits == 0, Detectors.digitWordList.contains(where: { $0.0 == token.map { $0 | 0x20 } }) {
                    words += 1
                    if words >= 7 { return true }
                }
            }
            return false
        }
        // Mixed pieces (digits touching letters: the definition decides), then words and
        // separators only, in texts up to 1,500 bytes, so that the bit-mask kernel counts digit
        // words across many 64-byte blocks and tokens that straddle them.
        let mixed = [
            "one", "Two", "oh", "O", "l", "I", "0", "7", "nine", "seven", "x", "lol", "zero", "ONE", "nought", "eights", " ", " ", ", ", "-", "é"
        ]
        let wordsOnly = [
            "one", "Two", "oh", "O", "nine", "seven", "x", "zero", "ONE", "nought", "eights", "sixteen", "the",
            "oh" + String(repeating: "o", count: 70),
            " ", " ", "  ", ", ", "-", "é", " 42 "
        ]
        var state: UInt64 = 11
        var yes = 0, no = 0
        for (pieces, shift, rounds) in [(mixed, UInt64(58), 20_000), (wordsOnly, UInt64(56), 10_000)] {
            for _ in 0..<rounds {
                var text: [UInt8] = []
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let count = Int(state >> shift)
                for _ in 0..<count {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    text += Array(pieces[Int(state >> 33) % pieces.count].utf8)
                }
                let expected = naive(text)
                let got = text.withUnsafeBufferPointer { Detectors.mayHoldObfuscatedPhone($0) }
                let bytewise = text.withUnsafeBufferPointer { Detectors.mayHoldObfuscatedPhoneBytewise($0) }
                #expect(got == expected, "\(String(decoding: text, as: UTF8.self))")
                #expect(bytewise == expected, "\(String(decoding: text, as: UTF8.self))")
                #if canImport(InvigilSIMD)
                // Each C kernel (byte loop, SSE2, AVX2) that this machine can run.
                for kernel: Int32 in 0...2 {
                    let k = text.withUnsafeBufferPointer {
                        ivg_may_hold_obfuscated_phone_kernel($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count, kernel)
                    }
                    #expect(k == -1 || (k == 1) == expected, "kernel \(kernel): \(String(decoding: text, as: UTF8.self))")
                }
                #endif
                if expected { yes += 1 } else { no += 1 }
            }
        }
        #expect(yes > 3_000 && no > 3_000)
    }

    #if canImport(InvigilSIMD)
    /// Every byte value (the class ranges' edges `/ : @ [ ` { among them) beside a digit, a
    /// letter that stands for a digit and a digit word, on both sides of a 64-byte block edge,
    /// in each C kernel against the byte loop. AVX2 must run where the CPU has it.
    @Test func obfuscatedPhoneKernelsAgreeOnEveryByte() {
        let wordRun = Array(String(repeating: "oh ", count: 6).utf8)
        var avx2Ran = false
        for b in 0...255 {
            let byte = UInt8(b)
            let pieces: [[UInt8]] = [
                [0x31, byte, 0x4F], [byte, 0x6F, 0x68], [0x4F, byte, 0x37], wordRun + [byte] + Array("oh".utf8), [byte, 0x31, 0x6C]
            ]
            for piece in pieces {
                for offset in [0, 30, 61, 62, 63, 64, 100] {
                    let text = [UInt8](repeating: 0x20, count: offset) + piece + [UInt8](repeating: 0x20, count: 40)
                    let expected = text.withUnsafeBufferPointer { ivg_may_hold_obfuscated_phone_kernel($0.baseAddress!, $0.count, 0) }
                    for kernel: Int32 in 1...2 {
                        let got = text.withUnsafeBufferPointer { ivg_may_hold_obfuscated_phone_kernel($0.baseAddress!, $0.count, kernel) }
                        if kernel == 2 && got != -1 { avx2Ran = true }
                        #expect(got == -1 || got == expected, "kernel \(kernel), byte \(b), offset \(offset)")
                    }
                }
            }
        }
        #expect(avx2Ran == (ivg_prefilter_available() != 0))
    }
    #endif
}

@Suite("URL schemes")
struct SchemeTests {
    /// The in-place comparison against comparing with each scheme's bytes, at every offset of
    /// every string of up to 9 bytes over an alphabet of the schemes' letters in both cases.
    @Test func inPlaceComparisonAgreesWithTheSchemes() {
        func naive(_ t: [UInt8], _ i: Int) -> Int? {
            for scheme in ["https://", "http://"] {
                let s = Array(scheme.utf8)
                if i + s.count <= t.count,
                    (0..<s.count).allSatisfy({ k in (s[k] >= 0x61 ? t[i + k] | 0x20 : t[i + k]) == s[k] })
                {
                    return i + s.count
                }
            }
            return nil
        }
        let alphabet = Array("hHtTpPsS:/x".utf8)
        var state: UInt64 = 11
        var found = 0
        for _ in 0..<30_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int(state % 10)
            var t: [UInt8] = []
            for k in 0..<length { t.append(alphabet[Int((state >> UInt64(3 + 5 * k)) & 0x1F) % alphabet.count]) }
            if state & 3 == 0, length >= 2 { t = Array("hTTps://".utf8) + t }
            if state & 7 == 1 { t = Array("http://".utf8) + t }
            for i in 0...t.count {
                let got = t.withUnsafeBufferPointer { Detectors.matchScheme($0, i) }
                #expect(got == naive(t, i), "\(String(decoding: t, as: UTF8.self)) at \(i)")
                if got != nil { found += 1 }
            }
        }
        #expect(found > 1_000)
    }
}

@Suite("URL prefilter")
struct URLPrefilterTests {
    /// The prefilter drops no URL: on generated texts of URL fragments, sentences and
    /// punctuation, `urls` reports exactly what the walk without the prefilter reports.
    @Test func prefilterDropsNoURL() {
        let pieces = [
            "http", "https", "://", ":/", "www", ".", ". ", "com", "co", "uk", "example", "a", "-", "/", "x", " ",
            "é", "1", "@", "s", ":", "org", "io", "Hello", "ok.", "e.g", "3.5", "\n", "tk"
        ]
        var state: UInt64 = 99
        var withURLs = 0
        for _ in 0..<20_000 {
            var text = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for k in 0..<Int(state >> 60) + 1 {
                text += pieces[Int((state >> UInt64(4 * k % 56)) & 0xFF) % pieces.count]
            }
            let bytes = Array(text.utf8)
            var filtered: [[Int]] = [], unfiltered: [[Int]] = []
            bytes.withUnsafeBufferPointer { t in
                Detectors.urls(in: t) { filtered.append([$0, $1, $2, $3]) }
                Detectors.urlsWithoutPrefilter(in: t) { unfiltered.append([$0, $1, $2, $3]) }
            }
            #expect(filtered == unfiltered, "\(text)")
            if !unfiltered.isEmpty { withURLs += 1 }
        }
        #expect(withURLs > 500)
    }
}
