/// The syntax tree of one rule file, as parsed, before names are resolved.
struct Name {
    var text: String
    var offset: Int
}

struct PackDecl {
    var name: Name
    var isDefinition: Bool
    var code: (String, Int)?
    var title: String?
    var source: String?
    var timezone: (String, Int)?
}

struct FieldDecl {
    var name: Name
    var type: SyntaxType
}

struct SyntaxType {
    var isList: Bool
    var base: String  // string text bool int time enum
    var enumValues: [Name]
    var offset: Int
}

struct PhrasesDecl {
    var name: Name
    var wholeWord = true
    var caseSensitive = false
    var normalize = NormalizeMode()
    var phrases: [(text: String, offset: Int)] = []
}

struct HostsDecl {
    var name: Name
    var hosts: [(text: String, offset: Int)] = []
}

struct ScheduleLine {
    var dayMask: UInt8  // bit 0 = Monday ... bit 6 = Sunday
    var ranges: [(start: Int, end: Int)]  // minutes after midnight
}

struct ScheduleDecl {
    var name: Name
    var lines: [ScheduleLine] = []
}

enum ConstValue {
    case integer(Int64)
    case string(String)
}

struct ConstDecl {
    var name: Name
    var value: ConstValue
}

enum SyntaxValue {
    case string(String, Int)
    case integer(Int64, Int)
    case bool(Bool, Int)
    case name(Name)

    var offset: Int {
        switch self {
        case .string(_, let o), .integer(_, let o), .bool(_, let o): return o
        case .name(let n): return n.offset
        }
    }
}

enum CompareOp: String, Sendable, CaseIterable {
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="

    func holds(_ ordering: Int) -> Bool {
        switch self {
        case .eq: return ordering == 0
        case .ne: return ordering != 0
        case .lt: return ordering < 0
        case .le: return ordering <= 0
        case .gt: return ordering > 0
        case .ge: return ordering >= 0
        }
    }

    func holds(_ a: Int64, _ b: Int64) -> Bool { holds(a < b ? -1 : (a == b ? 0 : 1)) }
}

indirect enum SyntaxCondition {
    case and(SyntaxCondition, SyntaxCondition)
    case or(SyntaxCondition, SyntaxCondition)
    case not(SyntaxCondition, Int)
    case exists(Name)
    case any(group: Name, SyntaxCondition)
    case count(matcher: Name, field: Name, op: CompareOp, value: SyntaxValue)
    /// `a in b`: phrase list / host list / detector in field, or field in schedule.
    case membership(Name, Name)
    case inList(Name, [SyntaxValue])
    case compare(Name, CompareOp, SyntaxValue)
    /// `a near b within n words in field` (either order) or `a before b within ...` (a first).
    case proximity(ProximitySyntax)
}

/// One side of a proximity test: a phrase list, host list or detector by name, or a quoted phrase.
enum ProximityOperand {
    case name(Name)
    case phrase(String, Int)

    var offset: Int {
        switch self {
        case .name(let n): return n.offset
        case .phrase(_, let o): return o
        }
    }
}

/// A proximity test as written: `first (near | before) second within window words in field`.
struct ProximitySyntax {
    var first: ProximityOperand
    var second: ProximityOperand
    var ordered: Bool
    var window: SyntaxValue
    var field: Name
    var offset: Int
}

struct ExampleDecl {
    var expectFlag: Bool
    var json: [UInt8]
    var offset: Int
}

struct RuleDecl {
    var name: Name
    var clauses: [Name] = []
    var severity: Name?
    var action: String?
    var message: String?
    var condition: SyntaxCondition?
    /// Whether the rule has a `when`, even one whose condition did not parse (then the parser
    /// has reported it, and the checker does not add "has no 'when' condition").
    var hasWhen = false
    var examples: [ExampleDecl] = []
}

struct IncludeDecl {
    var path: String
    var offset: Int
}

/// Everything declared in one file, in order of kind.
struct SyntaxFile {
    var source: SourceText
    var pack: PackDecl?
    var includes: [IncludeDecl] = []
    var fields: [FieldDecl] = []
    var phrases: [PhrasesDecl] = []
    var hosts: [HostsDecl] = []
    var schedules: [ScheduleDecl] = []
    var consts: [ConstDecl] = []
    var rules: [RuleDecl] = []
}
