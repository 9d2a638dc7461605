import InvigilArchive
import InvigilPolicy

/// The report's content, grouped three ways from the findings: by message (the queue), by
/// person (authors) and by clause. Rendering is `ReportHTML`'s job; this is the arithmetic.
public struct ReportModel: Sendable {
    /// The severities in rising order, as the rule language names them.
    public static let severities = ["info", "advice", "breach", "serious", "critical"]

    /// 0 (info) to 4 (critical); an unknown name counts as info.
    public static func rank(_ severity: String) -> Int { severities.firstIndex(of: severity.lowercased()) ?? 0 }

    /// One message (event) and every finding on it.
    public struct Message: Sendable {
        public var number: Int
        public var event: String
        public var source: String
        public var findings: [FindingRecord]
        /// The highest severity of its findings.
        public var rank: Int
        public var time: String?
        /// Seconds since 1970 (UTC), when the time could be read.
        public var seconds: Int64?
        public var author: FindingRecord.Person?
        public var recipients: [FindingRecord.Person]
        public var channelType: String?
        public var platform: String?
        /// Index into `people`, when it has an author.
        public var person: Int?
        /// The distinct evidence windows, matches of findings on the same window merged.
        public var windows: [FindingRecord.Window]
        public var packs: [String]
        public var clauses: [String]
    }

    public struct Person: Sendable {
        public var key: String
        public var display: String
        public var role: String?
        public var messages: [Int] = []
        /// Messages by their highest severity.
        public var counts = [Int](repeating: 0, count: 5)
    }

    public struct Clause: Sendable {
        public var id: String
        public var text: CatalogueClause?
        public var messages: [Int] = []
    }

    /// In queue order: critical first, then by time (latest first), then as read.
    public var messages: [Message] = []
    /// By their worst message, then by name.
    public var people: [Person] = []
    /// In the catalogue's order, then clauses it lacks by ID.
    public var clauses: [Clause] = []
    public var findingCount = 0
    /// Findings by severity rank.
    public var findingCounts = [Int](repeating: 0, count: 5)
    public var packs: [String] = []
    /// The earliest and latest message times, for the timelines' common axis.
    public var timeRange: ClosedRange<Int64>?

    public init(findings: [FindingRecord], catalogue: ClauseCatalogue?) {
        findingCount = findings.count
        var byKey: [String: Int] = [:]
        var grouped: [Message] = []
        for f in findings {
            findingCounts[Self.rank(f.severity)] += 1
            // One message is one event of one source: the same id in two files is two messages.
            let key = f.event + "\u{0}" + f.source
            if let i = byKey[key] {
                grouped[i].findings.append(f)
            } else {
                byKey[key] = grouped.count
                grouped.append(
                    Message(
                        number: 0, event: f.event, source: f.source, findings: [f], rank: 0, time: f.time,
                        seconds: f.time.flatMap(ReportTime.seconds), author: f.author, recipients: f.recipients,
                        channelType: f.channelType, platform: f.platform, person: nil, windows: [], packs: [], clauses: []))
            }
        }
        for i in grouped.indices {
            var m = grouped[i]
            m.rank = m.findings.map { Self.rank($0.severity) }.max() ?? 0
            m.packs = Array(Set(m.findings.map(\.pack))).sorted()
            var clauses: [String] = []
            for f in m.findings { for c in f.clauses where !clauses.contains(c) { clauses.append(c) } }
            m.clauses = clauses
            m.windows = Self.windows(of: m.findings)
            grouped[i] = m
        }
        // Stable: equal messages keep the order they were read in.
        let order = grouped.indices.sorted { a, b in
            let x = grouped[a], y = grouped[b]
            if x.rank != y.rank { return x.rank > y.rank }
            if let s = x.seconds, let t = y.seconds, s != t { return s > t }
            if (x.seconds == nil) != (y.seconds == nil) { return x.seconds != nil }
            return a < b
        }
        messages = order.map { grouped[$0] }
        for i in messages.indices { messages[i].number = i + 1 }

        var personIndex: [String: Int] = [:]
        var clauseIndex: [String: Int] = [:]
        var packSet: Set<String> = []
        for (i, m) in messages.enumerated() {
            packSet.formUnion(m.packs)
            if let s = m.seconds { timeRange = timeRange.map { min($0.lowerBound, s)...max($0.upperBound, s) } ?? s...s }
            if let a = m.author {
                let key = Self.personKey(a)
                let p: Int
                if let known = personIndex[key] {
                    p = known
                } else {
                    p = people.count
                    personIndex[key] = p
                    people.append(Person(key: key, display: a.name ?? a.id ?? "?", role: a.role))
                }
                people[p].messages.append(i)
                people[p].counts[m.rank] += 1
                if people[p].role == nil { people[p].role = a.role }
                messages[i].person = p
            }
            for c in m.clauses {
                if clauseIndex[c] == nil { clauseIndex[c] = clauses.count; clauses.append(Clause(id: c, text: catalogue?.clause(c))) }
                clauses[clauseIndex[c]!].messages.append(i)
            }
        }
        packs = packSet.sorted()
        // People: the worst first (most critical, then serious, …), then by name.
        let personOrder = people.indices.sorted { a, b in
            let x = people[a], y = people[b]
            for r in stride(from: 4, through: 0, by: -1) where x.counts[r] != y.counts[r] { return x.counts[r] > y.counts[r] }
            return x.display.lowercased() < y.display.lowercased()
        }
        var newIndex = [Int](repeating: 0, count: people.count)
        for (n, old) in personOrder.enumerated() { newIndex[old] = n }
        people = personOrder.map { people[$0] }
        for i in messages.indices { if let p = messages[i].person { messages[i].person = newIndex[p] } }
        // Clauses: the catalogue's order, then the ones it does not hold.
        let catalogueOrder = Dictionary((catalogue?.clauses ?? []).enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        clauses.sort { a, b in
            switch (catalogueOrder[a.id], catalogueOrder[b.id]) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.id < b.id
            }
        }
    }

    /// What ties an author's messages together: the id, else the name.
    static func personKey(_ p: FindingRecord.Person) -> String {
        if let id = p.id { return "id:" + id }
        return "name:" + (p.name ?? "?").lowercased()
    }

    /// The distinct windows of a message's findings, matches on the same window merged.
    static func windows(of findings: [FindingRecord]) -> [FindingRecord.Window] {
        var out: [FindingRecord.Window] = []
        for f in findings {
            guard let w = f.window else { continue }
            if let i = out.firstIndex(where: {
                $0.field == w.field && $0.index == w.index && $0.start == w.start && $0.end == w.end && $0.text == w.text
            }) {
                out[i].matches = mergeRanges(out[i].matches + w.matches)
            } else {
                out.append(w)
            }
        }
        return out
    }

    static func mergeRanges(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for r in ranges.filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound < last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }
}
