// Every documented limit of the core (docs/limits.md) exceeded, with a clear error and no hang;
// pathological rule sets compiled in bounded time and memory or refused; and scans that stay
// linear. Wall-clock caps here are hang guards only (generous, so that debug and sanitizer builds
// pass), never speed measurements. The archive readers' limits (line, message and header bytes,
// MIME depth and parts) are exceeded in ArchiveCSVTests, ArchiveMailTests and ArchiveWhatsAppTests;
// the CSV cell count and chat message lines are exceeded here.

import Glibc
import Testing
@testable import Invigil
import InvigilArchive

@Suite("Limits")
struct LimitsTests {
    static let schema = """
        schema {
            text: text
            tags: list string
            recipients.role: list enum(staff, pupil)
            recipients.family: list bool
            n: int
        }

        """

    /// Diagnostics (kind, message) of compiling `source`, or [] when it compiles.
    static func problems(_ source: String) -> [(kind: Diagnostic.Kind, message: String)] {
        problems(bytes: Array(source.utf8))
    }

    static func problems(bytes: [UInt8]) -> [(kind: Diagnostic.Kind, message: String)] {
        do {
            _ = try RuleSet.compile(bytes: bytes, name: "limits.rules")
            return []
        } catch {
            return error.diagnostics.map { ($0.kind, $0.message) }
        }
    }

    static func seconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Runs `body`, expecting it to return within `cap` seconds (a hang guard, not a benchmark).
    static func hangGuard<T>(_ what: String, cap: Double = 60, _ body: () throws -> T) rethrows -> T {
        let start = seconds()
        let result = try body()
        let elapsed = seconds() - start
        #expect(elapsed < cap, "\(what) took \(elapsed) s (hang guard \(cap) s)")
        return result
    }

    static func tempDir() -> String {
        var template = Array("/tmp/invigil-limits-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: p!)
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot write \(path)")
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            precondition(n > 0)
            done += n
        }
        close(fd)
    }

    static func removeTree(_ dir: String) {
        for name in FileSystem.entries(of: dir) { unlink(dir + "/" + name) }
        rmdir(dir)
    }

    // MARK: - Rule sets

    @Test("a rule file over 16 MiB is refused, in memory and on disk")
    func ruleFileBytes() {
        var big = Array("# ".utf8)
        big += [UInt8](repeating: 0x61, count: Limits.ruleFileBytes + 1 - big.count)
        let p = Self.hangGuard("refusing a large source") { Self.problems(bytes: big) }
        #expect(p.count == 1)
        #expect(p.first?.kind == .limit)
        #expect(p.first?.message == "rule file is larger than the limit of \(Limits.ruleFileBytes) bytes")

        let dir = Self.tempDir()
        defer { Self.removeTree(dir) }
        Self.write(dir + "/big.rules", big)
        do {
            _ = try RuleSet.load(path: dir + "/big.rules")
            Issue.record("a rule file over the limit loaded")
        } catch {
            #expect(error.diagnostics.contains { $0.message.contains("larger than the limit of \(Limits.ruleFileBytes) bytes") })
        }
    }

    @Test("a rule set over 64 MiB in all is refused (lower level: five 15 MiB sources into one loader)")
    func ruleSetBytes() {
        // Sources that start with an invalid byte are measured, then refused at once without
        // parsing, so the test holds 15 MiB at a time and stays fast.
        var loader = Loader()
        let chunk = [UInt8](repeating: 0xFF, count: 15 << 20)
        for i in 0..<5 { loader.load(source: chunk, name: "part\(i).rules") }
        let messages = loader.diagnostics.map(\.message)
        #expect(messages.filter { $0 == "file is not valid UTF-8" }.count == 4)
        #expect(messages.contains("rule set is larger than the limit of \(Limits.ruleSetBytes) bytes in all"))
        #expect(loader.diagnostics.contains { $0.kind == .limit })
    }

    @Test("includes nest at most 32 files deep")
    func includeDepth() throws {
        let dir = Self.tempDir()
        defer { Self.removeTree(dir) }
        func chain(_ files: Int) {
            for name in FileSystem.entries(of: dir) { unlink(dir + "/" + name) }
            for i in 0..<files {
                let body =
                    i == files - 1
                    ? Self.schema + "rule last { severity info message \"m\" when n > 1 }\n"
                    : "include \"f\(i + 1).rules\"\n"
                Self.write(dir + "/f\(i).rules", Array(body.utf8))
            }
        }
        chain(Limits.includeDepth)
        let ok = try RuleSet.load(path: dir + "/f0.rules")
        #expect(ok.rules.count == 1)

        chain(Limits.includeDepth + 1)
        do {
            _ = try RuleSet.load(path: dir + "/f0.rules")
            Issue.record("33 nested includes loaded")
        } catch {
            #expect(error.diagnostics.contains { $0.kind == .limit && $0.message == "includes nest deeper than the limit of \(Limits.includeDepth)" })
        }
    }

    @Test("conditions nest at most 200 deep; a 50,000-deep chain is one error, quickly")
    func conditionDepth() {
        func rule(_ depth: Int) -> String {
            Self.schema + "rule r { severity info message \"m\" when "
                + String(repeating: "(", count: depth) + "n > 1" + String(repeating: ")", count: depth) + " }\n"
        }
        #expect(Self.problems(rule(Limits.conditionDepth - 1)).isEmpty)
        let over = Self.problems(rule(Limits.conditionDepth + 1))
        #expect(over.contains { $0.kind == .limit && $0.message == "condition nests deeper than the limit of \(Limits.conditionDepth)" })

        let deep = Self.hangGuard("a 50,000-deep chain", cap: 10) { Self.problems(rule(50_000)) }
        #expect(deep.filter { $0.message.contains("nests deeper than the limit") }.count == 1)
        let nots = Self.hangGuard("50,000 nots", cap: 10) {
            Self.problems(Self.schema + "rule r { severity info message \"m\" when " + String(repeating: "not ", count: 50_000) + "n > 1 }\n")
        }
        #expect(nots.filter { $0.message.contains("nests deeper than the limit") }.count == 1)
        let mixed = Self.hangGuard("50,000 alternating '(' and 'not'", cap: 10) {
            Self.problems(
                Self.schema + "rule r { severity info message \"m\" when "
                    + String(repeating: "(not ", count: 25_000) + "n > 1" + String(repeating: ")", count: 25_000) + " }\n")
        }
        #expect(mixed.filter { $0.message.contains("nests deeper than the limit") }.count == 1)
    }

    @Test("'any' groups do not nest")
    func anyNotNested() {
        let p = Self.problems(Self.schema + "rule r { severity info message \"m\" when any recipients (any recipients (role == pupil)) }\n")
        #expect(p.contains { $0.message == "'any' groups cannot be nested" })
    }

    @Test("a phrase is at most 1,024 bytes")
    func phraseBytes() {
        func source(_ n: Int) -> String {
            Self.schema + "phrases p { \"" + String(repeating: "x", count: n) + "\" }\nrule r { severity info message \"m\" when p in text }\n"
        }
        #expect(Self.problems(source(Limits.phraseBytes)).isEmpty)
        let p = Self.problems(source(Limits.phraseBytes + 1))
        #expect(p.contains { $0.kind == .limit && $0.message == "phrase is longer than the limit of \(Limits.phraseBytes) bytes" })
    }

    /// The phrase and rule limits are checked by the checker over the whole rule set. A source
    /// just above the real limits takes minutes to generate and parse under the sanitizers, so
    /// these tests run the same check with the limits lowered (the checker takes them as
    /// parameters; the defaults are `Limits.phrases` and `Limits.rules`).
    static func checkedProblems(_ source: String, maximumRules: Int = Limits.rules, maximumPhrases: Int = Limits.phrases) -> [Diagnostic] {
        var loader = Loader()
        loader.load(source: Array(source.utf8), name: "limits.rules")
        return Checker.check(loader.files, maximumRules: maximumRules, maximumPhrases: maximumPhrases).1
    }

    @Test("a rule set holds at most Limits.phrases phrases (checked with the limit lowered to 1,000)")
    func phrasesPerRuleSet() {
        var source = Self.schema
        for l in 0..<10 {
            source += "phrases p\(l) {"
            for k in 0..<(100 + (l == 9 ? 1 : 0)) { source += " \"a\(k)\"" }
            source += " }\n"
        }
        source += "rule r { severity info message \"m\" when p0 in text }\n"
        let refused = Self.checkedProblems(source, maximumPhrases: 1_000)
        #expect(refused.contains { $0.kind == .limit && $0.message == "1001 phrases exceed the limit of 1000" })
        #expect(Self.checkedProblems(source, maximumPhrases: 1_001).isEmpty)
        #expect(Limits.phrases == 1_000_000)
    }

    @Test("a rule set holds at most Limits.rules rules (checked with the limit lowered to 1,000)")
    func rulesPerRuleSet() {
        var source = Self.schema
        for i in 0...1_000 { source += "rule r\(i) { severity info message \"m\" when n > \(i) }\n" }
        let refused = Self.checkedProblems(source, maximumRules: 1_000)
        #expect(refused.contains { $0.kind == .limit && $0.message == "1001 rules exceed the limit of 1000" })
        #expect(Self.checkedProblems(source, maximumRules: 1_001).isEmpty)
        #expect(Limits.rules == 100_000)
    }

    // MARK: - Pathological rule sets

    @Test("100,000 phrases sharing prefixes compile in bounded time and memory, and match")
    func hundredThousandPhrasesSharingPrefixes() throws {
        // Every phrase starts with the same 24 bytes; the rest counts in base 26 ("...aaaa",
        // "...aaab", ...): a trie of about 2.4 million bytes of phrases with long shared paths.
        var source = Self.schema + "phrases p {\n"
        source.reserveCapacity(4 << 20)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        func suffix(_ i: Int) -> String {
            var i = i, s = ""
            for _ in 0..<4 { s.append(letters[i % 26]); i /= 26 }
            return s
        }
        for i in 0..<100_000 { source += "\"common prefix shared by \(suffix(i))\"\n" }
        source += "}\nrule r { severity info message \"m\" when p in text }\n"
        let rules = try Self.hangGuard("compiling 100,000 phrases", cap: 300) { try RuleSet.compile(source: source, name: "prefixes.rules") }
        #expect(rules.automaton.patternCount == 100_000)
        #expect(rules.memoryBytes < 256 << 20, "compiled form is \(rules.memoryBytes) bytes")
        let scanner = Scanner(rules: rules)
        try scanner.setString("text", "then: common prefix shared by \(suffix(99_999)) and common prefix shared by \(suffix(12_345)).")
        #expect(scanner.scan() == 1)
        #expect(scanner.matches.count == 2)
    }

    @Test("10,000 rules compile in bounded time and each fires on its own phrase")
    func tenThousandRules() throws {
        var source = Self.schema
        source.reserveCapacity(2 << 20)
        for i in 0..<10_000 {
            source += "phrases p\(i) { \"word\(i)\" }\nrule r\(i) { severity info message \"m\" when p\(i) in text and n != \(i) }\n"
        }
        let rules = try Self.hangGuard("compiling 10,000 rules", cap: 300) { try RuleSet.compile(source: source, name: "rules.rules") }
        #expect(rules.rules.count == 10_000)
        let scanner = Scanner(rules: rules)
        try scanner.setString("text", "word7 word9999 word123 nothing")
        try scanner.setInt("n", 123)
        #expect(scanner.scan() == 2)
        #expect(scanner.findings.map { rules.rules[$0.rule].name } == ["rules/r7", "rules/r9999"])
    }

    // MARK: - Events

    @Test("an event over 64 MiB is refused: as JSON and as string values")
    func eventBytes() throws {
        let rules = try RuleSet.compile(source: Self.schema + "rule r { severity info message \"m\" when n > 1 }\n")
        let scanner = Scanner(rules: rules)
        var json = Array(#"{"text":""#.utf8)
        json += [UInt8](repeating: 0x61, count: Limits.eventBytes + 1 - json.count - 2)
        json += Array(#""}"#.utf8)
        #expect(json.count == Limits.eventBytes + 1)
        do {
            try scanner.setJSON(json)
            Issue.record("an event over the limit was read")
        } catch {
            #expect(error.message == "event is larger than the limit of \(Limits.eventBytes) bytes")
        }
        json = []

        let slot = try #require(scanner.slot(of: "text"))
        let half = [UInt8](repeating: 0x62, count: Limits.eventBytes / 2)
        let tags = try #require(scanner.slot(of: "tags"))
        try half.withUnsafeBufferPointer { b in try scanner.setString(slot: slot, b, append: false, element: nil) }
        try half.withUnsafeBufferPointer { b in try scanner.setString(slot: tags, b, append: true, element: nil) }
        let one: [UInt8] = [0x63]
        #expect(throws: FieldError.tooLarge(field: "tags")) {
            try one.withUnsafeBufferPointer { b in try scanner.setString(slot: tags, b, append: true, element: nil) }
        }
        #expect(scanner.valueCount(field: tags) == 1, "the refused value was not added")
    }

    @Test("an event holds at most 100,000 values: set one by one and as a JSON list")
    func eventValues() throws {
        let rules = try RuleSet.compile(source: Self.schema + "rule r { severity info message \"m\" when n > 1 }\n")
        let scanner = Scanner(rules: rules)
        for i in 0..<Limits.eventValues { try scanner.setString("tags", "t\(i % 10)", append: true) }
        #expect(throws: FieldError.tooLarge(field: "tags")) { try scanner.setString("tags", "one more", append: true) }
        #expect(throws: FieldError.tooLarge(field: "n")) { try scanner.setInt("n", 1) }
        scanner.reset()
        try scanner.setString("tags", "after a reset", append: true)

        var json = #"{"tags":["#
        json.reserveCapacity(600_000)
        for i in 0...Limits.eventValues { json += i == 0 ? "\"x\"" : ",\"x\"" }
        json += "]}"
        do {
            try scanner.setJSON(Array(json.utf8))
            Issue.record("100,001 values were read")
        } catch {
            #expect(error.message.contains("too large"), "\(error.message)")
            #expect(!error.isSyntax)
            #expect(error.isLimit)  // LIMIT through the C interface, as from the setters
        }
        #expect(scanner.valueCount(field: try #require(scanner.slot(of: "tags"))) == 0, "a refused event leaves nothing set")
    }

    @Test("JSON nests at most 64 deep; 100,000 deep is refused without exhausting the stack")
    func jsonDepth() throws {
        let rules = try RuleSet.compile(source: Self.schema + "rule r { severity info message \"m\" when n > 1 }\n")
        let scanner = Scanner(rules: rules)
        func nested(_ depth: Int, open: String = "[", close: String = "]") -> [UInt8] {
            // `depth` counts the event object itself.
            Array(("{\"unknown\":" + String(repeating: open, count: depth - 1) + "1" + String(repeating: close, count: depth - 1) + ",\"n\":2}").utf8)
        }
        // The event object, 62 lists, and the number inside them: 64 levels.
        try scanner.setJSON(nested(Limits.jsonDepth - 1))
        for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
            do {
                try scanner.setJSON(nested(Limits.jsonDepth + 1, open: open, close: close))
                Issue.record("JSON deeper than the limit was read")
            } catch {
                #expect(error.message == "JSON nests deeper than the limit of \(Limits.jsonDepth)")
            }
            let deep = nested(100_000, open: open, close: close)
            Self.hangGuard("100,000-deep JSON", cap: 10) {
                #expect(throws: EventError.self) { try scanner.setJSON(deep) }
            }
        }
        // In a declared field too.
        #expect(throws: EventError.self) {
            try scanner.setJSON(Array(("{\"tags\":" + String(repeating: "[", count: 100_000)).utf8))
        }
    }

    @Test("JSON numbers are 64-bit integers")
    func jsonNumbers() throws {
        let rules = try RuleSet.compile(source: Self.schema + "rule r { severity info message \"m\" when n > 1 }\n")
        let scanner = Scanner(rules: rules)
        try scanner.setJSON(Array(#"{"n": 9223372036854775807}"#.utf8))
        try scanner.setJSON(Array(#"{"n": -9223372036854775808}"#.utf8))
        for bad in [#"{"n": 9223372036854775808}"#, #"{"n": -9223372036854775809}"#, #"{"n": 1"# + String(repeating: "0", count: 10_000) + "}"] {
            do {
                try scanner.setJSON(Array(bad.utf8))
                Issue.record("\(bad.prefix(40)) was read")
            } catch {
                #expect(error.message == "number does not fit 64 bits")
            }
        }
    }

    @Test("a time budget stops a scan and says so")
    func timeBudget() throws {
        var source = Self.schema
        for i in 0..<200 { source += "rule r\(i) { severity info message \"m\" when n > \(i) }\n" }
        let rules = try RuleSet.compile(source: source)
        let scanner = Scanner(rules: rules)
        try scanner.setInt("n", 1_000)
        try scanner.setString("text", String(repeating: "some text ", count: 10_000))
        scanner.timeBudgetNanoseconds = 1
        scanner.scan()
        #expect(scanner.timedOut)
        #expect(scanner.findings.count < 200)
        scanner.timeBudgetNanoseconds = 0
        #expect(scanner.scan() == 200)
        #expect(!scanner.timedOut)
    }

    // MARK: - Archive readers (the limits not exceeded elsewhere)

    @Test("a CSV record holds at most 10,000 cells")
    func csvColumns() throws {
        let dir = Self.tempDir()
        defer { Self.removeTree(dir) }
        let path = dir + "/wide.csv"
        let wide = Array(repeating: "x", count: ArchiveLimits.csvColumns + 1).joined(separator: ",")
        Self.write(path, Array(("text\nbefore\n" + wide + "\nafter\n").utf8))
        var source = try CSVSource(path: path)
        var events = 0
        var rejected: [String] = []
        while let r = source.next() {
            if case .rejected(let why) = r.payload { rejected.append(r.source + ": " + why) } else { events += 1 }
        }
        #expect(events == 2)
        #expect(rejected.count == 1)
        #expect(rejected.first?.hasPrefix(path + ":3") == true, "\(rejected)")
    }

    @Test("a chat message holds at most 100,000 lines")
    func chatMessageLines() throws {
        let dir = Self.tempDir()
        defer { Self.removeTree(dir) }
        let path = dir + "/chat.txt"
        var text = "01/02/2024, 10:00 - A: before\n01/02/2024, 10:01 - B: first line\n"
        text.reserveCapacity(300_000)
        for _ in 0..<ArchiveLimits.chatMessageLines { text += "x\n" }
        text += "01/02/2024, 10:02 - C: after\n"
        Self.write(path, Array(text.utf8))
        var source = try WhatsAppSource(path: path)
        var events = 0
        var rejected = 0
        try Self.hangGuard("reading 100,001 continuation lines") {
            while let r = source.next() {
                if case .rejected = r.payload { rejected += 1 } else { events += 1 }
            }
        }
        #expect(events == 2)
        #expect(rejected == 1)
    }

    // MARK: - Linear scanning

    @Test("the automaton's work grows exactly with the input: 4n bytes give 4 times the hits of n")
    func automatonLinear() {
        // Adversarial patterns: every run of a's is a match of up to 32 patterns at every byte,
        // and the near-misses ("aaa...b") keep the automaton deep in the trie.
        var patterns: [[UInt8]] = (1...32).map { [UInt8](repeating: 0x61, count: $0) }
        patterns += (1...32).map { [UInt8](repeating: 0x61, count: $0) + [0x62] }
        patterns += [Array("abab".utf8), Array("baba".utf8), Array("b".utf8)]
        // One unit of text begins and ends with a byte no pattern holds, so that no match crosses
        // from one copy of the unit into the next.
        var unit = Array(" ".utf8)
        unit += [UInt8](repeating: 0x61, count: 100) + Array("b abababab ".utf8) + [UInt8](repeating: 0x61, count: 31) + Array("bb\n".utf8)
        for budget in [24 << 20, 0] {
            let automaton = Automaton(patterns: patterns, denseBudgetBytes: budget)
            func measure(_ copies: Int) -> (hits: Int, matches: Int) {
                var text: [UInt8] = []
                for _ in 0..<copies { text += unit }
                var hits: [AutomatonHit] = []
                automaton.scan(text, into: &hits)
                return (hits.count, automaton.matches(in: text).count)
            }
            let n = 100  // copies: 15 KB, so that 4n (60 KB) crosses 16 KiB scan blocks
            let small = measure(n)
            let large = Self.hangGuard("scanning 4n", cap: 30) { measure(4 * n) }
            #expect(small.hits > 0)
            #expect(large.hits == 4 * small.hits, "budget \(budget)")
            #expect(large.matches == 4 * small.matches, "budget \(budget)")
        }
    }

    @Test(
        "detectors finish on 100 KB adversarial inputs",
        arguments: [
            "@", "0", "+(", "www.", "a@", "@a.", ".", "-", "http://", "1-", "(0", "+44 ", "a.b", "x@y.z ", "http://a.b/", "@@..",
            "0 7 7 0 0 ", "zero seven ", "oh ", "one two three "
        ])
    func detectorsAdversarial(_ unit: String) {
        var text: [UInt8] = []
        let u = Array(unit.utf8)
        while text.count < 100_000 { text += u }
        var counts = (0, 0, 0)
        // Linear by construction (a phone candidate spans at most 15 digits and single separators),
        // but "1-1-1-..." starts a candidate at every digit: about 5 s in a debug build under
        // AddressSanitizer. The cap only catches a hang.
        Self.hangGuard("detectors on 100 KB of '\(unit)'", cap: 30) {
            text.withUnsafeBufferPointer { t in
                Detectors.phones(in: t) { _, _ in counts.0 += 1 }
                Detectors.emails(in: t) { _, _, _ in counts.1 += 1 }
                Detectors.urls(in: t) { _, _, _, _ in counts.2 += 1 }
                _ = Detectors.host(ofField: t)
            }
        }
        // Each match is reported once: no more matches than bytes.
        #expect(counts.0 <= text.count && counts.1 <= text.count && counts.2 <= text.count)
    }

    @Test("a scan with every detector and a normalised list finishes on adversarial text")
    func scannerAdversarial() throws {
        let rules = try RuleSet.compile(
            source: Self.schema + """
                phrases loose { normalize: caseless confusables leet spaced  "text me" "snapchat" }
                rule r { severity info message "m" when phone in text or email in text or url in text or loose in text or count(loose in text) > 3 }

                """)
        let scanner = Scanner(rules: rules)
        for unit in ["@", "0", "+(", "www.", "s n a p ", "t.e.x.t m.e ", "5n4pch47 "] {
            var text = ""
            while text.utf8.count < 100_000 { text += unit }
            try scanner.setString("text", text)
            Self.hangGuard("scanning 100 KB of '\(unit)'", cap: 10) { _ = scanner.scan() }
        }
    }
}
