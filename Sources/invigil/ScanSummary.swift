import Invigil

/// What scanning some records produced: their output, error lines and counts. Workers fill one
/// each; the scan adds them up in input order.
struct ScanTally {
    var output: [UInt8] = []
    /// With `--report`: the findings again, as JSONL, for the report.
    var reportRecords: [UInt8] = []
    var errors: [String] = []
    var scanned = 0
    var rejected = 0
    var findings = 0
    var timedOut = 0
    var bySeverity = [Int](repeating: 0, count: 5)
    var byRule: [Int: Int] = [:]
    /// Scanned events without `author.role`.
    var withoutAuthorRole = 0
    /// Scanned events with recipients none of whom has a role.
    var withoutRecipientRoles = 0
    /// Scanned events without `school` while several packs judge events.
    var withoutSchool = 0
    /// People in events without a role (authors and recipients), by how they appear, with counts.
    var peopleWithoutRole: [String: Int] = [:]

    /// How many distinct people without a role are kept, so that memory stays bounded.
    static let peopleKept = 10_000

    /// Notes what an event has of what the rules need (roles, school). Cheap when the event has
    /// them: the context is built only for events that lack a role.
    mutating func noteContext(of scanner: Scanner, _ f: ContextFields) {
        let count = { (field: Int?) in field.map { scanner.valueCount(field: $0) } ?? 0 }
        if f.severalPacks, f.school != nil, count(f.school) == 0 { withoutSchool += 1 }
        guard f.authorRole != nil else { return }
        let hasAuthor = count(f.authorName) > 0 || count(f.authorID) > 0
        let recipientCount = max(count(f.recipientName), count(f.recipientID), count(f.recipientAddress))
        let authorLacks = hasAuthor && count(f.authorRole) == 0
        let recipientsLack = count(f.recipientRole) < recipientCount
        guard authorLacks || recipientsLack else { return }
        let c = scanner.context()
        if authorLacks {
            withoutAuthorRole += 1
            notePerson(c.author)
        }
        if !c.recipients.isEmpty, c.recipients.allSatisfy({ $0.role == nil }) { withoutRecipientRoles += 1 }
        for r in c.recipients where r.role == nil { notePerson(r) }
    }

    private mutating func notePerson(_ p: EventPerson?) {
        guard let p, let name = p.name ?? p.id else { return }
        if peopleWithoutRole[name] != nil || peopleWithoutRole.count < Self.peopleKept { peopleWithoutRole[name, default: 0] += 1 }
    }

    /// Adds another tally's counts (not its output or errors, which are written as they come).
    mutating func add(_ other: ScanTally) {
        scanned += other.scanned
        rejected += other.rejected
        findings += other.findings
        timedOut += other.timedOut
        for i in 0..<5 { bySeverity[i] += other.bySeverity[i] }
        for (r, n) in other.byRule { byRule[r, default: 0] += n }
        withoutAuthorRole += other.withoutAuthorRole
        withoutRecipientRoles += other.withoutRecipientRoles
        withoutSchool += other.withoutSchool
        for (p, n) in other.peopleWithoutRole where peopleWithoutRole[p] != nil || peopleWithoutRole.count < Self.peopleKept {
            peopleWithoutRole[p, default: 0] += n
        }
    }
}

/// The slots of the fields the warnings look at (nil when the rules' schema lacks one).
struct ContextFields {
    var authorRole, authorName, authorID, recipientRole, recipientName, recipientID, recipientAddress, school: Int?
    /// More than one pack judges events that name no school.
    var severalPacks: Bool

    init(rules: RuleSet, severalPacks: Bool) {
        authorRole = rules.field(named: "author.role")
        authorName = rules.field(named: "author.name")
        authorID = rules.field(named: "author.id")
        recipientRole = rules.field(named: "recipients.role")
        recipientName = rules.field(named: "recipients.name")
        recipientID = rules.field(named: "recipients.id")
        recipientAddress = rules.field(named: "recipients.address")
        school = rules.field(named: "school")
        self.severalPacks = severalPacks
    }
}

/// What the summary needs beyond the tally.
struct ScanSummaryInput {
    var rules: RuleSet
    var inputs: Int
    var unopened: Int
    var read: Int
    var bytes: Int
    var elapsed: Double
    var repeatedPaths: [String]
    var skippedFiles: [String]
    var notes: [String]
    var hasDirectory: Bool
    var packCount: Int
}

/// The warnings that say a scan may have missed breaches without any error: no roles, no school,
/// nothing scanned. `--strict` turns them into exit status 2.
func scanWarnings(_ t: ScanTally, _ s: ScanSummaryInput) -> [String] {
    var warnings: [String] = []
    if s.read > 0 && t.scanned == 0 {
        warnings.append("nothing was scanned: all \(s.read) record\(s.read == 1 ? " was" : "s were") rejected (see the errors above)")
    } else if s.read == 0 && s.unopened == 0 {
        warnings.append("the input\(s.inputs == 1 ? " holds" : "s hold") no records: nothing was scanned")
    }
    if t.withoutAuthorRole > 0 {
        var w =
            "\(t.withoutAuthorRole) of \(t.scanned) scanned event\(t.scanned == 1 ? "" : "s") ha\(t.withoutAuthorRole == 1 ? "s" : "ve") no author role, "
            + "so rules about staff, pupils and parents cannot apply to them"
        w +=
            s.hasDirectory
            ? "; their authors are not in the --directory file (see the people below)"
            : "; give --directory people.csv (address,name,role) to give mail and chat authors and recipients their roles"
        warnings.append(w)
    }
    if t.withoutRecipientRoles > 0 {
        warnings.append(
            "\(t.withoutRecipientRoles) event\(t.withoutRecipientRoles == 1 ? " has" : "s have") recipients none of whom has a role"
                + (s.hasDirectory ? " in the --directory file" : "; give --directory people.csv"))
    }
    if t.withoutSchool > 0 {
        warnings.append(
            "\(t.withoutSchool) event\(t.withoutSchool == 1 ? " names" : "s name") no school, so all \(s.packCount) packs judged "
                + "\(t.withoutSchool == 1 ? "it" : "them") and findings may cite other schools' policies; give --pack NAME or --set school=CODE")
    }
    return warnings
}

/// The summary written to standard error at the end of a scan. Its last line is always
/// `invigil: read N, scanned N, rejected N, findings N`.
func scanSummary(_ t: ScanTally, _ s: ScanSummaryInput, warnings: [String]) -> String {
    let opened = s.inputs - s.unopened
    var summary = "invigil: \(opened) input\(opened == 1 ? "" : "s"), \(formatBytes(s.bytes)) in \(formatDuration(s.elapsed))"
    if s.elapsed > 0 { summary += " (\(formatBytes(Int(Double(s.bytes) / s.elapsed)))/s)" }
    summary += "\ninvigil: findings by severity:"
    for sev in Severity.allCases.reversed() where t.bySeverity[sev.rawValue] > 0 { summary += " \(sev.name) \(t.bySeverity[sev.rawValue])," }
    if t.findings == 0 { summary += " none" } else { summary.removeLast() }
    if !t.byRule.isEmpty {
        summary += "\ninvigil: findings by rule:"
        for (r, n) in t.byRule.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }).prefix(15) {
            summary += "\n    \(n)\t\(s.rules.rules[r].name)"
        }
        if t.byRule.count > 15 { summary += "\n    ... and \(t.byRule.count - 15) more rules" }
    }
    if !t.peopleWithoutRole.isEmpty {
        let people = t.peopleWithoutRole.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        summary +=
            "\ninvigil: \(people.count)\(people.count >= ScanTally.peopleKept ? "+" : "") "
            + (s.hasDirectory ? "people not found in the --directory file" : "people without a role")
            + " (events naming them):"
        for (name, n) in people.prefix(20) { summary += "\n    \(n)\t\(name)" }
        if people.count > 20 { summary += "\n    ... and \(people.count - 20) more" }
    }
    if !s.repeatedPaths.isEmpty {
        summary +=
            "\ninvigil: \(s.repeatedPaths.count) path\(s.repeatedPaths.count == 1 ? "" : "s") in folders lead\(s.repeatedPaths.count == 1 ? "s" : "") to a file or folder already read (a link), not read again: "
            + s.repeatedPaths.prefix(5).joined(separator: ", ") + (s.repeatedPaths.count > 5 ? ", ..." : "")
    }
    if !s.skippedFiles.isEmpty {
        summary +=
            "\ninvigil: \(s.skippedFiles.count) file\(s.skippedFiles.count == 1 ? "" : "s") of unknown format in folders not read (name them, or give --input-format): "
            + s.skippedFiles.prefix(5).joined(separator: ", ") + (s.skippedFiles.count > 5 ? ", ..." : "")
    }
    if !s.notes.isEmpty { summary += "\ninvigil: notes on the inputs (their records were scanned):\n    " + s.notes.joined(separator: "\n    ") }
    if t.timedOut > 0 {
        summary += "\ninvigil: \(t.timedOut) event\(t.timedOut == 1 ? "" : "s") stopped at the time budget (findings may be incomplete)"
    }
    if s.unopened > 0 { summary += "\ninvigil: \(s.unopened) input\(s.unopened == 1 ? "" : "s") could not be opened" }
    for w in warnings { summary += "\ninvigil: warning: " + w }
    summary += "\ninvigil: read \(s.read), scanned \(t.scanned), rejected \(t.rejected), findings \(t.findings)"
    return summary
}

func formatBytes(_ n: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var v = Double(n)
    var u = 0
    while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
    if u == 0 { return "\(n) B" }
    let tenths = Int((v * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[u])"
}

func formatDuration(_ s: Double) -> String {
    if s < 1 { return "\(Int(s * 1000)) ms" }
    if s < 60 { let t = Int((s * 10).rounded()); return "\(t / 10).\(t % 10) s" }
    let total = Int(s)
    return "\(total / 60)m\(total % 60 < 10 ? "0" : "")\(total % 60)s"
}
