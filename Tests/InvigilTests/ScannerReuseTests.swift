import Testing
@testable import Invigil

/// A scanner reused from event to event (its JSON scratch and the buffers it
/// empties per event) reads each event as a fresh scanner does. Checked on
/// generated events whose keys change order, appear and vanish, nest, grow long, carry escapes
/// and dots, and come in large numbers: the same fields, the same findings, the same errors.
@Suite("Event JSON: a reused scanner")
struct ScannerReuseTests {
    /// One generated event: root members in a random order, some left out, some unknown.
    static func event(_ rng: inout SplitMix, _ i: Int) -> String {
        func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
        func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
        func object(_ members: [(String, String)]) -> String {
            var ms = members.filter { _ in chance(85) }
            ms.shuffle(using: &rng)
            return "{" + ms.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
        func person(_ role: String) -> String {
            object([
                ("id", "\"p-\(i)\""), ("role", "\"\(role)\""), ("name", "\"Name \(i)\""), ("status", "\"current\""),
                ("family", chance(50) ? "true" : "false")
            ])
        }
        var members: [(String, String)] = [
            ("id", "\"e-\(i)\""),
            ("school", pick(["\"DSAT\"", "\"PCHS\"", "\"BRAT\"", "\"CHER\"", "\"WOOL\"", "\"NONE\""])),
            ("type", pick(["\"email\"", "\"post\"", "\"direct_message\"", "\"comment\""])),
            ("time", pick(["\"2024-03-11T14:40:00+00:00\"", "\"2024-03-12T22:05:00Z\""])),
            ("author", person(pick(["staff", "pupil", "parent"]))),
            ("account", object([("kind", pick(["\"school\"", "\"personal\""])), ("platform", pick(["\"email\"", "\"facebook\"", "\"whatsapp\""]))])),
            ("recipients", "[" + (0..<Int(rng.next() % 4)).map { _ in person(pick(["staff", "pupil", "parent"])) }.joined(separator: ",") + "]"),
            ("device", pick(["\"school\"", "\"personal\""])),
            ("subject", "\"Attendance\""),
            ("text", pick(["\"add me on snap x\"", "\"See you at Bratton Primary tomorrow.\"", "\"hello\"", "\"text me on my mobile 07700 900123\""]))
        ]
        // Unknown members: short, long, nested, and lists of them.
        if chance(40) { members.append(("x-\(rng.next() % 5)", "\"ignored\"")) }
        if chance(30) { members.append((String(repeating: "long-key-", count: 5), "{\"inner\":{\"text\":\"not the text\"}}")) }
        if chance(30) { members.append(("extra", "[1,2,{\"a\":[true,null]}]")) }
        // Keys the path must read as written: an escape, a dotted path at the root, an empty key.
        if chance(20) { members.append(("te\\u0078t", "\"written with an escape\"")) }
        if chance(20) { members.append(("author.role", "\"staff\"")) }
        if chance(10) { members.append(("", "{\"device\":\"personal\"}")) }
        // A wrong type now and then: the event is an error.
        if chance(5) { members.append(("subject", "42")) }
        // Many members: more values than the scanner remembers positions for.
        if chance(15) { for k in 0..<70 { members.append(("filler\(k)", "\"v\"")) } }
        members.shuffle(using: &rng)
        return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// What a scanner holds after reading an event: every field's values as text, and findings.
    static func state(_ scanner: Scanner, _ rules: RuleSet) -> [String] {
        var out: [String] = []
        for f in 0..<rules.fields.count {
            for v in 0..<scanner.values.count(f) {
                out.append("\(rules.fields[f].name)[\(v)]=\(scanner.textValue(field: f, valueIndex: v) ?? "nil")")
            }
        }
        scanner.scan()
        out += scanner.findings.map { "finding \($0.rule)" }
        return out
    }

    @Test func reusedScannerReadsAsAFreshOne() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        var rng = SplitMix(seed: 2_026)
        let reused = Scanner(rules: rules)
        var read = 0, errors = 0
        for i in 0..<3_000 {
            let json = Array(Self.event(&rng, i).utf8)
            let fresh = Scanner(rules: rules)
            var reusedError: String? = nil, freshError: String? = nil
            do { try reused.setJSON(json) } catch { reusedError = error.description }
            do { try fresh.setJSON(json) } catch { freshError = error.description }
            #expect(reusedError == freshError, "event \(i)")
            if reusedError != nil {
                errors += 1
                continue
            }
            read += 1
            let a = Self.state(reused, rules), b = Self.state(fresh, rules)
            #expect(a == b, "event \(i): \(String(decoding: json, as: UTF8.self))")
            if a != b { return }
        }
        #expect(read > 2_000 && errors > 50)
    }
}
