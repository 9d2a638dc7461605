import Testing
@testable import Invigil

/// A naive, independent reading of the proximity definition (docs/rule-language.md): the whole
/// value is split into Unicode scalars, words and sentence ends up front, and every pair of
/// matches is tried. The engine instead reads only the bytes between the nearest pairs.
struct NaiveProximity {
    /// Byte ranges of the runs that make up each word.
    var words: [[Range<Int>]] = []
    /// Byte offsets of the characters that end a sentence.
    var sentenceEnds: [Int] = []

    static func isWordScalar(_ u: Unicode.Scalar) -> Bool {
        if u.isASCII {
            let c = Character(u)
            return c.isLetter || c.isNumber || c == "_"
        }
        if [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xAD].contains(u.value) { return true }
        let p = u.properties
        return p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark
    }

    init(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        var offsets: [Int] = []
        var o = 0
        for s in scalars { offsets.append(o); o += String(s).utf8.count }
        offsets.append(o)
        let raw = scalars.map(NaiveProximity.isWordScalar)
        var word = raw
        for i in scalars.indices where scalars[i] == "'" || scalars[i] == "." {
            word[i] = i > 0 && i + 1 < scalars.count && raw[i - 1] && raw[i + 1]
        }
        // Runs of word scalars: (first scalar, scalar count).
        var runs: [(Int, Int)] = []
        var i = 0
        while i < scalars.count {
            if word[i] {
                var j = i
                while j < scalars.count && word[j] { j += 1 }
                runs.append((i, j - i))
                i = j
            } else {
                i += 1
            }
        }
        func isLetter(_ k: Int) -> Bool { scalars[k].isASCII ? Character(scalars[k]).isLetter : word[k] }
        func alone(_ run: (Int, Int)) -> Bool { run.1 == 1 && isLetter(run.0) }
        let spacing: Set<Unicode.Scalar> = [" ", ".", "-", "*"]
        var current: [Range<Int>] = []
        var previous: (Int, Int)?
        for run in runs {
            let range = offsets[run.0]..<offsets[run.0 + run.1]
            if let p = previous, alone(p), alone(run), (p.0 + 1..<run.0).allSatisfy({ spacing.contains(scalars[$0]) }) {
                current.append(range)
            } else {
                if !current.isEmpty { words.append(current) }
                current = [range]
            }
            previous = run
        }
        if !current.isEmpty { words.append(current) }
        for k in scalars.indices {
            let s = scalars[k]
            if s == "\n" || s == "\r" { sentenceEnds.append(offsets[k]); continue }
            guard s == "." || s == "!" || s == "?" || s == "\u{2026}" else { continue }
            if k + 1 < scalars.count && word[k + 1] { continue }
            if s == ".", let run = runs.last(where: { $0.0 + $0.1 == k }), alone(run) { continue }
            sentenceEnds.append(offsets[k])
        }
    }

    /// Whether the gap `start..<end` has no sentence end and at most `window` words.
    func gapHolds(_ start: Int, _ end: Int, window: Int) -> Bool {
        if sentenceEnds.contains(where: { $0 >= start && $0 < end }) { return false }
        let inGap = words.filter { runs in runs.contains { $0.lowerBound < end && $0.upperBound > start } }.count
        return inGap <= window
    }

    /// Every pair of spans in one value: disjoint, `a` first (or either first unless ordered).
    func holds(_ a: [Range<Int>], _ b: [Range<Int>], window: Int, ordered: Bool) -> Bool {
        for x in a {
            for y in b {
                if x.upperBound <= y.lowerBound, gapHolds(x.upperBound, y.lowerBound, window: window) { return true }
                if !ordered, y.upperBound <= x.lowerBound, gapHolds(y.upperBound, x.lowerBound, window: window) { return true }
            }
        }
        return false
    }
}

@Suite("Proximity")
struct ProximityTests {
    static let windows = [0, 1, 2, 4]

    /// Lists with multi-word, overlapping and nested phrases, plain and normalised.
    static func source(normalize: String) -> String {
        var s = """
            schema { text: text  notes: list text }
            phrases a { \(normalize) "women" "black people" "people" "they" "st" }
            phrases b { \(normalize) "stupid" "are stupid" "vermin" "are" "people" }
            rule ma { severity info message "m" when a in text }
            rule mb { severity info message "m" when b in text }

            """
        for w in windows {
            s += "rule near\(w) { severity info message \"m\" when a near b within \(w) words in text }\n"
            s += "rule before\(w) { severity info message \"m\" when a before b within \(w) words in text }\n"
            s += "rule self\(w) { severity info message \"m\" when a near a within \(w) words in text }\n"
        }
        return s
    }

    static let tokens = [
        "women", "Women", "W O M E N", "w.o.m.e.n", "black people", "people", "they", "st", "are", "ARE",
        "stupid", "st*pid", "s t u p i d", "vermin", "all", "so", "don't", "they're", "I", "a", "b", "x",
        "3.47", "bit.ly", "é", "naïve", "日本", "😀", "Mr", "u", "r", "a.r.e", "'", "—", "…", "people's"
    ]
    static let separators = [
        " ", " ", " ", "  ", ", ", ". ", "! ", "? ", "\n", "...", " - ", "-", "*", ".", "…", " … ", "' ", " '", "\r\n", ".\u{200B}"
    ]

    static func text(_ rng: inout SplitMix) -> String {
        var s = ""
        for k in 0..<Int.random(in: 0...14, using: &rng) {
            if k > 0 { s += separators.randomElement(using: &rng)! }
            s += tokens.randomElement(using: &rng)!
        }
        return s
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    @Test(arguments: ["", "normalize: caseless", "normalize: spaced leet"])
    func agreesWithNaiveReferenceOnGeneratedTexts(normalize: String) throws {
        let rules = try RuleSet.compile(source: ProximityTests.source(normalize: normalize), name: "near.rules")
        let scanner = Scanner(rules: rules)
        var rng = SplitMix(seed: UInt64(normalize.utf8.count) &+ 77)
        let names = rules.rules.map { String($0.name.split(separator: "/").last!) }
        var held = 0
        var failures = 0
        for _ in 0..<1500 {
            let text = ProximityTests.text(&rng)
            try scanner.scanJSON(Array("{\"text\":\(ProximityTests.jsonString(text))}".utf8))
            let fired = Dictionary(uniqueKeysWithValues: scanner.findings.map { (names[$0.rule], $0) })
            func spans(_ rule: String) -> [Range<Int>] {
                guard let f = fired[rule] else { return [] }
                return scanner.matches[f.matches].map { $0.start..<$0.end }
            }
            let a = spans("ma"), b = spans("mb")
            let naive = NaiveProximity(text)
            for w in ProximityTests.windows {
                for (rule, expected) in [
                    ("near\(w)", naive.holds(a, b, window: w, ordered: false)),
                    ("before\(w)", naive.holds(a, b, window: w, ordered: true)),
                    ("self\(w)", naive.holds(a, a, window: w, ordered: true))
                ] {
                    let got = fired[rule] != nil
                    if got { held += 1 }
                    if got != expected {
                        failures += 1
                        Issue.record("\(rule) on \(ProximityTests.jsonString(text)): engine \(got), reference \(expected); a \(a) b \(b)")
                    }
                    if let r = names.firstIndex(of: rule) {
                        #expect(scanner.evaluateTree(rule: r) == got, "tree and bytecode disagree on \(rule)")
                    }
                    // The reported spans are matches of the lists, in qualifying pairs.
                    if let f = fired[rule] {
                        let reported = scanner.matches[f.matches].map { $0.start..<$0.end }
                        #expect(!reported.isEmpty)
                        let side = rule.hasPrefix("self") ? a : a + b
                        #expect(reported.allSatisfy { side.contains($0) }, "\(rule) reported \(reported)")
                    }
                }
            }
            if failures > 8 { return }
        }
        #expect(held > 300, "too few generated texts hold a proximity test: \(held)")
    }

    /// Spans from several values of a list field never pair across values.
    @Test func pairsStayInOneValue() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { notes: list text }
                phrases a { "women" }
                phrases b { "stupid" }
                rule r { severity info message "m" when a near b within 3 words in notes }
                """, name: "v.rules")
        let scanner = Scanner(rules: rules)
        #expect(try scanner.scanJSON(Array(#"{"notes":["women","stupid"]}"#.utf8)) == 0)
        #expect(try scanner.scanJSON(Array(#"{"notes":["x","women are stupid"]}"#.utf8)) == 1)
        #expect(scanner.matches.map { $0.valueIndex } == [1, 1])
    }

    @Test func wordsAndSentencesAsDocumented() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { text: text }
                phrases group { normalize: caseless spaced "women" }
                phrases bad { "stupid" }
                rule r1 { severity info message "m" when group before bad within 1 words in text }
                """, name: "d.rules")
        let scanner = Scanner(rules: rules)
        let cases: [(String, Bool)] = [
            ("women are stupid", true),
            ("women are so stupid", false),  // two words between
            ("women a r e stupid", true),  // spaced-out: one word
            ("w o m e n   are stupid", true),
            ("women aren't stupid", true),  // apostrophe inside a word
            ("women are. Stupid", false),  // sentence end
            ("women are\nstupid", false),  // line break
            ("women are… stupid", false),
            ("women 3.47 stupid", true),  // a dot inside a number does not end a sentence
            ("women, stupid", true),
            ("women bit.ly stupid", true),
            ("women i.e. stupid", false),  // "i.e" is one word, and the dot after it ends a sentence
            ("women a. stupid", true),  // a dot after a lone letter does not

            ("stupid women", false),  // order
            ("women! stupid", false)
        ]
        for (text, expected) in cases {
            try scanner.setJSON(Array("{\"text\":\(ProximityTests.jsonString(text))}".utf8))
            #expect((scanner.scan() == 1) == expected, "\(text)")
        }
    }

    @Test func quotedPhraseTakesTheOtherListsOptions() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { text: text }
                phrases group { normalize: caseless leet "women" }
                rule r { severity info message "m" when group before "are" within 0 words in text }
                rule s { severity info message "m" when "are" near "vermin" within 1 words in text }
                """, name: "q.rules")
        #expect(rules.matcherNames.contains("\"are\""))
        let scanner = Scanner(rules: rules)
        #expect(try scanner.scanJSON(Array(#"{"text":"W0MEN 4RE"}"#.utf8)) == 1)
        #expect(try scanner.scanJSON(Array(#"{"text":"vermin they are"}"#.utf8)) == 1)
        #expect(try scanner.scanJSON(Array(#"{"text":"the area"}"#.utf8)) == 0)
    }

    @Test func explainShowsTheNearPair() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { text: text }
                phrases group { "women" }
                phrases bad { "stupid" }
                rule r { severity info message "m" when group near bad within 2 words in text }
                """, name: "e.rules")
        let scanner = Scanner(rules: rules)
        try scanner.setJSON(Array(#"{"text":"stupid. women are so stupid"}"#.utf8))
        #expect(scanner.scan() == 1)
        var trace: [ConditionTrace] = []
        #expect(scanner.evaluateTree(rule: 0, trace: &trace))
        #expect(trace.count == 1)
        #expect(trace[0].text == "group near bad within 2 words in text   [matches: 1 and 2; near: \"women are so stupid\"@8]", "\(trace[0].text)")
        // The finding cites the pair, not the far "stupid".
        #expect(scanner.matches.map { scanner.excerpt($0) } == ["women", "stupid"])
        #expect(scanner.matches.map(\.start) == [8, 21])
        try scanner.setJSON(Array(#"{"text":"women. stupid"}"#.utf8))
        #expect(scanner.scan() == 0)
        trace = []
        #expect(!scanner.evaluateTree(rule: 0, trace: &trace))
        #expect(trace[0].text.hasSuffix("[matches: 1 and 1, none near enough]"), "\(trace[0].text)")
    }

    /// A negated proximity test selects the rule without either list matching.
    @Test func negatedAndDetectorOperands() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { text: text }
                phrases call { "call me" }
                rule n { severity info message "m" when not call near phone within 2 words in text }
                rule p { severity info message "m" when call before phone within 2 words in text }
                """, name: "n.rules")
        let scanner = Scanner(rules: rules)
        #expect(try scanner.scanJSON(Array(#"{"text":"hello"}"#.utf8)) == 1)
        #expect(try scanner.scanJSON(Array(#"{"text":"call me on 07700 900123"}"#.utf8)) == 1)
        #expect(rules.rules[scanner.findings[0].rule].name == "n/p")
    }

    @Test(
        arguments: [
            (
                "rule r { severity info message \"m\" when contact_offer nera contact_offer within 2 words in text }",
                "found 'nera'; did you mean 'near'?", "nera"
            ),
            (
                "rule r { severity info message \"m\" when contact_offer near contact_ofer within 2 words in text }",
                "unknown phrase list, host list or detector 'contact_ofer'; did you mean 'contact_offer'?", "contact_ofer"
            ),
            ("rule r { severity info message \"m\" when contact_offer near phone witin 2 words in text }", "expected 'within N words'", "witin"),
            ("rule r { severity info message \"m\" when contact_offer near phone within 2 wrds in text }", "did you mean 'words'?", "wrds"),
            ("rule r { severity info message \"m\" when contact_offer near phone within 2 words text }", "expected 'in' and a field", "text }"),
            (
                "rule r { severity info message \"m\" when contact_offer near phone within 51 words in text }", "outside the limit of 0 to 50 words",
                "51"
            ),
            ("rule r { severity info message \"m\" when contact_offer near phone within -1 words in text }", "outside the limit", "-1"),
            (
                "const s = \"x\"\nrule r { severity info message \"m\" when contact_offer near phone within s words in text }",
                "'s' is not an int constant", "s words"
            ),
            ("rule r { severity info message \"m\" when contact_offer near phone within 2 words in count }", "test text or string fields", "count }"),
            (
                "rule r { severity info message \"m\" when contact_offer near phone within 2 words in txt }",
                "unknown field 'txt'; did you mean 'text'?", "txt"
            ),
            ("rule r { severity info message \"m\" when contact_offer near \"\" within 2 words in text }", "empty phrase", "\"\""),
            ("rule r { severity info message \"m\" when \"x\" == 3 }", "a quoted phrase can only start a proximity test", "=="),
            (
                "rule r { severity info message \"m\" when contact_offer near 3 within 2 words in text }",
                "expected a phrase list, detector or quoted phrase after 'near'", "3 within"
            ),
            ("rule r { severity info message \"m\" when contact_offer near phone within \"2\" words in text }", "expected a number of words", "\"2\"")
        ] as [(String, String, String)])
    func diagnosticsPointAtTheProblem(_ source: String, _ fragment: String, _ anchor: String) {
        let full = baseSchema + source
        let bytes = Array(full.utf8)
        let needle = Array(anchor.utf8)
        let schemaLength = Array(baseSchema.utf8).count
        let ruleStart = (schemaLength...(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual(Array("rule".utf8)) } ?? schemaLength
        let offset = (ruleStart...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) } ?? -1
        let line = bytes[..<offset].filter { $0 == 10 }.count + 1
        let column = offset - (bytes[..<offset].lastIndex(of: 10).map { $0 + 1 } ?? 0) + 1
        let d = diagnostics(full)
        #expect(d.contains { $0.hasPrefix("\(line):\(column): ") && $0.contains(fragment) }, "want \(line):\(column) \(fragment), got \(d)")
    }

    @Test func windowMayBeAConstant() throws {
        let rules = try RuleSet.compile(
            source: baseSchema + """
                const gap = 1
                phrases bad { "stupid" }
                rule r { severity info message "m" when contact_offer before bad within gap words in text }
                """, name: "c.rules")
        let scanner = Scanner(rules: rules)
        #expect(try scanner.scanJSON(Array(#"{"text":"text me, stupid"}"#.utf8)) == 1)
        #expect(try scanner.scanJSON(Array(#"{"text":"text me you two stupid"}"#.utf8)) == 0)
    }
}
