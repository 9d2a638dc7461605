/// The explanation of one event that `invigil explain` prints, as text or JSON, so that the
/// command and the C interface (`invigil_explain`) give the same trace.
public enum ExplanationFormat: Sendable {
    case text, json
}

extension Scanner {
    /// Explains the current event, after `scan()`: every rule that fired or came close (a phrase
    /// matched), or every rule with `all`, with its condition tree and which nodes held.
    /// `eventName` names an event without an `id`; `selectedPacks`, if not empty, limits the rules
    /// to those packs (the command's `--pack`).
    public func explanation(
        format: ExplanationFormat, eventName: String, all: Bool = false,
        selectedPacks: Set<String> = []
    ) -> String {
        scanFullyIfPassesWereSkipped()
        let fired = Set(findings.map(\.rule))
        let name = eventID ?? eventName
        var text = format == .text ? "event \(name): \(fired.count) finding\(fired.count == 1 ? "" : "s")\n\n" : ""
        var json = "{\"event\":\(jsonQuoted(name)),\"findings\":\(fired.count),\"rules\":["
        var first = true
        var skipped = 0
        for index in rules.rules.indices {
            let rule = rules.rules[index]
            if !selectedPacks.isEmpty && !selectedPacks.contains(rule.pack) { continue }
            guard packApplies(rule: index) else { skipped += 1; continue }
            var trace: [ConditionTrace] = []
            let held = evaluateTree(rule: index, trace: &trace)
            if !held && !all && !trace.contains(where: { $0.held && mentionsMatches($0.text) }) {
                // Show the rules that fired, or came close (a phrase matched); `all` shows every rule.
                continue
            }
            switch format {
            case .text:
                text +=
                    "\(held ? "FIRES" : "no   ")  \(rule.name)  [\(rule.severity.name)] \(rule.clauses.joined(separator: ", "))  (\(rule.location))\n"
                for t in trace {
                    text += "        " + String(repeating: "  ", count: t.depth) + (t.held ? "✓ " : "✗ ") + t.text + "\n"
                }
                text += "\n"
            case .json:
                if !first { json += "," }
                first = false
                json += "{\"rule\":\(jsonQuoted(rule.name)),\"fires\":\(held),\"severity\":\(jsonQuoted(rule.severity.name)),"
                json += "\"clauses\":[\(rule.clauses.map(jsonQuoted).joined(separator: ","))],"
                json += "\"location\":\(jsonQuoted(rule.location.description)),\"trace\":["
                json += trace.map { "{\"depth\":\($0.depth),\"held\":\($0.held),\"text\":\(jsonQuoted($0.text))}" }.joined(separator: ",")
                json += "]}"
            }
        }
        if format == .json { return json + "],\"other_packs_skipped\":\(skipped)}\n" }
        if skipped > 0 { text += "(\(skipped) rules of other schools' packs not considered: the event names school \(schoolName))\n" }
        if !all { text += "(rules that neither fired nor matched a phrase are not shown; --all shows them)\n" }
        return text
    }

    private var schoolName: String {
        guard let f = rules.field(named: "school"), valueCount(field: f) > 0 else { return "-" }
        let b = bytes(field: f, valueIndex: 0)
        return b.isEmpty ? "?" : String(decoding: b, as: UTF8.self)
    }
}

/// Whether a trace line reports matches ("[2 matches: ...]"). Written out because the core does
/// not import _StringProcessing (the C libraries leave it out), which `String.contains` needs.
func mentionsMatches(_ text: String) -> Bool {
    let needle = Array("match".utf8)
    let bytes = Array(text.utf8)
    guard bytes.count >= needle.count else { return false }
    for i in 0...(bytes.count - needle.count) where bytes[i..<(i + needle.count)].elementsEqual(needle) { return true }
    return false
}

/// A JSON string literal.
func jsonQuoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}
