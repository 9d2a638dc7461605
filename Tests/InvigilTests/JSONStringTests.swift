import Foundation
import Testing
@testable import Invigil

#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The event reader's strings: where a plain run ends (the SSE2 search against a byte loop), and
/// whole events with texts of every length and escapes at every position, against Foundation's
/// JSON parser as the reference.
@Suite struct JSONStringTests {
    /// Bytes that end a plain run, and others, at random positions and lengths around the
    /// sixteen-byte steps.
    @Test func plainRunEndsWhereTheByteLoopSaysFromEveryStart() {
        #if canImport(InvigilSIMD)
        var rng = SplitMix(seed: 71)
        let stops: [UInt8] = [0x22, 0x5C, 0x00, 0x0A, 0x1F]
        let others: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x61, 0x7F, 0x80, 0xC3, 0xFF]
        for _ in 0..<3000 {
            let n = Int.random(in: 0...80, using: &rng)
            let stopRate = [0, 1, 5, 30].randomElement(using: &rng)!
            let bytes: [UInt8] = (0..<n).map { _ in
                Int.random(in: 0..<100, using: &rng) < stopRate ? stops.randomElement(using: &rng)! : others.randomElement(using: &rng)!
            }
            bytes.withUnsafeBufferPointer { b in
                for from in 0...n {
                    var naive = from
                    while naive < n, !(b[naive] == 0x22 || b[naive] == 0x5C || b[naive] < 0x20) { naive += 1 }
                    #expect(ivg_json_plain_end(b.baseAddress, from, n) == naive)
                    #expect(ivg_json_plain_end_scalar(b.baseAddress, from, n) == naive)
                }
            }
        }
        #endif
    }

    /// Texts built from plain runs of every length, escapes, multi-byte characters and raw
    /// control characters: the reader takes exactly the strings Foundation takes, as the same
    /// text, and refuses the ones Foundation refuses.
    @Test func textsReadAsFoundationReadsThem() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        let text = try #require(scanner.slot(of: "text"))
        var rng = SplitMix(seed: 73)
        let pieces = [
            "a", "text me", String(repeating: "x", count: 15), String(repeating: "y", count: 16), String(repeating: "z", count: 17),
            "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "é", "😀", "\t", "\u{01}", "\\/", "\\q", "\\u12"
        ]
        for _ in 0..<2000 {
            var body = ""
            for _ in 0..<Int.random(in: 0...8, using: &rng) { body += pieces.randomElement(using: &rng)! }
            let json = "{\"id\":\"e\",\"text\":\"" + body + "\",\"subject\":\"s\"}"
            let reference = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
            do {
                try scanner.setJSON(Array(json.utf8))
                let read = String(decoding: scanner.bytes(field: text, valueIndex: 0), as: UTF8.self)
                #expect(reference?["text"] as? String == read, "\(json.debugDescription)")
            } catch {
                #expect(reference == nil, "refused \(json.debugDescription): \(error)")
            }
        }
    }
}

/// `withExcerptBytes` and `excerpt` against a naive decoding of the value's bytes: every span of texts with multi-byte
/// characters, including spans that cut one (repaired as `String(decoding:)` repairs them) and
/// spans out of range.
@Suite struct ExcerptBytesTests {
    @Test func excerptBytesAreTheExcerptsUTF8() throws {
        let rules = try RuleSet.compile(source: ScannerTests.source)
        let scanner = Scanner(rules: rules)
        let text = try #require(scanner.slot(of: "text"))
        for value in ["", "plain text me", "Héllo wörld 😀 ok", "日本語のテキスト"] {
            try scanner.setString("text", value)
            let n = value.utf8.count
            for start in -1...(n + 1) {
                for end in -1...(n + 1) {
                    let span = MatchSpan(field: text, valueIndex: 0, start: start, end: end, pattern: 0)
                    let bytes = scanner.withExcerptBytes(span) { Array($0) }
                    #expect(bytes == Array(scanner.excerpt(span).utf8), "\(value) \(start)..<\(end)")
                    // Both against the naive reference: the value's bytes in range, decoded with repairs.
                    let utf8 = Array(value.utf8)
                    let naive = start >= 0 && end <= n && start <= end ? String(decoding: utf8[start..<end], as: UTF8.self) : ""
                    #expect(bytes == Array(naive.utf8), "\(value) \(start)..<\(end)")
                }
            }
        }
    }
}
