import Testing
@testable import Invigil

@Suite("Scanner")
struct ScannerTests {
    static let source = """
        pack school { code "SCH" }
        schema {
            id: string
            school: string
            type: enum(post, direct_message)
            author.role: enum(staff, pupil)
            recipients.role: list enum(staff, pupil)
            recipients.family: list bool
            text: text
            subject: text
            time: time
            score: int
        }
        phrases offer { "text me" "add me on snap" }
        phrases exact { case: sensitive  "PCHS" }
        phrases part { match: substring  "snap" }
        rule contact {
            severity serious
            message "Contact offered."
            when author.role == staff and any recipients (role == pupil and not family == true) and offer in text
        }
        rule exact-case { severity info message "m" when exact in text }
        rule substring { severity info message "m" when count(part in text) >= 2 }
        rule subject-only { severity advice message "m" when offer in subject }
        """

    @Test func findingsCarryRuleSpansAndExcerpts() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        let json =
            #"{"id":"e1","type":"direct_message","author":{"role":"staff"},"recipients":[{"role":"staff"},{"role":"pupil","family":false}],"text":"Héllo, Text Me later or add me on snapchat"}"#
        #expect(try scanner.scanJSON(Array(json.utf8)) == 1)
        let f = scanner.findings[0]
        #expect(rules.rules[f.rule].name == "school/contact")
        let spans = scanner.matches[f.matches].map { "\($0.start)-\($0.end) \(scanner.excerpt($0)) \(rules.matcherNames[$0.pattern])" }
        #expect(spans == ["8-15 Text Me offer"])  // "add me on snap" is followed by "chat": not a whole word
        #expect(scanner.eventID == "e1")
    }

    @Test func anyTiesConditionsToOneRecipient() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        // The pupil is family; the non-family recipient is staff: no single recipient satisfies both.
        let json = #"{"author":{"role":"staff"},"recipients":[{"role":"pupil","family":true},{"role":"staff","family":false}],"text":"text me"}"#
        #expect(try scanner.scanJSON(Array(json.utf8)) == 0)
    }

    @Test func caseSensitiveAndSubstringLists() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        #expect(try scanner.scanJSON(Array(#"{"text":"pchs and PCHS"}"#.utf8)) == 1)
        #expect(scanner.matches.map { $0.start } == [9])
        #expect(try scanner.scanJSON(Array(#"{"text":"snapchat snaps"}"#.utf8)) == 1)
        #expect(try scanner.scanJSON(Array(#"{"text":"snapchat"}"#.utf8)) == 0)
    }

    @Test func schoolCodeSelectsThePack() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        let base = #""author":{"role":"staff"},"recipients":[{"role":"pupil"}],"text":"text me""#
        #expect(try scanner.scanJSON(Array("{\(base)}".utf8)) == 1)
        #expect(try scanner.scanJSON(Array("{\"school\":\"SCH\",\(base)}".utf8)) == 1)
        #expect(try scanner.scanJSON(Array("{\"school\":\"OTHER\",\(base)}".utf8)) == 0)
    }

    @Test func offsetsPointIntoTheDecodedValue() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        #expect(try scanner.scanJSON(Array(#"{"subject":"\u00e9\n text me"}"#.utf8)) == 1)
        let m = scanner.matches[0]
        #expect(m.start == 4 && m.end == 11)
        #expect(scanner.excerpt(m) == "text me")
    }

    @Test(
        arguments: [
            (#"{"text": 5}"#, "text"),
            (#"{"author": {"role": "teacher"}}"#, "author.role"),
            (#"{"score": 1.5}"#, "fractional"),
            (#"{"time": 1700000000}"#, "ISO 8601"),
            (#"{"time": "soon"}"#, "ISO 8601"),
            (#"{"recipients": {"role": "pupil"}}"#, "not an object"),
            (#"{"text": "a" "b"}"#, "expected ','"),
            (#"{"text": "unterminated}"#, "unterminated"),
            (#"{"text": "\ud800"}"#, "surrogate"),
            (#"["not an object"]"#, "expected a JSON object"),
            (#"{"text": "x"} trailing"#, "after the JSON object"),
            (#"{"text": "x",}"#, "quoted key"),
            (#"{"score": 99999999999999999999}"#, "64 bits"),
            ("", "empty")
        ] as [(String, String)])
    func malformedEventsAreErrors(_ json: String, _ fragment: String) throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        do {
            try scanner.scanJSON(Array(json.utf8))
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.message.contains(fragment), "\(json): \(error.message)")
        }
    }

    @Test func invalidUTF8AndNULBytes() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        var bad = Array(#"{"text":"ab"}"#.utf8)
        bad[10] = 0xFF
        #expect(throws: EventError.self) { try scanner.scanJSON(bad) }
        // A NUL inside a value is kept (as \u0000) and the phrase around it still matches.
        #expect(try scanner.scanJSON(Array(#"{"text":"x\u0000 text me"}"#.utf8)) == 0)
        #expect(scanner.valueCount(field: rules.field(named: "text")!) == 1)
        #expect(scanner.bytes(field: rules.field(named: "text")!, valueIndex: 0).count == 10)
    }

    @Test func deepJSONIsRejected() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        let deep = "{\"x\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        #expect(throws: EventError.self) { try scanner.scanJSON(Array(deep.utf8)) }
    }

    @Test func unknownFieldsAreIgnoredAndSettersCheckTypes() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        #expect(try scanner.scanJSON(Array(#"{"extra":{"deep":[1,2,{"a":null}]},"text":"hi"}"#.utf8)) == 0)
        #expect(throws: FieldError.unknownField("nope")) { try scanner.setString("nope", "x") }
        #expect(throws: FieldError.self) { try scanner.setBool("text", true) }
        #expect(throws: FieldError.self) { try scanner.setString("score", "3") }
        try scanner.setInt("score", 3)
        scanner.reset()
        try scanner.setString("author.role", "staff")
        try scanner.addString("recipients.role", "pupil")
        try scanner.setString("text", "text me")
        #expect(scanner.scan() == 1)
        // Findings are stable across reuse of the scanner.
        #expect(scanner.scan() == 1)
        scanner.reset()
        #expect(scanner.scan() == 0)
    }

    @Test func ruleNotNeedingAnyPhraseIsAlwaysEvaluatedAndOthersArePruned() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        // contact, exact-case, substring and subject-only all require a phrase.
        #expect(rules.alwaysRules.isEmpty)
        let r2 = try RuleSet.compile(source: ScannerTests.source + "\nrule plain { severity info message \"m\" when not offer in text }")
        #expect(r2.alwaysRules == [4])
    }

    @Test func timeBudgetStopsAScanAndSaysSo() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        try scanner.setString("author.role", "staff")
        try scanner.addString("recipients.role", "pupil")
        try scanner.setString("text", String(repeating: "text me ", count: 100_000))
        #expect(scanner.scan() == 1)
        #expect(!scanner.timedOut)
        scanner.timeBudgetNanoseconds = 1
        _ = scanner.scan()
        #expect(scanner.timedOut)
        scanner.timeBudgetNanoseconds = 0
        #expect(scanner.scan() == 1)
        #expect(!scanner.timedOut)
    }

    @Test func wholeWordsNextToPunctuationAndLetters() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source + "\nrule any-offer { severity info message \"m\" when offer in text }")
        let scanner = Scanner(rules: rules)
        let anyOffer = rules.rules.firstIndex { $0.name == "school/any-offer" }!
        for (text, expected) in [
            ("“text me”", true), ("text me…", true), ("text me😊", true), ("text me—now", true),
            ("text meé", false), ("étext me", false), ("text me日本", false)
        ] {
            try scanner.setJSON(Array("{\"text\":\"\(text)\"}".utf8))
            scanner.scan()
            #expect(scanner.findings.contains { $0.rule == anyOffer } == expected, "\(text)")
        }
    }
}
