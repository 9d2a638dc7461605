import Testing
import InvigilReport

/// The report's reading and grouping: the JSON reader, the findings reader, times, and one queue
/// entry per message with the most severe first.
@Suite("Report model")
struct ReportModelTests {
    @Test func jsonReaderReadsAndRefuses() throws {
        let v = try JSONValue.parse(Array(#" {"a":[1,-2.5e1,true,false,null],"s":"x\"\\\/\n\u00e9\ud83d\ude00"} "#.utf8))
        #expect(v["a"] == .array([.number(1), .number(-25), .bool(true), .bool(false), .null]))
        #expect(v["s"]?.string == "x\"\\/\né😀")
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01x", "\"\u{01}\"", "tru", "[1] 2", "\"\\x\"", "-", "1.", "1e"] {
            #expect(throws: JSONError.self, "\(bad.debugDescription)") { try JSONValue.parse(Array(bad.utf8)) }
        }
        let deep = String(repeating: "[", count: JSONValue.maxDepth + 1) + String(repeating: "]", count: JSONValue.maxDepth + 1)
        #expect(throws: JSONError.self) { try JSONValue.parse(Array(deep.utf8)) }
        let ok = String(repeating: "[", count: JSONValue.maxDepth) + String(repeating: "]", count: JSONValue.maxDepth)
        #expect(throws: Never.self) { try JSONValue.parse(Array(ok.utf8)) }
    }

    @Test func findingsReaderKeepsGoodLinesAndNamesBadOnes() {
        let text = """
            {"event":"e1","source":"a.jsonl:1","rule":"p/r","severity":"serious","clauses":["P-1"],"matches":[{"field":"text","start":3,"end":7,"pattern":"w","excerpt":"word"}],"window":{"text":"my word","field":"text","start":0,"end":7,"matches":[[3,7],[5,99]]}}
            not json
            {"event":"e2"}

            {"event":"e3","source":"a.jsonl:3","rule":"p/s","severity":"info","author":{"id":"u1","role":"staff"}}
            """
        let (findings, errors) = readFindings(jsonl: Array(text.utf8), name: "f.jsonl")
        #expect(findings.map(\.event) == ["e1", "e3"])
        #expect(errors.count == 2 && errors[0].hasPrefix("f.jsonl:2: error:") && errors[1].hasPrefix("f.jsonl:3: error:"))
        #expect(findings[0].window?.matches == [3..<7], "offsets outside the text are dropped")
        #expect(findings[1].author == FindingRecord.Person(id: "u1", role: "staff"))
    }

    /// Dates against a reference that counts days one by one.
    @Test func timesAgainstAReference() {
        func referenceDays(_ y: Int, _ m: Int, _ d: Int) -> Int {
            func leap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }
            let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            var days = 0
            if y >= 1970 { for year in 1970..<y { days += leap(year) ? 366 : 365 } } else { for year in y..<1970 { days -= leap(year) ? 366 : 365 } }
            for month in 1..<m { days += lengths[month - 1] + (month == 2 && leap(y) ? 1 : 0) }
            return days + d - 1
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let y = Int.random(in: 1900...2100, using: &rng), m = Int.random(in: 1...12, using: &rng), d = Int.random(in: 1...28, using: &rng)
            let h = Int.random(in: 0...23, using: &rng), mi = Int.random(in: 0...59, using: &rng)
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            let date = "\(y)-\(two(m))-\(two(d))"
            let base = Int64(referenceDays(y, m, d)) * 86_400 + Int64(h * 3600 + mi * 60)
            #expect(ReportTime.seconds("\(date)T\(two(h)):\(two(mi)):00Z") == base)
            #expect(ReportTime.seconds("\(date)T\(two(h)):\(two(mi)):00+01:30") == base - 5400)
            #expect(ReportTime.seconds("\(date)T\(two(h)):\(two(mi))-0200") == base + 7200)
            #expect(ReportTime.date(base) == date)
        }
        for bad in ["", "2024", "2024-13-01", "2024-01-01T25:00", "2024-01-01T10:00:00+1", "yesterday"] {
            #expect(ReportTime.seconds(bad) == nil, "\(bad)")
        }
    }

    /// One entry per message whatever the number of rules, most severe first; per-person and
    /// per-clause counts as a naive count gives them.
    @Test func groupingAgainstANaiveCount() {
        var rng = SystemRandomNumberGenerator()
        let severities = ReportModel.severities
        for _ in 0..<200 {
            var findings: [FindingRecord] = []
            for _ in 0..<Int.random(in: 0...60, using: &rng) {
                let e = Int.random(in: 0..<15, using: &rng)
                var f = FindingRecord(
                    event: "e\(e)", source: "a.jsonl:\(e)", rule: "p\(e % 3)/r\(Int.random(in: 0..<4, using: &rng))",
                    clauses: ["C-\(Int.random(in: 0..<5, using: &rng))"], severity: severities.randomElement(using: &rng)!)
                f.author = FindingRecord.Person(id: "u\(e % 4)")
                f.time = "2024-01-\(10 + e)T10:00:00Z"
                findings.append(f)
            }
            let model = ReportModel(findings: findings, catalogue: nil)
            let events = Set(findings.map(\.event))
            #expect(model.messages.count == events.count)
            #expect(model.messages.map(\.findings.count).reduce(0, +) == findings.count)
            for m in model.messages {
                let own = findings.filter { $0.event == m.event }
                #expect(m.rank == own.map { ReportModel.rank($0.severity) }.max())
                #expect(Set(m.findings.map(\.rule)) == Set(own.map(\.rule)))
            }
            #expect(zip(model.messages, model.messages.dropFirst()).allSatisfy { $0.rank >= $1.rank })
            for p in model.people {
                let own = Set(findings.filter { "id:" + ($0.author?.id ?? "") == p.key }.map(\.event))
                #expect(p.messages.count == own.count)
                #expect(p.counts.reduce(0, +) == own.count)
            }
            for c in model.clauses {
                #expect(c.messages.count == Set(findings.filter { $0.clauses.contains(c.id) }.map(\.event)).count)
            }
        }
    }
}
