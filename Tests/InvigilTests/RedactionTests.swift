import Testing
import InvigilArchive
import InvigilReport

/// The masker against a reference on generated texts (built from tokens whose kind is known, so
/// the masked text and the moved match offsets can be written down independently), and the
/// pseudonyms' stability.
@Suite("Redaction")
struct RedactionTests {
    static let people: [(name: String, addresses: [String])] = [
        ("Jamie Harrow", ["j.harrow@school.example.sch.uk", "07700 900111"]),
        ("Sam Pupil", ["sam.pupil@pupils.example.sch.uk", "+44 7700 900222"]),
        ("Li Wei", ["li.wei@example.org"])
    ]

    enum Kind { case word, name, phone, email, url }

    static let words = ["hello", "the", "meet", "after", "class", "tonight", "text", "me", "our", "secret", "see", "you", "please", "café", "naïve"]
    static let names = ["Jamie Harrow", "jamie harrow", "JAMIE  HARROW", "Harrow", "Jamie", "Sam Pupil", "Pupil", "Li Wei", "li wei"]
    static let phones = ["07700 900123", "+44 7700 900456", "020 7946 0018", "07700900111"]
    static let emails = ["a.b@example.com", "sam.pupil@pupils.example.sch.uk", "x_y+z@mail.example.org"]
    static let urls = ["https://example.org/page", "www.example.net/x?y=1", "http://bit.ly/abc"]

    static func label(_ k: Kind) -> String {
        switch k {
        case .word: return ""
        case .name: return "[name]"
        case .phone: return "[phone]"
        case .email: return "[email]"
        case .url: return "[url]"
        }
    }

    /// Generated texts: the masker's output equals the reference's text, and every match moved
    /// to where the reference puts it (a policy word where it was, a masked value over its label).
    @Test func maskedTextAndOffsetsMatchTheReference() {
        let masker = TextMasker(masksContacts: true, masksNames: true, people: Self.people)
        var rng = SystemRandomNumberGenerator()
        for round in 0..<2000 {
            var tokens: [(text: String, kind: Kind)] = []
            for _ in 0..<Int.random(in: 1...14, using: &rng) {
                let roll = Int.random(in: 0..<10, using: &rng)
                var kind: Kind = roll < 5 ? .word : [.name, .phone, .email, .url, .name][roll - 5]
                // Two values side by side would read as one (two numbers as one long number).
                if kind != .word, let last = tokens.last, last.kind != .word { kind = .word }
                let text: String
                switch kind {
                case .word: text = Self.words.randomElement(using: &rng)!
                case .name: text = Self.names.randomElement(using: &rng)!
                case .phone: text = Self.phones.randomElement(using: &rng)!
                case .email: text = Self.emails.randomElement(using: &rng)!
                case .url: text = Self.urls.randomElement(using: &rng)!
                }
                tokens.append((text, kind))
            }
            var original = "", expected = ""
            var oldRanges: [Range<Int>] = [], newRanges: [Range<Int>] = []
            for (i, t) in tokens.enumerated() {
                if i > 0 {
                    let sep = Bool.random(using: &rng) ? " " : "\n"
                    original += sep; expected += sep
                }
                let o = original.utf8.count, e = expected.utf8.count
                original += t.text
                expected += t.kind == .word ? t.text : Self.label(t.kind)
                oldRanges.append(o..<original.utf8.count)
                newRanges.append(e..<expected.utf8.count)
            }
            // Policy words: some of the plain words. Matches: some tokens of any kind.
            var protected: [Range<Int>] = [], matches: [Range<Int>] = [], expectedMatches: [Range<Int>] = []
            for (i, t) in tokens.enumerated() {
                let isPolicyWord = t.kind == .word && Int.random(in: 0..<3, using: &rng) == 0
                if isPolicyWord { protected.append(oldRanges[i]) }
                if isPolicyWord || (t.kind != .word && Bool.random(using: &rng)) {
                    matches.append(oldRanges[i]); expectedMatches.append(newRanges[i])
                }
            }
            let masked = masker.mask(original, protected: protected, matches: matches)
            #expect(masked.text == expected, "round \(round): \(original.debugDescription)")
            #expect(masked.matches == mergedReference(expectedMatches), "round \(round): \(original.debugDescription)")
            // Each moved match covers what the reference says: the policy word, or a label.
            let bytes = Array(masked.text.utf8)
            for r in masked.matches where r.upperBound <= bytes.count {
                let covered = String(decoding: bytes[r], as: UTF8.self)
                #expect(
                    covered.split(whereSeparator: { $0 == " " || $0 == "\n" }).allSatisfy { w in
                        Self.words.contains(String(w)) || ["[name]", "[phone]", "[email]", "[url]"].contains(String(w))
                    }, "\(covered)")
            }
        }
    }

    /// A naive merge, apart from the code under test.
    func mergedReference(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var covered = Set<Int>()
        for r in ranges { covered.formUnion(r) }
        var out: [Range<Int>] = []
        var start: Int? = nil
        for i in 0...(covered.max().map { $0 + 1 } ?? 0) {
            if covered.contains(i) { if start == nil { start = i } } else if let s = start { out.append(s..<i); start = nil }
        }
        // Adjacent ranges stay apart (the masker's merge joins only overlaps).
        var split: [Range<Int>] = []
        for r in out {
            var pieces = ranges.filter { $0.overlaps(r) }.sorted { $0.lowerBound < $1.lowerBound }
            var current = pieces.removeFirst()
            for p in pieces {
                if p.lowerBound < current.upperBound {
                    current = current.lowerBound..<max(current.upperBound, p.upperBound)
                } else {
                    split.append(current); current = p
                }
            }
            split.append(current)
        }
        return split
    }

    @Test func policyWordsInsideAValueStayVisible() {
        let masker = TextMasker(masksContacts: true, masksNames: true, people: Self.people)
        let text = "add me snapchat.com/add/jamie_h now"
        let start = text.utf8.count - "snapchat.com/add/jamie_h now".utf8.count
        let r = masker.mask(text, protected: [start..<(start + 8)], matches: [start..<(start + 8)])
        #expect(r.text == "add me snapchat[url] now")
        #expect(r.matches == [7..<15])
    }

    @Test func cutEdgesMaskWhatIsLeftOfAValue() {
        let masker = TextMasker(masksContacts: true, masksNames: false)
        #expect(masker.mask("900123 call me at lunch on 0770", cutBefore: true, cutAfter: true).text == "[phone] call me at lunch on [phone]")
        #expect(masker.mask("ample.com/x then mail jo@exa", cutBefore: true, cutAfter: true).text == "[url] then mail [email]")
        #expect(masker.mask("ample words stay", cutBefore: true, cutAfter: true).text == "ample words stay")
        #expect(masker.mask("900123 stays when not cut").text == "900123 stays when not cut")
    }

    @Test func spelledOutNumbersAreMasked() {
        let masker = TextMasker(masksContacts: true, masksNames: false)
        let r = masker.mask("ring me on oh seven seven double oh nine oh oh one two three tonight")
        #expect(!r.text.contains("seven"), "\(r.text)")
        #expect(r.text.contains("[phone]"))
    }

    @Test func pseudonymsAreStableAndKeyed() throws {
        let directory = PeopleDirectory(people: [
            .init(address: "sam.pupil@pupils.example.sch.uk", name: "Sam Pupil", role: "pupil", relation: ""),
            .init(address: "07700900222", name: "Sam Pupil", role: "pupil", relation: "")
        ])
        let key = Array("0123456789abcdef0123".utf8)
        let a = Pseudonymiser(key: key, directory: directory)
        let b = Pseudonymiser(key: key, directory: directory)
        let other = Pseudonymiser(key: Array("another key, 16+ bytes".utf8), directory: directory)
        let byEmail = try #require(a.pseudonym(id: "Sam.Pupil@pupils.example.sch.uk", name: nil))
        #expect(byEmail.hasPrefix("person-") && byEmail.utf8.count == 17)
        #expect(a.pseudonym(id: "+44 7700 900222", name: nil) == byEmail, "phone, however written")
        #expect(a.pseudonym(id: nil, name: "sam  pupil") == byEmail, "name")
        #expect(b.pseudonym(id: nil, name: "Sam Pupil") == byEmail, "same key, same pseudonym")
        #expect(other.pseudonym(id: nil, name: "Sam Pupil") != byEmail, "another key, another pseudonym")
        #expect(a.pseudonym(id: "someone@else.example", name: nil) != byEmail)
        #expect(Pseudonymiser.key(fromFile: Array("short\n".utf8)) == nil)
        #expect(Pseudonymiser.key(fromFile: Array("0123456789abcdef\n".utf8)) == Array("0123456789abcdef".utf8))
        // In text, the directory's people become their pseudonyms, by name, email or number.
        let masker = TextMasker(
            masksContacts: false, masksNames: false,
            people: [("Sam Pupil", ["sam.pupil@pupils.example.sch.uk", "07700900222"])], pseudonyms: a)
        #expect(
            masker.mask("Sam Pupil (sam.pupil@pupils.example.sch.uk, 07700 900222) and 07700 900999").text
                == "\(byEmail) (\(byEmail), \(byEmail)) and 07700 900999")
    }
}
