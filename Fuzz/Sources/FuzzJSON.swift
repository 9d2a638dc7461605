import Invigil

/// `json`: the input is one event as JSON. Scanner.setJSON must accept it or throw an EventError
/// with an offset inside the input, never trap; an accepted event is scanned with the bundled
/// packs and its findings checked. After each input the same scanner scans a fixed event, to
/// check that a failed or odd event leaves nothing behind.
///
/// Differential, for an accepted event: a scanner that does not set cue lists' hits aside (so
/// runs no cue-free automaton), looks every key up (no remembered key order) and takes the
/// origins of `spaced` hits from a second normalisation (`OriginWindow`), and normalising ASCII
/// text under `spaced` before its scan (no `SpacedTextAutomaton`), finds exactly the
/// same (rules, spans, totals, truncation), and the rules that fire are those whose pack applies
/// and whose condition tree holds (the explanation's evaluator, which knows nothing of candidate
/// selection or guards). A rejected event is rejected by both, with the same message at the same
/// offset.
enum FuzzJSON {
    nonisolated(unsafe) static let scanner = Scanner(rules: packRules)
    nonisolated(unsafe) static let withoutDeferral: Scanner = {
        let s = Scanner(rules: packRules)
        s.defersCueHits = false
        s.remembersKeyOrder = false
        s.findsOriginsInText = false
        s.scansSpacedTextInPlace = false
        return s
    }()
    static let baseline: (event: [UInt8], findings: [Int]) = {
        let event = Array(
            #"{"id":"b","school":"WOOL","type":"post","time":"2024-01-17T10:35:00Z","author":{"role":"staff"},"account":{"kind":"personal","platform":"facebook"},"device":"personal","location":"grounds","text":"my mobile is 07700 900123, add me on facebook","recipients":[{"role":"pupil","status":"current"}]}"#
                .utf8)
        let s = Scanner(rules: packRules)
        do { try s.scanJSON(event) } catch { fuzzFail("baseline event: \(error)") }
        return (event, s.findings.map(\.rule))
    }()

    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        let scanner = Self.scanner
        do {
            try scanner.setJSON(data)
            scanner.scan()
            checkFindings(scanner)
            _ = scanner.eventID
            let other = Self.withoutDeferral
            try other.setJSON(data)
            other.scan()
            if describe(scanner) != describe(other) { fuzzFail("deferred cue hits changed the findings") }
            let holding = packRules.rules.indices.filter { scanner.packApplies(rule: $0) && scanner.evaluateTree(rule: $0) }
            if !scanner.timedOut && holding != scanner.findings.map(\.rule) {
                fuzzFail("rules fired \(scanner.findings.map(\.rule)), conditions hold for \(holding)")
            }
        } catch {
            if error.offset < 0 || error.offset > data.count {
                fuzzFail("error offset \(error.offset) outside \(data.count) bytes: \(error.message)")
            }
            do {
                try Self.withoutDeferral.setJSON(data)
                fuzzFail("rejected with a remembered key order only: \(error)")
            } catch let other {
                if other.description != error.description { fuzzFail("rejected as \(error) and as \(other)") }
            }
            if scanner.findings.count != 0 { fuzzFail("findings left after a failed event") }
        }
        do { try scanner.scanJSON(baseline.event) } catch { fuzzFail("baseline event failed after an input: \(error)") }
        if scanner.findings.map(\.rule) != baseline.findings { fuzzFail("baseline findings changed after an input") }
    }

    /// Everything a caller sees of a scan's findings, as text.
    static func describe(_ s: Scanner) -> [String] {
        s.findings.map { f in
            let spans = s.matches[f.matches].map { "\($0.field):\($0.valueIndex):\($0.start)-\($0.end):\($0.pattern)" }
            return "\(f.rule) \(f.matchTotal) \(f.truncated) \(s.stoppedEarly): " + spans.joined(separator: " ")
        }
    }
}
