#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Invigil
import InvigilArchive

/// The evidence window against a naive reference: a byte mask of the matches, and the window's
/// promises checked one by one on generated values and spans.
@Suite struct FindingContextTests {
    /// The merged matches by brute force: mark every matched byte, then read runs back, keeping
    /// the boundaries of matches that only touch (merging is for overlaps).
    static func naiveMerge(_ ranges: [Range<Int>], length: Int) -> [Range<Int>] {
        let kept = ranges.filter { !$0.isEmpty }
        var out: [Range<Int>] = []
        var covered = [Bool](repeating: false, count: length)
        for r in kept { for i in r { covered[i] = true } }
        var i = 0
        while i < length {
            guard covered[i] else { i += 1; continue }
            var j = i
            // Extend while the next byte is covered by a range that overlaps the run so far.
            while j < length, covered[j] {
                j += 1
                if j < length, covered[j], !kept.contains(where: { $0.lowerBound < j && $0.upperBound > j }) { break }
            }
            out.append(i..<j)
            i = j
        }
        return out
    }

    @Test func mergeAgreesWithTheMask() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<2000 {
            let length = Int.random(in: 1...60, using: &rng)
            let ranges = (0..<Int.random(in: 0...6, using: &rng)).map { _ -> Range<Int> in
                let a = Int.random(in: 0..<length, using: &rng)
                return a..<Int.random(in: a...length, using: &rng)
            }
            #expect(EvidenceWindows.merge(ranges) == Self.naiveMerge(ranges, length: length), "\(ranges)")
        }
    }

    @Test func windowKeepsItsPromises() {
        var rng = SplitMix(seed: 11)
        let alphabet: [[UInt8]] = [[0x61], [0x20], [0x62], Array("é".utf8), Array("€".utf8), Array("😀".utf8)]
        for _ in 0..<3000 {
            var value: [UInt8] = []
            for _ in 0..<Int.random(in: 1...400, using: &rng) { value += alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            // Matches on character boundaries, as the automaton reports them.
            var starts: [Int] = []
            for i in 0...value.count where i == value.count || value[i] & 0xC0 != 0x80 { starts.append(i) }
            let ranges = (0..<Int.random(in: 0...5, using: &rng)).map { _ -> Range<Int> in
                let a = Int.random(in: 0..<(starts.count - 1), using: &rng)
                let b = min(starts.count - 1, a + Int.random(in: 1...12, using: &rng))
                return starts[a]..<starts[b]
            }
            let maxBytes = [20, 50, 300][Int.random(in: 0..<3, using: &rng)]
            let w = EvidenceWindows.window(of: value, matches: ranges, maxBytes: maxBytes)
            // Inside the value, never longer than asked, on character boundaries.
            #expect(0 <= w.start && w.start <= w.end && w.end <= value.count)
            #expect(w.end - w.start <= maxBytes)
            #expect(w.start == value.count || value[w.start] & 0xC0 != 0x80)
            #expect(w.end == value.count || value[w.end] & 0xC0 != 0x80)
            // The window's matches are the reference's merged matches clipped to it.
            let expected = Self.naiveMerge(ranges, length: value.count).compactMap { r -> Range<Int>? in
                let lo = max(r.lowerBound, w.start), hi = min(r.upperBound, w.end)
                return lo < hi ? (lo - w.start)..<(hi - w.start) : nil
            }
            #expect(w.matches == expected)
            let merged = Self.naiveMerge(ranges, length: value.count)
            if let first = merged.first {
                // The first match is shown: whole when it fits, else from its start.
                if first.count <= maxBytes - 3 {
                    #expect(w.start <= first.lowerBound && first.upperBound <= w.end, "\(first) in \(w.start)..<\(w.end)")
                } else {
                    #expect(w.start <= first.lowerBound + 3 && w.end > first.lowerBound)
                }
                // The window is as wide as the limit allows (up to one character cut at each end).
                #expect(w.end - w.start >= min(value.count, maxBytes) - 8)
            } else {
                #expect(w.start == 0)
            }
        }
    }

    @Test func scannerContextAndWindowOfAnEvent() throws {
        let rules = try RuleSet.compile(
            source: """
                pack demo { code "DEMO" }
                schema {
                    id: string
                    school: string
                    time: time
                    type: enum(email, chat)
                    author.id: string
                    author.name: string
                    author.role: enum(staff, pupil)
                    account.platform: string
                    recipients.name: list string
                    recipients.role: list enum(staff, pupil)
                    text: text
                }
                phrases offer { "text me" "text me on" }
                rule contact { severity serious message "m" when offer in text and phone in text }
                """, name: "demo.rules")
        let scanner = Scanner(rules: rules)
        try scanner.scanJSON(
            Array(
                #"""
                {"id":"e1","school":"DEMO","time":"2024-03-12T21:04:00+01:00","type":"chat","author":{"name":"Jo","role":"staff"},
                 "account":{"platform":"WhatsApp"},"recipients":[{"name":"Sam","role":"pupil"},{"name":"Alex"}],
                 "text":"Well done. text me on 07700 900456 tonight"}
                """#.utf8))
        let c = scanner.context()
        #expect(c.author == EventPerson(name: "Jo", role: "staff"))
        #expect(c.time == "2024-03-12T21:04:00+01:00")
        #expect(c.channelType == "chat" && c.platform == "WhatsApp" && c.school == "DEMO")
        #expect(c.recipients == [EventPerson(name: "Sam", role: "pupil"), EventPerson(name: "Alex")])
        let finding = try #require(scanner.findings.first)
        let w = try #require(scanner.evidenceWindow(for: finding))
        #expect(w.text == "Well done. text me on 07700 900456 tonight")
        // "text me" and "text me on" overlap: one merged match; the phone number another.
        let shown = w.matches.map { String(decoding: Array(w.text.utf8)[$0], as: UTF8.self) }
        #expect(shown == ["text me on", "07700 900456"])
    }
}

/// The people directory: numbers in E.164 however written, addresses without case, names without
/// case or extra spaces, header rows in any column order.
@Suite struct PeopleDirectoryMatchingTests {
    @Test func phoneNumbersAreComparedInE164() {
        let same = [
            "07700900111", "07700 900111", "+44 7700 900111", "+447700900111", "0044 7700 900111",
            "+44 (0)7700 900111", "(07700) 900-111", "07700.900.111", "\u{202A}+44 7700 900111\u{202C}", "+44\u{A0}7700\u{A0}900111"
        ]
        for s in same { #expect(PeopleDirectory.e164(s) == "+447700900111", "\(s)") }
        #expect(PeopleDirectory.e164("+1 (555) 010-9999") == "+15550109999")
        for s in ["Jo Bloggs", "jo@example.com", "12345", "7700900111", "+44 7700 900111 ext", "0", "++447700900111", "+0 7700 900111"] {
            #expect(PeopleDirectory.e164(s) == nil, "\(s)")
        }
    }

    @Test func peopleAreFoundHoweverTheyAreWritten() {
        let d = PeopleDirectory(people: [
            .init(address: "07700900111", name: "Jo  Bloggs", role: "staff", relation: ""),
            .init(address: "Sam.Pupil@Example.org", name: "Sam Pupil", role: "pupil", relation: "family")
        ])
        #expect(d.person(address: "+44 7700 900111")?.role == "staff")
        #expect(d.person(identity: "+44 7700 900111")?.name == "Jo  Bloggs")
        #expect(d.person(identity: "jo bloggs")?.role == "staff")
        #expect(d.person(address: "sam.pupil@example.ORG")?.role == "pupil")
        #expect(d.person(identity: "SAM PUPIL")?.relation == "family")
        #expect(d.person(identity: "Alex") == nil)
        #expect(d.count == 2)
    }

    @Test func headerRowsAreRecognisedInAnyOrder() throws {
        let dir = "/tmp/invigil-directory-\(getpid())"
        mkdir(dir, 0o755)
        func write(_ name: String, _ text: String) -> String {
            let path = dir + "/" + name
            let f = fopen(path, "w")!
            fputs(text, f)
            fclose(f)
            return path
        }
        let a = try PeopleDirectory(path: write("a.csv", "email,name,role\nj@x.example,Jo,staff\n"))
        #expect(a.count == 1)
        #expect(a.person(address: "J@X.example")?.role == "staff")
        let b = try PeopleDirectory(path: write("b.csv", "Name,Phone,Role,Relation\nSam,07700 900222,pupil,\n"))
        #expect(b.person(identity: "+44 7700 900222")?.name == "Sam")
        // No header: the first row is a person.
        let c = try PeopleDirectory(path: write("c.csv", "j@x.example,Jo,staff\n"))
        #expect(c.count == 1)
        do {
            _ = try PeopleDirectory(path: write("d.csv", "email,name,job\nj@x.example,Jo,staff\n"))
            Issue.record("a header without a role column was accepted")
        } catch {
            #expect(error.reason.contains("line 1: the header has no role column"))
        }
    }
}
