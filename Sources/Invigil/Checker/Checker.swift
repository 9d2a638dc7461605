/// Resolves names and checks types across all files of a rule set.
struct Checker {
    private var out = CheckedRuleSet()
    private var diagnostics: [Diagnostic] = []
    private var fieldIndex: [String: Int] = [:]
    private var fieldDeclaredAt: [Int: (SourceText, Int)] = [:]
    private var packIndex: [String: Int] = [:]
    private var packZones: [TimeZoneRule] = []

    /// A definition's scope: a pack name, or "" for shared definitions.
    private enum Definition {
        case phrases(Int)
        case hosts(Int)
        case schedule(Int)
        case constant(ConstValue)
    }
    private var scopes: [String: [String: (Definition, SourceLocation)]] = [:]
    /// Phrase lists made for quoted phrases in proximity tests, by phrase and options.
    private var anonymousLists: [String: Int] = [:]

    /// Limits on the whole rule set; tests lower them to exceed them cheaply.
    var maximumRules = Limits.rules
    var maximumPhrases = Limits.phrases

    static func check(
        _ files: [SyntaxFile], maximumRules: Int = Limits.rules,
        maximumPhrases: Int = Limits.phrases
    ) -> (CheckedRuleSet, [Diagnostic]) {
        var checker = Checker()
        checker.maximumRules = maximumRules
        checker.maximumPhrases = maximumPhrases
        checker.run(files)
        return (checker.out, checker.diagnostics)
    }

    private mutating func error(_ src: SourceText, _ offset: Int, _ message: String, _ kind: Diagnostic.Kind = .rules) {
        diagnostics.append(src.diagnostic(kind, at: offset, message))
    }

    private static func stem(_ path: String) -> String {
        var name = Path.fileName(of: path)
        if name.hasSuffix(".rules") { name.removeLast(6) }
        return name
    }

    private mutating func run(_ files: [SyntaxFile]) {
        // Packs first, so that files joining a pack find it whatever the file order.
        for file in files {
            guard let pack = file.pack, pack.isDefinition else { continue }
            if packIndex[pack.name.text] != nil {
                error(file.source, pack.name.offset, "pack '\(pack.name.text)' is declared twice")
                continue
            }
            var zone = TimeZoneRule.europeanSummer(standardOffset: 0)
            var zoneName = "Europe/London"
            if let (name, offset) = pack.timezone {
                if let z = TimeZoneRule(name: name) {
                    zone = z; zoneName = name
                } else {
                    error(
                        file.source, offset,
                        "unknown time zone '\(name)' (known: Europe/London, Europe/Dublin, UTC, or a fixed offset such as +01:00)")
                }
            }
            if let (code, offset) = pack.code {
                if code.isEmpty { error(file.source, offset, "empty school code") }
                if let other = out.packs.first(where: { $0.code == code }) {
                    error(file.source, offset, "school code '\(code)' is already used by pack '\(other.name)'")
                }
            }
            packIndex[pack.name.text] = out.packs.count
            packZones.append(zone)
            out.packs.append(
                PackInfo(
                    name: pack.name.text, code: pack.code?.0, title: pack.title ?? pack.name.text,
                    source: pack.source ?? "", timezone: zoneName))
        }
        // Which pack each file belongs to ("" = shared definitions).
        var filePack: [String] = []
        for file in files {
            if let pack = file.pack {
                if packIndex[pack.name.text] == nil {
                    error(
                        file.source, pack.name.offset,
                        "unknown pack '\(pack.name.text)'" + Suggestions.didYouMean(pack.name.text, packIndex.keys.sorted()))
                }
                filePack.append(pack.name.text)
            } else {
                filePack.append("")
            }
        }
        // The schema.
        for file in files {
            for decl in file.fields { declareField(decl, in: file.source) }
        }
        assignGroups()
        // Definitions.
        for (i, file) in files.enumerated() { define(file, scope: filePack[i]) }
        // Rules.
        var ruleNames: [String: SourceLocation] = [:]
        for (i, file) in files.enumerated() where !file.rules.isEmpty {
            var packName = filePack[i]
            if packName.isEmpty {
                packName = Checker.stem(file.source.path)
                if packIndex[packName] == nil {
                    packIndex[packName] = out.packs.count
                    packZones.append(.europeanSummer(standardOffset: 0))
                    out.packs.append(PackInfo(name: packName, code: nil, title: packName, source: "", timezone: "Europe/London"))
                }
            }
            guard let pack = packIndex[packName] else { continue }
            for rule in file.rules {
                let qualified = packName + "/" + rule.name.text
                let location = file.source.location(ofOffset: rule.name.offset)
                if let previous = ruleNames[qualified] {
                    error(file.source, rule.name.offset, "rule '\(qualified)' is already defined at \(previous)")
                    continue
                }
                ruleNames[qualified] = location
                checkRule(rule, qualified: qualified, pack: pack, scope: filePack[i].isEmpty ? packName : filePack[i], in: file.source)
            }
        }
        if out.rules.count > maximumRules {
            diagnostics.append(
                Diagnostic(
                    kind: .limit, location: SourceLocation(file: files.first?.source.path ?? "", line: 0, column: 0),
                    message: "\(out.rules.count) rules exceed the limit of \(maximumRules)"))
        }
        let phraseCount = out.phraseLists.reduce(0) { $0 + $1.phrases.count }
        if phraseCount > maximumPhrases {
            diagnostics.append(
                Diagnostic(
                    kind: .limit, location: SourceLocation(file: files.first?.source.path ?? "", line: 0, column: 0),
                    message: "\(phraseCount) phrases exceed the limit of \(maximumPhrases)"))
        }
    }

    // MARK: Schema

    private mutating func declareField(_ decl: FieldDecl, in src: SourceText) {
        let name = decl.name.text
        var kind: FieldKind
        switch decl.type.base {
        case "string": kind = .string
        case "text": kind = .text
        case "bool": kind = .bool
        case "int": kind = .int
        case "time": kind = .time
        default: kind = .enumeration
        }
        var values: [String] = []
        var seen = Set<String>()
        for v in decl.type.enumValues {
            if !seen.insert(v.text).inserted { error(src, v.offset, "enum value '\(v.text)' is listed twice") }
            values.append(v.text)
        }
        let info = FieldInfo(name: name, kind: kind, isList: decl.type.isList, enumValues: values, group: nil)
        if let existing = fieldIndex[name] {
            let old = out.fields[existing]
            if old.kind != info.kind || old.isList != info.isList || old.enumValues != info.enumValues {
                var where_ = ""
                if let (s, o) = fieldDeclaredAt[existing] { where_ = " at \(s.location(ofOffset: o))" }
                error(src, decl.name.offset, "field '\(name)' is declared as \(info.typeDescription) here but as \(old.typeDescription)\(where_)")
            }
            return
        }
        fieldIndex[name] = out.fields.count
        fieldDeclaredAt[out.fields.count] = (src, decl.name.offset)
        out.fields.append(info)
    }

    /// List fields sharing a prefix (`recipients.role`, `recipients.family`) form a group.
    private mutating func assignGroups() {
        for i in out.fields.indices where out.fields[i].isList {
            let name = out.fields[i].name
            guard let dot = name.lastIndex(of: ".") else { continue }
            let group = String(name[..<dot])
            out.fields[i].group = group
            if !out.groups.contains(group) { out.groups.append(group) }
        }
    }

    // MARK: Definitions

    private mutating func define(_ name: Name, _ def: Definition, scope: String, in src: SourceText) {
        if Detector.allCases.contains(where: { $0.name == name.text }) {
            error(src, name.offset, "'\(name.text)' is the name of a built-in detector")
            return
        }
        if let (_, previous) = scopes[scope]?[name.text] {
            error(src, name.offset, "'\(name.text)' is already defined at \(previous)")
            return
        }
        scopes[scope, default: [:]][name.text] = (def, src.location(ofOffset: name.offset))
    }

    private mutating func define(_ file: SyntaxFile, scope: String) {
        let src = file.source
        for list in file.phrases {
            var phrases: [[UInt8]] = []
            if list.phrases.isEmpty { error(src, list.name.offset, "phrase list '\(list.name.text)' is empty") }
            for (text, offset) in list.phrases {
                let bytes = Array(text.utf8)
                if bytes.isEmpty { error(src, offset, "empty phrase"); continue }
                if bytes.count > Limits.phraseBytes {
                    error(src, offset, "phrase is longer than the limit of \(Limits.phraseBytes) bytes", .limit)
                    continue
                }
                phrases.append(bytes)
            }
            define(list.name, .phrases(out.phraseLists.count), scope: scope, in: src)
            var mode = list.normalize
            if !mode.isEmpty { mode.insert(.caseless) }  // every mode folds case
            if !mode.isEmpty && list.caseSensitive {
                error(src, list.name.offset, "'case: sensitive' cannot be combined with 'normalize:' (normalisation folds case)")
            }
            if !mode.isEmpty {
                for (text, offset) in list.phrases where Normalizer.normalize(phrase: Array(text.utf8), mode: mode).isEmpty {
                    error(src, offset, "phrase is empty after normalisation (\(mode.description))")
                }
            }
            out.phraseLists.append(
                PhraseList(
                    name: list.name.text, wholeWord: list.wholeWord,
                    caseSensitive: list.caseSensitive, normalize: mode, phrases: phrases))
        }
        for list in file.hosts {
            var hosts: [[UInt8]] = []
            if list.hosts.isEmpty { error(src, list.name.offset, "host list '\(list.name.text)' is empty") }
            for (text, offset) in list.hosts {
                let host = Array(text.lowercased().utf8)
                let valid =
                    !host.isEmpty && host.count <= 253 && host.first != 0x2E && host.last != 0x2E
                    && host.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E || $0 >= 0x80 }
                if !valid { error(src, offset, "'\(text)' is not a host name (write 'facebook.com', without scheme or path)"); continue }
                hosts.append(host)
            }
            define(list.name, .hosts(out.hostLists.count), scope: scope, in: src)
            out.hostLists.append(HostList(name: list.name.text, hosts: hosts))
        }
        for schedule in file.schedules {
            define(schedule.name, .schedule(out.schedules.count), scope: scope, in: src)
            out.schedules.append(Schedule(name: schedule.name.text, lines: schedule.lines))
        }
        for c in file.consts {
            define(c.name, .constant(c.value), scope: scope, in: src)
        }
    }

    private func lookup(_ name: String, scope: String) -> Definition? {
        if let d = scopes[scope]?[name] { return d.0 }
        return scopes[""]?[name]?.0
    }

    private func visibleNames(scope: String, where predicate: (Definition) -> Bool) -> [String] {
        var names: [String] = []
        for s in [scope, ""] {
            for (k, v) in scopes[s] ?? [:] where predicate(v.0) { names.append(k) }
        }
        return names.sorted()
    }

    // MARK: Rules

    private mutating func checkRule(_ rule: RuleDecl, qualified: String, pack: Int, scope: String, in src: SourceText) {
        var severity = Severity.info
        if let s = rule.severity {
            if let sev = Severity(name: s.text) {
                severity = sev
            } else {
                error(
                    src, s.offset,
                    "unknown severity '\(s.text)'" + Suggestions.didYouMean(s.text, Severity.allCases.map(\.name))
                        + " (one of info, advice, breach, serious, critical)")
            }
        } else {
            error(src, rule.name.offset, "rule '\(rule.name.text)' has no severity")
        }
        if rule.message == nil { error(src, rule.name.offset, "rule '\(rule.name.text)' has no message") }
        var clauses: [String] = []
        for c in rule.clauses {
            if clauses.contains(c.text) { error(src, c.offset, "clause '\(c.text)' is listed twice") }
            clauses.append(c.text)
        }
        var condition = Condition.constant(false)
        if let c = rule.condition {
            var context = ConditionContext(scope: scope, zone: packZones[pack], group: nil, src: src)
            condition = check(c, &context)
        } else if !rule.hasWhen {
            error(src, rule.name.offset, "rule '\(rule.name.text)' has no 'when' condition")
        }
        let index = out.rules.count
        out.rules.append(
            CheckedRule(
                info: RuleInfo(
                    name: qualified, pack: out.packs[pack].name, clauses: clauses, severity: severity,
                    action: rule.action ?? "", message: rule.message ?? "", location: src.location(ofOffset: rule.name.offset)),
                pack: pack, condition: condition))
        for e in rule.examples {
            out.examples.append(RuleExample(rule: index, expectFlag: e.expectFlag, json: e.json, location: src.location(ofOffset: e.offset)))
        }
    }

    private struct ConditionContext {
        var scope: String
        var zone: TimeZoneRule
        var group: String?
        var src: SourceText
    }

    /// Resolves a field name, relative to the current `any` group first.
    private mutating func field(_ name: Name, _ ctx: ConditionContext) -> Int? {
        if let g = ctx.group, let i = fieldIndex[g + "." + name.text] { return i }
        if let i = fieldIndex[name.text] { return i }
        var candidates = Array(fieldIndex.keys)
        if let g = ctx.group {
            candidates += out.fields.filter { $0.group == g }.map { String($0.name.dropFirst(g.count + 1)) }
        }
        let hint = Suggestions.didYouMean(name.text, candidates.sorted())
        if lookup(name.text, scope: ctx.scope) != nil {
            error(ctx.src, name.offset, "'\(name.text)' is a list, schedule or constant, not a field")
        } else {
            error(ctx.src, name.offset, "unknown field '\(name.text)'" + (hint.isEmpty ? " (fields must be declared in a schema block)" : hint))
        }
        return nil
    }

    private mutating func constant(_ value: SyntaxValue, for fieldSlot: Int, _ ctx: ConditionContext) -> Constant? {
        let f = out.fields[fieldSlot]
        var v = value
        if case .name(let n) = value, f.kind != .enumeration || !f.enumValues.contains(n.text) {
            if case .constant(let c)? = lookup(n.text, scope: ctx.scope) {
                switch c {
                case .integer(let i): v = .integer(i, n.offset)
                case .string(let s): v = .string(s, n.offset)
                }
            }
        }
        func mismatch(_ what: String) -> Constant? {
            error(ctx.src, v.offset, "cannot compare \(f.typeDescription) field '\(f.name)' with \(what)")
            return nil
        }
        switch (f.kind, v) {
        case (.enumeration, .name(let n)): return enumConstant(n.text, f, v.offset, ctx)
        case (.enumeration, .string(let text, _)): return enumConstant(text, f, v.offset, ctx)
        case (.enumeration, .integer(let i, _)): return mismatch("int \(i)")
        case (.enumeration, .bool(let b, _)): return mismatch("bool \(b)")
        case (.string, .string(let s, _)), (.text, .string(let s, _)): return .string(Array(s.utf8))
        case (.string, .name(let n)), (.text, .name(let n)): return .string(Array(n.text.utf8))
        case (.int, .integer(let i, _)): return .int(i)
        case (.bool, .bool(let b, _)): return .bool(b)
        case (.time, .string(let s, _)):
            guard let t = CivilTime.parseISO8601(s) else {
                error(ctx.src, v.offset, "'\(s)' is not an ISO 8601 time such as 2024-03-05T12:40:00+00:00")
                return nil
            }
            return .int(t)
        case (_, .name(let n)):
            let hint = Suggestions.didYouMean(
                n.text,
                visibleNames(scope: ctx.scope) {
                    if case .constant = $0 { return true }; return false
                })
            error(
                ctx.src, n.offset,
                "unknown name '\(n.text)': \(f.typeDescription) field '\(f.name)' needs a \(f.kind == .time ? "quoted time" : f.kind.name) value\(hint)"
            )
            return nil
        case (_, .string(let s, _)): return mismatch("string \"\(s)\"")
        case (_, .integer(let i, _)): return mismatch("int \(i)")
        case (_, .bool(let b, _)): return mismatch("bool \(b)")
        }
    }

    private mutating func enumConstant(_ text: String, _ f: FieldInfo, _ offset: Int, _ ctx: ConditionContext) -> Constant? {
        guard let i = f.enumValues.firstIndex(of: text) else {
            error(
                ctx.src, offset,
                "'\(text)' is not a value of \(f.name) (\(f.enumValues.joined(separator: ", ")))"
                    + Suggestions.didYouMean(text, f.enumValues))
            return nil
        }
        return .enumValue(Int32(i))
    }

    private mutating func check(_ c: SyntaxCondition, _ ctx: inout ConditionContext) -> Condition {
        switch c {
        case .and(let a, let b):
            let l = check(a, &ctx), r = check(b, &ctx)
            var parts: [Condition] = []
            for x in [l, r] { if case .and(let xs) = x { parts += xs } else { parts.append(x) } }
            return .and(parts)
        case .or(let a, let b):
            let l = check(a, &ctx), r = check(b, &ctx)
            var parts: [Condition] = []
            for x in [l, r] { if case .or(let xs) = x { parts += xs } else { parts.append(x) } }
            return .or(parts)
        case .not(let a, _):
            return .not(check(a, &ctx))
        case .exists(let name):
            guard let f = field(name, ctx) else { return .constant(false) }
            return .exists(field: f)
        case .any(let group, let inner):
            if ctx.group != nil {
                error(ctx.src, group.offset, "'any' groups cannot be nested")
                return .constant(false)
            }
            guard let g = out.groups.firstIndex(of: group.text) else {
                error(
                    ctx.src, group.offset,
                    "unknown field group '\(group.text)'" + Suggestions.didYouMean(group.text, out.groups)
                        + " (a group is the prefix of list fields, such as 'recipients')")
                return .constant(false)
            }
            var inner_ctx = ctx
            inner_ctx.group = group.text
            return .any(group: g, check(inner, &inner_ctx))
        case .count(let m, let fieldName, let op, let value):
            let matcher = resolveMatcher(m, ctx)
            let f = field(fieldName, ctx)
            var n: Int64 = 0
            switch value {
            case .integer(let i, _): n = i
            case .name(let nm):
                if case .constant(.integer(let i))? = lookup(nm.text, scope: ctx.scope) {
                    n = i
                } else {
                    error(ctx.src, nm.offset, "count(...) is compared with an int; '\(nm.text)' is not an int constant")
                }
            default:
                error(ctx.src, value.offset, "count(...) is an int and can only be compared with an int")
            }
            guard let matcher, let f else { return .constant(false) }
            guard checkMatcherField(matcher, f, fieldName, ctx) else { return .constant(false) }
            return .count(matcher: matcher, field: f, op: op, n: n)
        case .membership(let left, let right):
            // `field in schedule` or `matcher in field`.
            if case .schedule(let s)? = lookup(right.text, scope: ctx.scope) {
                guard let f = field(left, ctx) else { return .constant(false) }
                if out.fields[f].kind != .time {
                    error(
                        ctx.src, left.offset,
                        "'\(right.text)' is a schedule; only time fields can be in a schedule, but '\(out.fields[f].name)' is \(out.fields[f].typeDescription)"
                    )
                    return .constant(false)
                }
                return .schedule(field: f, schedule: s, zone: ctx.zone)
            }
            let matcher = resolveMatcher(left, ctx)
            let f = field(right, ctx)
            guard let matcher, let f else { return .constant(false) }
            guard checkMatcherField(matcher, f, right, ctx) else { return .constant(false) }
            return .count(matcher: matcher, field: f, op: .ge, n: 1)
        case .inList(let name, let values):
            guard let f = field(name, ctx) else { return .constant(false) }
            var constants: [Constant] = []
            for v in values { if let k = constant(v, for: f, ctx) { constants.append(k) } }
            if values.isEmpty { error(ctx.src, name.offset, "empty list of values") }
            return .inSet(field: f, values: constants)
        case .proximity(let p):
            return checkProximity(p, ctx)
        case .compare(let name, let op, let value):
            guard let f = field(name, ctx) else { return .constant(false) }
            let info = out.fields[f]
            guard let k = constant(value, for: f, ctx) else { return .constant(false) }
            if op != .eq && op != .ne && info.kind != .int && info.kind != .time {
                error(ctx.src, name.offset, "'\(op.rawValue)' needs an int or time field; '\(info.name)' is \(info.typeDescription)")
                return .constant(false)
            }
            return .compare(field: f, op: op, value: k)
        }
    }

    private mutating func resolveMatcher(_ name: Name, _ ctx: ConditionContext) -> Matcher? {
        if let d = Detector.allCases.first(where: { $0.name == name.text }) { return .detector(d) }
        switch lookup(name.text, scope: ctx.scope) {
        case .phrases(let i)?: return .phrases(i)
        case .hosts(let i)?: return .hosts(i)
        case .schedule?:
            error(ctx.src, name.offset, "'\(name.text)' is a schedule; write 'time in \(name.text)'")
            return nil
        case .constant?:
            error(ctx.src, name.offset, "'\(name.text)' is a constant, not a phrase list")
            return nil
        case nil:
            if fieldIndex[name.text] != nil {
                error(
                    ctx.src, name.offset,
                    "'\(name.text)' is a field; the left side of 'in' must be a phrase list, host list or detector (phone, email, url), or write '\(name.text) in [values]'"
                )
                return nil
            }
            let names =
                visibleNames(scope: ctx.scope) {
                    switch $0 {
                    case .phrases, .hosts: return true;
                    default: return false
                    }
                } + Detector.allCases.map(\.name)
            error(ctx.src, name.offset, "unknown phrase list, host list or detector '\(name.text)'" + Suggestions.didYouMean(name.text, names))
            return nil
        }
    }

    private mutating func checkMatcherField(_ m: Matcher, _ f: Int, _ name: Name, _ ctx: ConditionContext) -> Bool {
        let info = out.fields[f]
        if info.kind != .text && info.kind != .string {
            error(
                ctx.src, name.offset, "phrase lists, host lists and detectors test text or string fields; '\(info.name)' is \(info.typeDescription)")
            return false
        }
        return true
    }

    // MARK: Proximity

    private mutating func checkProximity(_ p: ProximitySyntax, _ ctx: ConditionContext) -> Condition {
        let f = field(p.field, ctx)
        var window: Int64 = 0
        var windowValid = true
        switch p.window {
        case .integer(let i, _): window = i
        case .name(let n):
            if case .constant(.integer(let i))? = lookup(n.text, scope: ctx.scope) {
                window = i
            } else {
                let hint = Suggestions.didYouMean(
                    n.text,
                    visibleNames(scope: ctx.scope) {
                        if case .constant(.integer) = $0 { return true }; return false
                    })
                error(ctx.src, n.offset, "the window of a proximity test is a number of words; '\(n.text)' is not an int constant\(hint)")
                windowValid = false
            }
        default:
            error(ctx.src, p.window.offset, "the window of a proximity test is a number of words")
            windowValid = false
        }
        if windowValid, window < 0 || window > Int64(Limits.proximityWords) {
            error(
                ctx.src, p.window.offset, "a proximity window of \(window) words is outside the limit of 0 to \(Limits.proximityWords) words", .limit)
            windowValid = false
        }
        let first = proximityOperand(p.first, other: p.second, ctx)
        let second = proximityOperand(p.second, other: p.first, ctx)
        guard let f, let first, let second, windowValid else { return .constant(false) }
        guard checkMatcherField(first, f, p.field, ctx) else { return .constant(false) }
        return .near(first: first, second: second, field: f, window: Int(window), ordered: p.ordered)
    }

    /// Resolves one side of a proximity test. A quoted phrase becomes a one-phrase list with the
    /// options (word matching, case, normalisation) of the list on the other side, if that is a
    /// phrase list, and the default options otherwise.
    private mutating func proximityOperand(_ operand: ProximityOperand, other: ProximityOperand, _ ctx: ConditionContext) -> Matcher? {
        switch operand {
        case .name(let n):
            return resolveMatcher(n, ctx)
        case .phrase(let text, let offset):
            let bytes = Array(text.utf8)
            if bytes.isEmpty { error(ctx.src, offset, "empty phrase"); return nil }
            if bytes.count > Limits.phraseBytes {
                error(ctx.src, offset, "phrase is longer than the limit of \(Limits.phraseBytes) bytes", .limit)
                return nil
            }
            var template = PhraseList(name: "", wholeWord: true, caseSensitive: false, normalize: NormalizeMode(), phrases: [])
            if case .name(let n) = other, case .phrases(let i)? = lookup(n.text, scope: ctx.scope) {
                template = out.phraseLists[i]
            }
            if !template.normalize.isEmpty, Normalizer.normalize(phrase: bytes, mode: template.normalize).isEmpty {
                error(ctx.src, offset, "phrase is empty after normalisation (\(template.normalize.description))")
                return nil
            }
            let key = "\(text)\u{0}\(template.wholeWord)\(template.caseSensitive)\(template.normalize.rawValue)"
            if let i = anonymousLists[key] { return .phrases(i) }
            let index = out.phraseLists.count
            anonymousLists[key] = index
            out.phraseLists.append(
                PhraseList(
                    name: "\"" + text + "\"", wholeWord: template.wholeWord, caseSensitive: template.caseSensitive,
                    normalize: template.normalize, phrases: [bytes]))
            return .phrases(index)
        }
    }
}
