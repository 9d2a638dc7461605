import Invigil

/// One row of section A of the clause catalogue (`../shared/policies/clauses.md`).
public struct CatalogueClause: Sendable, Equatable {
    /// `PCHS-15`, `WOOL-13a`.
    public var id: String
    /// The school code: the part of the ID before the last dash.
    public var school: String
    /// The paraphrase, without the quoted key words.
    public var statement: String
    /// `scope`, `definition`, `permission`, `institutional`, `consequence`, `purpose`, or empty.
    public var tag: String
    /// `yes`, `partly` or `no`.
    public var checkable: String
    /// The Signals column: the signals a rule needs, or for `no` rows the reason.
    public var signals: String
    /// The catalogue's derived severity, as written (`safeguarding-critical (pupil) / breach (parent)`).
    public var severity: String

    /// For `no` rows, the reason code (`R-INST`); empty otherwise.
    public var reasonCode: String {
        guard signals.hasPrefix("R-") else { return "" }
        var code = ""
        for ch in signals {
            if ch == "-" || ch.isLetter { code.append(ch) } else { break }
        }
        return code
    }
}

/// The clause catalogue: its rows and the schools' headings, in document order.
public struct ClauseCatalogue: Sendable {
    public var clauses: [CatalogueClause] = []
    /// School code and the heading text after it (`Bratton Primary School — Wiltshire model ...`).
    public var schools: [(code: String, title: String)] = []

    /// Reads the Markdown of the catalogue. Rows are the table lines of section A whose first cell
    /// is a clause ID and that have the nine columns of the catalogue; other tables (section E,
    /// which repeats IDs with two columns) are skipped.
    public init(markdown: String) {
        var seen: Set<String> = []
        for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(rawLine)
            if line.hasPrefix("### A.") {
                // "### A.4 PCHS — Prudhoe Community High School — 'Social Media Policy' (August 2021)"
                let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
                if words.count >= 3 {
                    let code = String(words[2])
                    var title = words.count == 4 ? String(words[3]) : ""
                    if title.hasPrefix("— ") { title.removeFirst(2) }
                    if isSchoolCode(code) { schools.append((code, title)) }
                }
                continue
            }
            guard line.hasPrefix("| ") else { continue }
            var cells = line.split(separator: "|", omittingEmptySubsequences: false).map { trim(String($0)) }
            // A table line "| a | b |" splits into "", "a", "b", "".
            if cells.first == "" { cells.removeFirst() }
            if cells.last == "" { cells.removeLast() }
            guard cells.count == 9, isClauseID(cells[0]) else { continue }
            let check = cells[5]
            guard check == "yes" || check == "partly" || check == "no" else { continue }
            guard !seen.contains(cells[0]) else { continue }
            seen.insert(cells[0])
            let id = cells[0]
            let school = String(id[..<id.lastIndex(of: "-")!])
            var statement = cells[2]
            if let dot = statement.firstRange(of: " · *") { statement = String(statement[..<dot.lowerBound]) }
            var tag = ""
            if statement.hasPrefix("["), let close = statement.firstIndex(of: "]") {
                tag = String(statement[statement.index(after: statement.startIndex)..<close])
                statement = trim(String(statement[statement.index(after: close)...]))
            }
            clauses.append(CatalogueClause(id: id, school: school, statement: statement, tag: tag,
                                           checkable: check, signals: cells[6], severity: cells[8]))
        }
    }
}

/// The Markdown report of how the rules cover the catalogue's clauses: every clause with its
/// status (enforced by which rules, review rule, filter, not machine-checkable with the reason
/// code, not covered), and per school the counts. Deterministic: the same inputs give the same
/// bytes, whatever the order of `rules`.
public func policyCoverageMarkdown(catalogue: String, rules: [RuleInfo]) -> String {
    let cat = ClauseCatalogue(markdown: catalogue)
    let known = Set(cat.clauses.map(\.id))

    // Which rules cite which clause, sorted by rule name.
    var citing: [String: [RuleInfo]] = [:]
    var unknown: [(rule: String, clause: String)] = []
    for rule in rules.sorted(by: { $0.name < $1.name }) {
        for clause in Set(rule.clauses).sorted() {
            if known.contains(clause) { citing[clause, default: []].append(rule) } else { unknown.append((rule.name, clause)) }
        }
    }

    enum Status: String, CaseIterable {
        case enforced, review, filter, notCheckable, notCovered
        var label: String {
            switch self {
            case .enforced: return "enforced"
            case .review: return "review"
            case .filter: return "filter"
            case .notCheckable: return "not machine-checkable"
            case .notCovered: return "not covered"
            }
        }
    }
    func status(_ c: CatalogueClause) -> Status {
        let cited = !(citing[c.id] ?? []).isEmpty
        switch c.checkable {
        case "yes":
            if cited { return .enforced }
            return ["scope", "definition", "permission"].contains(c.tag) ? .filter : .notCovered
        case "partly":
            return cited ? .review : .notCovered
        default:
            return cited ? .enforced : .notCheckable
        }
    }

    var out = ""
    out += "# Policy coverage\n\n"
    out += "<!-- Generated by `invigil coverage` from the clause catalogue and the rule packs. Do not edit by hand:\n"
    out += "     regenerate with `invigil coverage --output docs/policy-coverage.md` (a test checks that this file is current). -->\n\n"
    out += "How the bundled rule packs handle each of the \(cat.clauses.count) clauses of the catalogue "
    out += "(`../shared/policies/clauses.md`): which rules enforce it, or why none does.\n\n"
    out += "Status:\n\n"
    out += "- **enforced**: a clause the catalogue marks *yes* (decidable from the event and the school's configuration), cited by the rules listed. "
    out += "A *no* clause that a rule nevertheless cites is also listed as enforced, with the catalogue's reason code.\n"
    out += "- **review**: a clause marked *partly*, cited by the rules listed; their findings ask a person to decide (rules named `review-*`).\n"
    out += "- **filter**: a *yes* clause tagged [scope], [definition] or [permission]. It decides which events and people the other rules apply to, "
    out += "or exempts events from them, and raises no finding of its own.\n"
    out += "- **not machine-checkable**: a clause marked *no*; the reason code is the catalogue's (section E): "
    out += "R-INT internal state, R-TRUTH facts outside the event, R-JUDGE holistic judgement, R-OFFLINE conduct outside the event stream, "
    out += "R-REG account-register state, R-INST duty of the school, R-CONSEQ a sanction, R-SCOPE umbrella or pointer.\n"
    out += "- **not covered**: a *yes* or *partly* clause that no rule cites; the catalogue's signals show what a rule would need.\n\n"
    out += "Rules are named `pack/rule` with their severity.\n\n"

    // Summary.
    out += "## Summary\n\n"
    out += "| School | Clauses | yes | partly | no | enforced | review | filter | not machine-checkable | not covered | rules citing |\n"
    out += "|---|---|---|---|---|---|---|---|---|---|---|\n"
    let codes = cat.schools.map(\.code) + Set(cat.clauses.map(\.school)).subtracting(cat.schools.map(\.code)).sorted()
    var totals = [Int](repeating: 0, count: 4 + Status.allCases.count)
    var allRules: Set<String> = []
    for code in codes {
        let rows = cat.clauses.filter { $0.school == code }
        var counts = [rows.count,
                      rows.filter { $0.checkable == "yes" }.count,
                      rows.filter { $0.checkable == "partly" }.count,
                      rows.filter { $0.checkable == "no" }.count]
        for s in Status.allCases { counts.append(rows.filter { status($0) == s }.count) }
        var ruleNames: Set<String> = []
        for r in rows { for rule in citing[r.id] ?? [] { ruleNames.insert(rule.name) } }
        allRules.formUnion(ruleNames)
        for i in 0..<counts.count { totals[i] += counts[i] }
        out += "| \(code) | " + counts.map(String.init).joined(separator: " | ") + " | \(ruleNames.count) |\n"
    }
    out += "| **All** | " + totals.map { "**\($0)**" }.joined(separator: " | ") + " | **\(allRules.count)** |\n\n"

    // Per school.
    for code in codes {
        let title = cat.schools.first { $0.code == code }?.title ?? ""
        out += "## \(code)" + (title.isEmpty ? "" : " — \(title)") + "\n\n"
        out += "| Clause | Statement | Check | Catalogue severity | Status | Rules or reason |\n"
        out += "|---|---|---|---|---|---|\n"
        for c in cat.clauses where c.school == code {
            let s = status(c)
            var label = s.label
            if !c.tag.isEmpty, s == .filter || c.checkable == "yes" && s == .notCovered { label += " [\(c.tag)]" }
            var detail: String
            switch s {
            case .enforced, .review:
                detail = (citing[c.id] ?? []).map { "`\($0.name)` (\($0.severity.name))" }.joined(separator: ", ")
                if c.checkable == "no" { detail += "; catalogue: no, \(c.reasonCode)" }
            case .filter:
                detail = "applied in rule conditions"
            case .notCheckable:
                detail = c.reasonCode.isEmpty ? cell(c.signals) : "\(c.reasonCode): " + cell(afterReasonCode(c.signals))
            case .notCovered:
                detail = "needs: " + cell(c.signals)
            }
            let statement = (c.tag.isEmpty ? "" : "[\(c.tag)] ") + cell(c.statement)
            out += "| \(c.id) | \(statement) | \(c.checkable) | \(cell(c.severity)) | \(label) | \(detail) |\n"
        }
        out += "\n"
    }

    out += "## Citations of unknown clauses\n\n"
    if unknown.isEmpty {
        out += "None: every clause ID cited by a rule is in the catalogue.\n"
    } else {
        out += "| Rule | Clause |\n|---|---|\n"
        for u in unknown { out += "| `\(u.rule)` | \(u.clause) |\n" }
    }
    return out
}

// MARK: - Helpers

private func trim(_ s: String) -> String {
    var t = Substring(s)
    while let f = t.first, f == " " || f == "\t" || f == "\r" { t.removeFirst() }
    while let l = t.last, l == " " || l == "\t" || l == "\r" { t.removeLast() }
    return String(t)
}

/// A cell's text made safe for a Markdown table.
private func cell(_ s: String) -> String {
    var out = ""
    for ch in s {
        if ch == "|" { out += "\\|" } else if ch == "\n" { out += " " } else { out.append(ch) }
    }
    return out
}

/// "R-INT — state of mind; ..." → "state of mind; ...".
private func afterReasonCode(_ signals: String) -> String {
    if let dash = signals.firstRange(of: " — ") { return String(signals[dash.upperBound...]) }
    return signals
}

private func isSchoolCode(_ s: String) -> Bool {
    !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isUppercase }
}

/// `ABCD-12` or `ABCD-12a`.
private func isClauseID(_ s: String) -> Bool {
    guard let dash = s.lastIndex(of: "-") else { return false }
    let code = s[..<dash]
    let rest = s[s.index(after: dash)...]
    guard isSchoolCode(String(code)), let first = rest.first, first.isASCII, first.isNumber else { return false }
    var sawLetter = false
    for ch in rest {
        if ch.isASCII && ch.isNumber { if sawLetter { return false } } else if ch.isASCII && ch.isLowercase { sawLetter = true } else { return false }
    }
    return true
}
