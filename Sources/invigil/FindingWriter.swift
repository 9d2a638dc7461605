import Invigil
import InvigilReport

enum FindingFormat: String { case jsonl, csv, text }

/// The CSV header: the contract's eight columns, then the finding's context, then three empty
/// columns for the person who reviews it.
let csvHeader =
    "event,source,rule,clauses,severity,action,message,excerpt,author_id,author_name,author_role,time,channel,platform,recipients,window,reviewed,outcome,notes"

/// Formats the findings of the scanner's current event, with the event's context (author, time,
/// channel, recipients) and each finding's evidence window.
struct FindingWriter {
    let rules: RuleSet
    /// `rules.rules`, read once: a loaded rule set's descriptions sit behind a once-only gate,
    /// which cost a few hundred instructions per finding when read per finding.
    let ruleInfos: [RuleInfo]
    let format: FindingFormat
    let minimum: Severity
    let packFilter: Set<String>
    let colour: Bool
    /// `--redact` and `--pseudonymise`: applied before any format is written.
    var redactor: Redactor = .none
    /// `--report`: every finding is also written as JSONL into the tally's `reportRecords`.
    var copiesForReport = false
    /// The JSON of what each finding of a rule repeats, and of field and matcher names, made once.
    let fragments: JSONFragments

    init(rules: RuleSet, format: FindingFormat, minimum: Severity, packFilter: Set<String>, colour: Bool) {
        self.rules = rules
        ruleInfos = rules.rules
        self.format = format
        self.minimum = minimum
        self.packFilter = packFilter
        self.colour = colour
        fragments = JSONFragments(rules: rules)
    }

    /// This writer's settings over `rules`, a copy of its rule set (a worker's own, see
    /// `RuleReplicaSource`): the descriptions and fragments are made again from the copy, so that
    /// writing a finding touches no array another thread's writer touches.
    func rebound(to rules: RuleSet) -> FindingWriter {
        var copy = FindingWriter(rules: rules, format: format, minimum: minimum, packFilter: packFilter, colour: colour)
        copy.redactor = redactor
        copy.copiesForReport = copiesForReport
        return copy
    }

    /// The JSON text that findings repeat, escaped once rather than for every finding: per rule,
    /// everything from `"rule"` to the opening of `"matches"`; the field and matcher names as
    /// JSON strings.
    struct JSONFragments: Sendable {
        let ruleHeads: [[UInt8]]
        let fieldNames: [[UInt8]]
        let matcherNames: [[UInt8]]

        init(rules: RuleSet) {
            let out = FindingBytes()
            ruleHeads = rules.rules.map { rule in
                out.removeAll()
                out.appendLiteral(",\"rule\":"); out.appendJSONString(rule.name)
                out.appendLiteral(",\"clauses\":[")
                for (i, c) in rule.clauses.enumerated() {
                    if i > 0 { out.append(0x2C) }
                    out.appendJSONString(c)
                }
                out.appendLiteral("],\"severity\":"); out.appendJSONString(rule.severity.name)
                out.appendLiteral(",\"action\":"); out.appendJSONString(rule.action)
                out.appendLiteral(",\"message\":"); out.appendJSONString(rule.message)
                out.appendLiteral(",\"matches\":[")
                return Array(out.bytes)
            }
            func quoted(_ name: String) -> [UInt8] {
                out.removeAll()
                out.appendJSONString(name)
                return Array(out.bytes)
            }
            fieldNames = rules.fields.map { quoted($0.name) }
            matcherNames = rules.matcherNames.map(quoted)
        }
    }

    /// Writes the findings of the scanner's current event into `result`'s output; `record` is
    /// the calling thread's scratch for one JSONL record.
    func write(_ scanner: Scanner, source: String, into result: inout ScanTally, record: FindingBytes) {
        let eventID = scanner.eventID ?? source
        // Made once per event with findings, and shared by its findings' items (a reference: a
        // copy of the context per finding retained and released each of its strings).
        var context: SharedContext? = nil
        for finding in scanner.findings {
            // The rule's fields read where they lie: a copy of its description retained and
            // released each of its strings for every finding.
            let severity = ruleInfos[finding.rule].severity
            if severity < minimum { continue }
            if !packFilter.isEmpty && !packFilter.contains(ruleInfos[finding.rule].pack) { continue }
            result.findings += 1
            result.bySeverity[severity.rawValue] += 1
            result.byRule[finding.rule, default: 0] += 1
            if context == nil { context = SharedContext(scanner.context()) }
            var item = Item(
                scanner: scanner, finding: finding, id: eventID, source: source,
                shared: context!, window: scanner.evidenceWindow(for: finding))
            if redactor.isActive { item.redact(redactor, rules: rules) }
            switch format {
            case .jsonl:
                jsonl(item, record)
                result.output.append(contentsOf: record.bytes)
            case .csv: csv(item, &result.output)
            case .text: text(item, &result.output)
            }
            if copiesForReport {
                // The report reads JSONL whatever the output's format; a JSONL output's record
                // is already made.
                if format != .jsonl { jsonl(item, record) }
                result.reportRecords.append(contentsOf: record.bytes)
            }
        }
    }

    /// One finding and what is written with it.
    private struct Item {
        let scanner: Scanner
        let finding: Finding
        var id: String
        let source: String
        var shared: SharedContext
        /// The event's context (masked once `redact` has run).
        var context: EventContext { shared.value }
        var window: EvidenceWindow?
        /// Each span's excerpt, when redaction replaced them.
        var redactedExcerpts: [String]? = nil
        var redactedMerged: [String]? = nil

        var spans: ArraySlice<MatchSpan> { scanner.matches[finding.matches] }

        func excerpt(_ i: Int, _ m: MatchSpan) -> String { redactedExcerpts?[i] ?? scanner.excerpt(m) }

        /// Masks the event id, the people, the window and the excerpts (see `Redactor`). The
        /// window's policy words are its phrase and host list matches.
        mutating func redact(_ redactor: Redactor, rules: RuleSet) {
            let detectorsFrom = rules.matcherNames.count - Detector.allCases.count
            id = redactor.text(id)
            func masked(_ p: EventPerson) -> EventPerson {
                let r = redactor.person(id: p.id, name: p.name, role: p.role)
                return EventPerson(id: r.id, name: r.name, role: r.role)
            }
            var masking = context
            masking.author = masking.author.map(masked)
            masking.recipients = masking.recipients.map(masked)
            shared = SharedContext(masking)
            redactedExcerpts = spans.map { redactor.excerpt(scanner.excerpt($0), pattern: rules.matcherNames[$0.pattern]) }
            if var w = window {
                var protected: [Range<Int>] = []
                for m in spans where m.pattern < detectorsFrom && m.field == w.field && m.valueIndex == w.valueIndex {
                    let s = max(0, m.start - w.start), e = min(w.end - w.start, m.end - w.start)
                    if s < e { protected.append(s..<e) }
                }
                let r = redactor.window(
                    text: w.text, matches: w.matches, protected: protected,
                    cutBefore: w.start > 0, cutAfter: w.end < w.valueLength)
                w.text = r.text
                w.matches = r.matches
                window = w
            }
            redactedMerged = mergedExcerpts(redactor, detectorsFrom: detectorsFrom)
        }

        /// The matched texts with overlapping matches merged, per value, in order; masked but
        /// for their policy words when a redactor is given.
        func mergedExcerpts(_ redactor: Redactor? = nil, detectorsFrom: Int = 0) -> [String] {
            var byValue: [(field: Int, value: Int, ranges: [Range<Int>])] = []
            for m in spans {
                if let i = byValue.firstIndex(where: { $0.field == m.field && $0.value == m.valueIndex }) {
                    byValue[i].ranges.append(m.start..<m.end)
                } else {
                    byValue.append((m.field, m.valueIndex, [m.start..<m.end]))
                }
            }
            var out: [String] = []
            for v in byValue {
                let bytes = scanner.bytes(field: v.field, valueIndex: v.value)
                for r in EvidenceWindows.merge(v.ranges) where r.upperBound <= bytes.count {
                    let base = bytes.startIndex
                    let text = String(decoding: bytes[(base + r.lowerBound)..<(base + r.upperBound)], as: UTF8.self)
                    guard let redactor else { out.append(text); continue }
                    var protected: [Range<Int>] = []
                    for m in spans where m.pattern < detectorsFrom && m.field == v.field && m.valueIndex == v.value {
                        let s = max(r.lowerBound, m.start) - r.lowerBound, e = min(r.upperBound, m.end) - r.lowerBound
                        if s < e { protected.append(s..<e) }
                    }
                    out.append(redactor.window(text: text, matches: [], protected: protected, cutBefore: false, cutAfter: false).text)
                }
            }
            return out
        }
    }

    // MARK: JSONL

    /// The finding's JSONL record (`spec/command-and-output.md`), in `out` from its start.
    private func jsonl(_ item: Item, _ out: FindingBytes) {
        out.removeAll()
        out.appendLiteral("{\"event\":"); out.appendJSONString(item.id)
        out.appendLiteral(",\"source\":"); out.appendJSONString(item.source)
        out.append(fragments.ruleHeads[item.finding.rule])
        for (i, m) in item.spans.enumerated() {
            if i > 0 { out.append(0x2C) }
            out.append(0x7B)
            appendPlace(field: m.field, valueIndex: m.valueIndex, start: m.start, end: m.end, to: out)
            out.appendLiteral(",\"pattern\":"); out.append(fragments.matcherNames[m.pattern])
            out.appendLiteral(",\"excerpt\":")
            if let redacted = item.redactedExcerpts?[i] {
                out.appendJSONString(redacted)
            } else {
                item.scanner.withExcerptBytes(m) { out.appendJSONString($0) }
            }
            out.append(0x7D)
        }
        out.append(0x5D)
        // The scanner stores a bounded number of spans per event: say when this list was cut.
        if item.finding.truncated {
            out.appendLiteral(",\"matches_truncated\":true,\"match_total\":")
            out.appendDecimal(item.finding.matchTotal)
        }
        let c = item.context
        if let author = c.author { out.appendLiteral(",\"author\":"); jsonPerson(author, out) }
        if let time = c.time { out.appendLiteral(",\"time\":"); out.appendJSONString(time) }
        if c.channelType != nil || c.platform != nil {
            out.appendLiteral(",\"channel\":{")
            var first = true
            if let t = c.channelType { out.appendLiteral("\"type\":"); out.appendJSONString(t); first = false }
            if let p = c.platform {
                if !first { out.append(0x2C) }
                out.appendLiteral("\"platform\":"); out.appendJSONString(p)
            }
            out.append(0x7D)
        }
        if !c.recipients.isEmpty {
            out.appendLiteral(",\"recipients\":[")
            for (i, r) in c.recipients.enumerated() {
                if i > 0 { out.append(0x2C) }
                jsonPerson(r, out)
            }
            out.append(0x5D)
        }
        if let w = item.window {
            out.appendLiteral(",\"window\":{\"text\":"); out.appendJSONString(w.text)
            out.append(0x2C)
            appendPlace(field: w.field, valueIndex: w.valueIndex, start: w.start, end: w.end, to: out)
            out.appendLiteral(",\"matches\":[")
            for (i, r) in w.matches.enumerated() {
                if i > 0 { out.append(0x2C) }
                out.append(0x5B)
                out.appendDecimal(r.lowerBound)
                out.append(0x2C)
                out.appendDecimal(r.upperBound)
                out.append(0x5D)
            }
            out.appendLiteral("]}")
        }
        out.appendLiteral("}\n")
    }

    /// `"field":F` (and `,"index":I` for a list field), `,"start":S,"end":E`: where a match or a
    /// window lies.
    private func appendPlace(field: Int, valueIndex: Int, start: Int, end: Int, to out: FindingBytes) {
        out.appendLiteral("\"field\":")
        out.append(fragments.fieldNames[field])
        if rules.fields[field].isList {
            out.appendLiteral(",\"index\":")
            out.appendDecimal(valueIndex)
        }
        out.appendLiteral(",\"start\":")
        out.appendDecimal(start)
        out.appendLiteral(",\"end\":")
        out.appendDecimal(end)
    }

    private func jsonPerson(_ p: EventPerson, _ out: FindingBytes) {
        out.append(0x7B)
        var first = true
        func member(_ key: StaticString, _ value: String?) {
            guard let value else { return }
            if !first { out.append(0x2C) }
            first = false
            out.appendLiteral(key)
            out.appendJSONString(value)
        }
        member("\"id\":", p.id)
        member("\"name\":", p.name)
        member("\"role\":", p.role)
        out.append(0x7D)
    }

    // MARK: CSV

    static func csvCell(_ value: String, into out: inout [UInt8]) {
        var v = Array(value.utf8)
        if let first = v.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains(first) { v.insert(0x27, at: 0) }
        let needsQuotes = v.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if needsQuotes {
            out.append(0x22)
            for b in v { if b == 0x22 { out.append(0x22) }; out.append(b) }
            out.append(0x22)
        } else {
            out += v
        }
    }

    private func csv(_ item: Item, _ out: inout [UInt8]) {
        let rule = ruleInfos[item.finding.rule]
        let c = item.context
        let recipients = c.recipients.map(describe).joined(separator: "; ")
        let cells = [
            item.id, item.source, rule.name, rule.clauses.joined(separator: ","), rule.severity.name, rule.action,
            rule.message, (item.redactedMerged ?? item.mergedExcerpts()).joined(separator: " | "),
            c.author?.id ?? "", c.author?.name ?? "", c.author?.role ?? "", c.time ?? "", c.channelType ?? "",
            c.platform ?? "", recipients, item.window?.text ?? "", "", "", ""
        ]
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(0x2C) }
            FindingWriter.csvCell(cell, into: &out)
        }
        out += [0x0D, 0x0A]
    }

    // MARK: Text

    private func text(_ item: Item, _ out: inout [UInt8]) {
        let rule = ruleInfos[item.finding.rule]
        let colours = ["\u{1B}[2m", "\u{1B}[36m", "\u{1B}[33m", "\u{1B}[31m", "\u{1B}[1;31m"]
        let sev = rule.severity.name.uppercased()
        let label = colour ? colours[rule.severity.rawValue] + sev + "\u{1B}[0m" : sev
        var line = "\(item.source)  \(label)  \(rule.name)"
        if !rule.clauses.isEmpty { line += " [\(rule.clauses.joined(separator: ", "))]" }
        line += "\n    \(rule.message)"
        if !rule.action.isEmpty { line += "\n    action: \(rule.action)" }
        let c = item.context
        var who: [String] = []
        if let author = c.author { who.append("from \(describe(author))") }
        if !c.recipients.isEmpty {
            let shown = c.recipients.prefix(5).map(describe).joined(separator: ", ")
            who.append("to \(shown)" + (c.recipients.count > 5 ? " and \(c.recipients.count - 5) more" : ""))
        }
        if let time = c.time { who.append("at \(time)") }
        if let type = c.channelType { who.append("by \(type)" + (c.platform.map { " on \($0)" } ?? "")) }
        if !who.isEmpty { line += "\n    " + who.joined(separator: " ").replacingNewlines() }
        if let w = item.window {
            line += "\n    \(rules.fields[w.field].name)[\(w.start)..<\(w.end)]: \"\(highlighted(w).replacingNewlines())\""
        }
        if item.finding.truncated {
            line += "\n    (at least \(item.finding.matchTotal) matches in all; \(item.finding.matches.count) kept)"
        }
        if item.id != item.source { line += "\n    event: \(item.id)" }
        out += Array((line + "\n").utf8)
    }

    /// The window's text with its matches marked: bold on a terminal, «guillemets» otherwise.
    private func highlighted(_ w: EvidenceWindow) -> String {
        let bytes = Array(w.text.utf8)
        let (open, close) = colour ? ("\u{1B}[1m", "\u{1B}[0m") : ("«", "»")
        var out = ""
        var at = 0
        for r in w.matches where r.lowerBound >= at && r.upperBound <= bytes.count {
            out += String(decoding: bytes[at..<r.lowerBound], as: UTF8.self)
            out += open + String(decoding: bytes[r], as: UTF8.self) + close
            at = r.upperBound
        }
        out += String(decoding: bytes[at...], as: UTF8.self)
        return (w.start > 0 ? "…" : "") + out + (w.end < w.valueLength ? "…" : "")
    }
}

/// An event's context, held once for all its findings.
final class SharedContext {
    let value: EventContext
    init(_ value: EventContext) { self.value = value }
}

/// `Name <id> (role)`, with the parts the event has.
func describe(_ p: EventPerson) -> String {
    var parts: [String] = []
    if let name = p.name { parts.append(name) }
    if let id = p.id, id != p.name { parts.append(parts.isEmpty ? id : "<\(id)>") }
    if parts.isEmpty { parts.append("?") }
    return parts.joined(separator: " ") + (p.role.map { " (\($0))" } ?? "")
}

extension String {
    func replacingNewlines() -> String {
        String(decoding: utf8.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }, as: UTF8.self)
    }
}
