// The C interface's per-scanner memory of field names (Sources/InvigilC/RecentFieldNames.swift)
// against the rule set's own look-up it stands in front of.

import Invigil
@testable import InvigilC
import Testing

@Suite("Recent field names")
struct RecentFieldNamesTests {
    /// Sixty-odd fields whose names share lengths and first, middle and last bytes (so that sets
    /// fill and entries are replaced), some longer than the names remembered; looked up in a
    /// generated order with unknown names, near misses, prefixes and extensions mixed in. Every
    /// answer is the rule set's.
    @Test func agreesWithTheRuleSetsLookUp() throws {
        var names: [String] = []
        for i in 0..<24 { names.append("f\(i)") }
        for i in 0..<16 { names.append("group.member_\(i)x") }
        for i in 0..<12 { names.append("a\(String(repeating: "b", count: i))c") }
        for i in 0..<6 { names.append("long.\(String(repeating: "n", count: 40 + i * 3)).end\(i)") }
        let schema = "schema {\n" + names.map { "    \($0): string\n" }.joined() + "}\n"
        let rules = try RuleSet.compile(source: schema + "rule r { severity info message \"m\" when exists(f0) }\n")
        let scanner = Scanner(rules: rules)
        let recent = RecentFieldNames()
        var queries = names
        for name in names.prefix(20) {
            queries.append(name + "z")
            queries.append(String(name.dropLast()))
            queries.append("z" + name.dropFirst())
        }
        queries += ["", "x", String(repeating: "q", count: 49), String(repeating: "q", count: 48)]
        var state: UInt64 = 3
        var hits = 0
        for _ in 0..<50_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Mostly a few names over and over, as a caller's events name them; sometimes any.
            let pick = Int(state >> 33)
            let name = pick % 4 == 0 ? queries[pick / 4 % queries.count] : names[pick / 4 % 7]
            var bytes = Array(name.utf8)
            let expected = bytes.withUnsafeBufferPointer { scanner.slot(ofUTF8: $0) }
            let got = bytes.withUnsafeBufferPointer { recent.slot(of: $0, in: scanner) }
            #expect(got == expected, "\(name)")
            if expected != nil { hits += 1 }
            bytes.removeAll()
        }
        #expect(hits > 30_000)
    }
}
