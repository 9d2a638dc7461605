/// One finding as the output contract writes it (docs: docs/contracts/cli-and-output.md,
/// "Findings, JSONL" and "Context in findings"), read back for the report.
public struct FindingRecord: Sendable, Equatable {
    public struct Match: Sendable, Equatable {
        public var field: String
        public var index: Int?
        public var start: Int
        public var end: Int
        public var pattern: String
        public var excerpt: String
        public init(field: String, index: Int? = nil, start: Int, end: Int, pattern: String, excerpt: String) {
            self.field = field; self.index = index; self.start = start; self.end = end; self.pattern = pattern; self.excerpt = excerpt
        }
    }

    public struct Person: Sendable, Equatable, Hashable {
        public var id: String?
        public var name: String?
        public var role: String?
        public init(id: String? = nil, name: String? = nil, role: String? = nil) { self.id = id; self.name = name; self.role = role }
    }

    public struct Window: Sendable, Equatable {
        public var text: String
        public var field: String
        public var index: Int?
        public var start: Int
        public var end: Int
        /// Byte ranges inside `text`.
        public var matches: [Range<Int>]
        public init(text: String, field: String, index: Int? = nil, start: Int, end: Int, matches: [Range<Int>]) {
            self.text = text; self.field = field; self.index = index; self.start = start; self.end = end; self.matches = matches
        }
    }

    public var event: String
    public var source: String
    public var rule: String
    public var clauses: [String]
    public var severity: String
    public var action: String
    public var message: String
    public var matches: [Match]
    public var author: Person?
    public var time: String?
    public var channelType: String?
    public var platform: String?
    public var recipients: [Person]
    public var window: Window?

    public init(
        event: String, source: String, rule: String, clauses: [String] = [], severity: String, action: String = "",
        message: String = "", matches: [Match] = [], author: Person? = nil, time: String? = nil,
        channelType: String? = nil, platform: String? = nil, recipients: [Person] = [], window: Window? = nil
    ) {
        self.event = event; self.source = source; self.rule = rule; self.clauses = clauses; self.severity = severity
        self.action = action; self.message = message; self.matches = matches; self.author = author; self.time = time
        self.channelType = channelType; self.platform = platform; self.recipients = recipients; self.window = window
    }

    /// The pack: the rule name's part before the first `/`.
    public var pack: String {
        guard let slash = rule.firstIndex(of: "/") else { return rule }
        return String(rule[..<slash])
    }

    /// Reads one JSONL line. The contract's keys `event`, `source`, `rule` and `severity` are
    /// required; the rest are taken when present and well typed.
    public init(json: JSONValue) throws(FindingRecordError) {
        guard case .object = json else { throw FindingRecordError("a finding is a JSON object") }
        guard let event = json["event"]?.string, let source = json["source"]?.string,
            let rule = json["rule"]?.string, let severity = json["severity"]?.string
        else { throw FindingRecordError("a finding needs the string keys event, source, rule and severity") }
        self.init(event: event, source: source, rule: rule, severity: severity)
        clauses = json["clauses"]?.array?.compactMap(\.string) ?? []
        action = json["action"]?.string ?? ""
        message = json["message"]?.string ?? ""
        for m in json["matches"]?.array ?? [] {
            guard let start = m["start"]?.int, let end = m["end"]?.int else { continue }
            matches.append(
                Match(
                    field: m["field"]?.string ?? "", index: m["index"]?.int, start: start, end: end,
                    pattern: m["pattern"]?.string ?? "", excerpt: m["excerpt"]?.string ?? ""))
        }
        author = json["author"].flatMap(Self.person)
        time = json["time"]?.string
        channelType = json["channel"]?["type"]?.string
        platform = json["channel"]?["platform"]?.string
        recipients = (json["recipients"]?.array ?? []).compactMap(Self.person)
        if let w = json["window"], let text = w["text"]?.string, let start = w["start"]?.int, let end = w["end"]?.int {
            let length = text.utf8.count
            var ranges: [Range<Int>] = []
            for pair in w["matches"]?.array ?? [] {
                // Offsets outside the text, and empty ranges (the writer merges matches and drops
                // empty ones; found by the report fuzz target), are dropped rather than trusted.
                guard let p = pair.array, p.count == 2, let s = p[0].int, let e = p[1].int, s >= 0, s < e, e <= length else { continue }
                ranges.append(s..<e)
            }
            window = Window(text: text, field: w["field"]?.string ?? "", index: w["index"]?.int, start: start, end: end, matches: ranges)
        }
    }

    private static func person(_ v: JSONValue) -> Person? {
        let p = Person(id: v["id"]?.string, name: v["name"]?.string, role: v["role"]?.string)
        return p.id == nil && p.name == nil && p.role == nil ? nil : p
    }
}

/// Why a line is not a finding.
public struct FindingRecordError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads a findings JSONL text: the findings, and an error (`line N: message`) for each line
/// that is not one. Empty lines are skipped.
public func readFindings(jsonl bytes: [UInt8], name: String) -> (findings: [FindingRecord], errors: [String]) {
    var findings: [FindingRecord] = []
    var errors: [String] = []
    var lineStart = 0
    var lineNumber = 0
    var i = 0
    // A byte-order mark (a file saved by a spreadsheet or editor) is not part of the first line.
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { lineStart = 3; i = 3 }
    while lineStart < bytes.count {
        while i < bytes.count, bytes[i] != 0x0A { i += 1 }
        lineNumber += 1
        var line = Array(bytes[lineStart..<i])
        if line.last == 0x0D { line.removeLast() }
        i += 1
        lineStart = i
        // Blank: JSON white space only (a line of carriage returns too; found by the fuzz target).
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
        do {
            let value = try JSONValue.parse(line)
            findings.append(try FindingRecord(json: value))
        } catch let e as JSONError {
            errors.append("\(name):\(lineNumber): error: \(e.description)")
        } catch let e as FindingRecordError {
            errors.append("\(name):\(lineNumber): error: \(e.description)")
        } catch {
            errors.append("\(name):\(lineNumber): error: \(error)")
        }
    }
    return (findings, errors)
}
