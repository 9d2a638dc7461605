/// Severity of a finding, in increasing order.
public enum Severity: Int, Sendable, CaseIterable, Comparable {
    case info = 0, advice, breach, serious, critical

    /// The name the rule language and the output use (`serious`).
    public var name: String {
        switch self {
        case .info: return "info"
        case .advice: return "advice"
        case .breach: return "breach"
        case .serious: return "serious"
        case .critical: return "critical"
        }
    }

    /// The severity named `name` (`info`, `advice`, `breach`, `serious`, `critical`); nil for another.
    public init?(name: String) {
        guard let s = Severity.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }

    /// Orders by gravity: `info` < `advice` < `breach` < `serious` < `critical`.
    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}

/// The type of an event field as the rule set's schema declares it.
public enum FieldKind: Sendable, Equatable {
    case string, text, bool, int, time, enumeration

    /// The type's name in the schema (`string`, `text`, `bool`, `int`, `time`, `enum`).
    public var name: String {
        switch self {
        case .string: return "string"
        case .text: return "text"
        case .bool: return "bool"
        case .int: return "int"
        case .time: return "time"
        case .enumeration: return "enum"
        }
    }
}

/// A declared event field.
public struct FieldInfo: Sendable {
    /// Dotted name, e.g. `author.role`.
    public var name: String
    /// The declared type.
    public var kind: FieldKind
    /// Whether the field is a `list` (several values per event).
    public var isList: Bool
    /// Allowed values of an enum field.
    public var enumValues: [String]
    /// The list-of-objects group the field belongs to (`recipients` for `recipients.role`), if any.
    public var group: String?

    /// The type as the schema spells it: `list enum(staff, pupil)`.
    public var typeDescription: String {
        let base = kind == .enumeration ? "enum(\(enumValues.joined(separator: ", ")))" : kind.name
        return isList ? "list " + base : base
    }
}

/// A pack: the rules of one policy and their configuration.
public struct PackInfo: Sendable {
    /// The pack's name (`pack NAME { … }`).
    public var name: String
    /// The school code events carry in `school`; nil for a pack that judges every event.
    public var code: String?
    /// The pack's title: the policy it enforces.
    public var title: String
    /// The rule file the pack is declared in.
    public var source: String
    /// The time zone its schedules are read in (`Europe/London`).
    public var timezone: String
}

/// What a compiled rule says about itself.
public struct RuleInfo: Sendable {
    /// Qualified name, `pack/rule`.
    public var name: String
    /// The pack the rule belongs to.
    public var pack: String
    /// The policy clauses the rule enforces (`WOOL-4.2`).
    public var clauses: [String]
    /// How grave a breach of the rule is.
    public var severity: Severity
    /// What the policy says to do about a finding; empty when the rule names none.
    public var action: String
    /// The rule's message, shown with each finding.
    public var message: String
    /// Where the rule is declared.
    public var location: SourceLocation
}

/// One example written inside a rule.
public struct RuleExample: Sendable {
    /// Index into `RuleSet.rules` of the rule the example belongs to.
    public var rule: Int
    /// True for a `flag` example (the rule must fire), false for a `pass` example.
    public var expectFlag: Bool
    /// The example event, as JSON.
    public var json: [UInt8]
    /// Where the example is written.
    public var location: SourceLocation
}

/// Built-in detectors.
public enum Detector: Int, Sendable, CaseIterable {
    case phone = 0, email, url

    /// The detector's name in the rule language (`phone in text`).
    public var name: String {
        switch self {
        case .phone: return "phone"
        case .email: return "email"
        case .url: return "url"
        }
    }
}

/// What a `list in field` test refers to.
enum Matcher: Hashable {
    case phrases(Int)
    case hosts(Int)
    case detector(Detector)
}

/// A compile-time constant in a condition, already converted to the field's representation.
enum Constant: Hashable {
    case int(Int64)
    case bool(Bool)
    case enumValue(Int32)
    case string([UInt8])
}

/// A checked condition: names resolved to field slots, lists and schedules.
indirect enum Condition {
    case and([Condition])
    case or([Condition])
    case not(Condition)
    case compare(field: Int, op: CompareOp, value: Constant)
    case inSet(field: Int, values: [Constant])
    case exists(field: Int)
    case count(matcher: Matcher, field: Int, op: CompareOp, n: Int64)
    case schedule(field: Int, schedule: Int, zone: TimeZoneRule)
    case any(group: Int, Condition)
    case constant(Bool)
    /// A match of `first` and one of `second` in the same value of `field`, in one sentence,
    /// with at most `window` words between them; `ordered`: `first` comes first.
    case near(first: Matcher, second: Matcher, field: Int, window: Int, ordered: Bool)
}

struct PhraseList {
    var name: String
    var wholeWord: Bool
    var caseSensitive: Bool
    var normalize: NormalizeMode
    var phrases: [[UInt8]]
}

/// What a rule set keeps of a phrase list once its phrases are in the automata.
struct PhraseListInfo {
    var name: String
    var wholeWord: Bool
    var caseSensitive: Bool
    var normalize: NormalizeMode
    var phraseCount: Int
}

struct HostList {
    var name: String
    var hosts: [[UInt8]]
}

struct Schedule {
    var name: String
    var lines: [ScheduleLine]

    /// Whether a local weekday (0 = Monday) and minute of the day fall inside.
    func contains(weekday: Int, minute: Int) -> Bool {
        for line in lines where line.dayMask & (1 << UInt8(weekday)) != 0 {
            for r in line.ranges where minute >= r.start && minute < r.end { return true }
        }
        return false
    }
}

struct CheckedRule {
    var info: RuleInfo
    var pack: Int
    var condition: Condition
}

/// The checker's output: a rule set whose names all resolve and whose types agree.
struct CheckedRuleSet {
    var fields: [FieldInfo] = []
    var groups: [String] = []
    var packs: [PackInfo] = []
    var phraseLists: [PhraseList] = []
    var hostLists: [HostList] = []
    var schedules: [Schedule] = []
    var rules: [CheckedRule] = []
    var examples: [RuleExample] = []
}
