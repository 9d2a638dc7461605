/// Severity of a finding, in increasing order.
public enum Severity: Int, Sendable, CaseIterable, Comparable {
    case info = 0, advice, breach, serious, critical

    public var name: String {
        switch self {
        case .info: return "info"
        case .advice: return "advice"
        case .breach: return "breach"
        case .serious: return "serious"
        case .critical: return "critical"
        }
    }

    public init?(name: String) {
        guard let s = Severity.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}

/// The type of an event field as the rule set's schema declares it.
public enum FieldKind: Sendable, Equatable {
    case string, text, bool, int, time, enumeration

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
    public var kind: FieldKind
    public var isList: Bool
    /// Allowed values of an enum field.
    public var enumValues: [String]
    /// The list-of-objects group the field belongs to (`recipients` for `recipients.role`), if any.
    public var group: String?

    public var typeDescription: String {
        let base = kind == .enumeration ? "enum(\(enumValues.joined(separator: ", ")))" : kind.name
        return isList ? "list " + base : base
    }
}

/// A pack: the rules of one policy and their configuration.
public struct PackInfo: Sendable {
    public var name: String
    /// The school code events carry in `school`; nil for a pack that judges every event.
    public var code: String?
    public var title: String
    public var source: String
    public var timezone: String
}

/// What a compiled rule says about itself.
public struct RuleInfo: Sendable {
    /// Qualified name, `pack/rule`.
    public var name: String
    public var pack: String
    public var clauses: [String]
    public var severity: Severity
    public var action: String
    public var message: String
    public var location: SourceLocation
}

/// One example written inside a rule.
public struct RuleExample: Sendable {
    public var rule: Int
    public var expectFlag: Bool
    public var json: [UInt8]
    public var location: SourceLocation
}

/// Built-in detectors.
public enum Detector: Int, Sendable, CaseIterable {
    case phone = 0, email, url

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
