/// Recursive-descent parser for rule files. It recovers after an error at the next declaration
/// or rule item, so that one run reports every problem in a file.
struct Parser {
    private var lexer: Lexer
    private var token: Token
    private var file: SyntaxFile
    private var diagnostics: [Diagnostic] = []
    private var depth = 0

    static let maximumConditionDepth = 200

    static let declarationKeywords: Set<String> = [
        "pack", "include", "schema", "phrases", "hosts", "schedule", "const", "rule"
    ]
    static let ruleItemKeywords: Set<String> = ["clauses", "severity", "action", "message", "when", "example"]

    init(source: SourceText) {
        lexer = Lexer(source: source)
        token = lexer.next()
        file = SyntaxFile(source: source)
    }

    /// Parses the whole file; returns the tree and every syntax diagnostic.
    static func parse(_ source: SourceText) -> (SyntaxFile, [Diagnostic]) {
        var parser = Parser(source: source)
        parser.parseFile()
        let all = (parser.lexer.diagnostics + parser.diagnostics).sorted {
            ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column)
        }
        return (parser.file, all)
    }

    // MARK: Token helpers

    /// Whether the token just consumed was a `}`: a declaration that ended with its block is
    /// complete, so what follows is read as the next declaration even after an error inside it.
    private var afterClosingBrace = false

    private mutating func advance() {
        afterClosingBrace = isPunct("}")
        token = lexer.next()
    }

    private func isKeyword(_ word: String) -> Bool { token.kind == .identifier && token.text == word }
    private func isPunct(_ p: String) -> Bool { token.kind == .punct && token.text == p }

    private mutating func error(_ message: String, at offset: Int? = nil) {
        diagnostics.append(file.source.diagnostic(.syntax, at: offset ?? token.offset, message))
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "end of file"
        case .string: return "string \"\(t.text)\""
        case .invalid: return "'\(t.text)'"
        default: return "'\(t.text)'"
        }
    }

    @discardableResult
    private mutating func expectPunct(_ p: String, _ context: String) -> Bool {
        if isPunct(p) { advance(); return true }
        error("expected '\(p)' \(context), found \(describe(token))")
        return false
    }

    private mutating func expectName(_ what: String) -> Name? {
        if token.kind == .identifier {
            let n = Name(text: token.text, offset: token.offset)
            advance()
            return n
        }
        error("expected \(what), found \(describe(token))")
        return nil
    }

    private mutating func expectString(_ what: String) -> (String, Int)? {
        if token.kind == .string {
            let s = (token.text, token.offset)
            advance()
            return s
        }
        error("expected \(what) (a quoted string), found \(describe(token))")
        return nil
    }

    /// Skips to the next top-level declaration keyword.
    private mutating func recoverToDeclaration() {
        var nesting = 0
        while token.kind != .eof {
            if isPunct("{") { nesting += 1 }
            if isPunct("}") {
                nesting -= 1
                if nesting <= 0 { advance(); if nesting < 0 { return }; continue }
            }
            if nesting <= 0, token.kind == .identifier, Parser.declarationKeywords.contains(token.text) { return }
            advance()
        }
    }

    /// Inside a block: skips to the next item keyword in `keywords`, or to the closing brace.
    private mutating func recoverInBlock(_ keywords: Set<String>) {
        var nesting = 0
        while token.kind != .eof {
            if isPunct("{") || isPunct("(") || isPunct("[") { nesting += 1 }
            if isPunct("}") || isPunct(")") || isPunct("]") {
                if nesting == 0 { return }
                nesting -= 1
            }
            if nesting == 0, token.kind == .identifier, keywords.contains(token.text) { return }
            advance()
        }
    }

    // MARK: Declarations

    private mutating func parseFile() {
        while token.kind != .eof {
            guard token.kind == .identifier else {
                // The lexer has already reported a character it could not read.
                if token.kind != .invalid {
                    error("expected a declaration (pack, include, schema, phrases, hosts, schedule, const or rule), found \(describe(token))")
                }
                advance()
                recoverToDeclaration()
                continue
            }
            let before = diagnostics.count + lexer.diagnostics.count
            switch token.text {
            case "pack": parsePack()
            case "include": parseInclude()
            case "schema": parseSchema()
            case "phrases": parsePhrases()
            case "hosts": parseHosts()
            case "schedule": parseSchedule()
            case "const": parseConst()
            case "rule": parseRule()
            default:
                let word = token.text
                error("unknown declaration '\(word)'" + Suggestions.didYouMean(word, Parser.declarationKeywords.sorted()))
                advance()
                recoverToDeclaration()
            }
            if diagnostics.count + lexer.diagnostics.count > before, token.kind != .eof, !afterClosingBrace,
                !(token.kind == .identifier && Parser.declarationKeywords.contains(token.text))
            {
                recoverToDeclaration()
            }
        }
    }

    private mutating func parsePack() {
        let keywordOffset = token.offset
        advance()
        guard let name = expectName("a pack name") else { return }
        var pack = PackDecl(name: name, isDefinition: false)
        if isPunct("{") {
            pack.isDefinition = true
            advance()
            while !isPunct("}") && token.kind != .eof {
                guard token.kind == .identifier else {
                    error("expected code, title, source or timezone, found \(describe(token))")
                    advance()
                    continue
                }
                let item = token.text
                let itemOffset = token.offset
                advance()
                switch item {
                case "code": if let s = expectString("a school code") { pack.code = s }
                case "title": if let s = expectString("a title") { pack.title = s.0 }
                case "source": if let s = expectString("a source") { pack.source = s.0 }
                case "timezone": if let s = expectString("a time zone") { pack.timezone = s }
                default:
                    error("unknown pack item '\(item)'" + Suggestions.didYouMean(item, ["code", "title", "source", "timezone"]), at: itemOffset)
                    recoverInBlock(["code", "title", "source", "timezone"])
                }
            }
            expectPunct("}", "to close the pack")
        }
        if file.pack != nil {
            error("a file may declare only one pack", at: keywordOffset)
        } else {
            file.pack = pack
        }
    }

    private mutating func parseInclude() {
        advance()
        if let (path, offset) = expectString("a relative path") {
            file.includes.append(IncludeDecl(path: path, offset: offset))
        }
    }

    private mutating func parseSchema() {
        advance()
        guard expectPunct("{", "after 'schema'") else { return }
        while !isPunct("}") && token.kind != .eof {
            guard let name = expectName("a field name") else { recoverInBlock([]); skipLineish(); continue }
            guard expectPunct(":", "after the field name") else { skipLineish(); continue }
            if let type = parseType() { file.fields.append(FieldDecl(name: name, type: type)) } else { skipLineish() }
        }
        expectPunct("}", "to close the schema")
    }

    /// After a broken schema entry: skip to the next identifier followed by ':'.
    private mutating func skipLineish() {
        while token.kind != .eof && !isPunct("}") {
            if token.kind == .identifier {
                let save = (lexer, token)
                advance()
                if isPunct(":") { (lexer, token) = save; return }
                continue
            }
            advance()
        }
    }

    private mutating func parseType() -> SyntaxType? {
        let offset = token.offset
        var isList = false
        if isKeyword("list") { isList = true; advance() }
        guard token.kind == .identifier else {
            error("expected a type (string, text, bool, int, time, enum(...)), found \(describe(token))")
            return nil
        }
        let base = token.text
        let baseOffset = token.offset
        advance()
        switch base {
        case "string", "text", "bool", "int", "time":
            return SyntaxType(isList: isList, base: base, enumValues: [], offset: offset)
        case "enum":
            guard expectPunct("(", "after 'enum'") else { return nil }
            var values: [Name] = []
            while true {
                if let n = expectName("an enum value") { values.append(n) } else { return nil }
                if isPunct(",") { advance(); continue }
                break
            }
            guard expectPunct(")", "to close the enum values") else { return nil }
            return SyntaxType(isList: isList, base: "enum", enumValues: values, offset: offset)
        default:
            error("unknown type '\(base)'" + Suggestions.didYouMean(base, ["string", "text", "bool", "int", "time", "enum", "list"]), at: baseOffset)
            return nil
        }
    }

    private mutating func parsePhrases() {
        advance()
        guard let name = expectName("a phrase list name") else { return }
        var decl = PhrasesDecl(name: name)
        guard expectPunct("{", "to open the phrase list") else { return }
        while !isPunct("}") && token.kind != .eof {
            if token.kind == .string {
                decl.phrases.append((token.text, token.offset))
                advance()
            } else if isKeyword("normalize") {
                advance()
                guard expectPunct(":", "after 'normalize'") else { continue }
                var mode = NormalizeMode()
                repeat {
                    if isPunct(",") { advance() }
                    guard token.kind == .identifier else {
                        error("expected a normalisation mode (plain, caseless, confusables, leet, spaced), found \(describe(token))")
                        break
                    }
                    if token.text == "plain" {
                    } else if let m = NormalizeMode.names.first(where: { $0.0 == token.text }) {
                        mode.insert(m.1)
                    } else {
                        error(
                            "unknown normalisation mode '\(token.text)'"
                                + Suggestions.didYouMean(token.text, ["plain"] + NormalizeMode.names.map(\.0)))
                    }
                    advance()
                } while isPunct(",") || (token.kind == .identifier && (token.text == "plain" || NormalizeMode.names.contains { $0.0 == token.text }))
                decl.normalize = mode
            } else if token.kind == .identifier, token.text == "match" || token.text == "case" {
                let option = token.text
                advance()
                guard expectPunct(":", "after '\(option)'") else { continue }
                let valueOffset = token.offset
                let value = token.kind == .identifier ? token.text : ""
                advance()
                switch (option, value) {
                case ("match", "word"): decl.wholeWord = true
                case ("match", "substring"): decl.wholeWord = false
                case ("case", "insensitive"): decl.caseSensitive = false
                case ("case", "sensitive"): decl.caseSensitive = true
                case ("match", _): error("match must be 'word' or 'substring'", at: valueOffset)
                default: error("case must be 'insensitive' or 'sensitive'", at: valueOffset)
                }
            } else {
                error("expected a quoted phrase, 'match:', 'case:' or 'normalize:', found \(describe(token))")
                advance()
            }
        }
        expectPunct("}", "to close the phrase list")
        file.phrases.append(decl)
    }

    private mutating func parseHosts() {
        advance()
        guard let name = expectName("a host list name") else { return }
        var decl = HostsDecl(name: name)
        guard expectPunct("{", "to open the host list") else { return }
        while !isPunct("}") && token.kind != .eof {
            if token.kind == .string {
                decl.hosts.append((token.text, token.offset))
            } else {
                error("expected a quoted host name, found \(describe(token))")
            }
            advance()
        }
        expectPunct("}", "to close the host list")
        file.hosts.append(decl)
    }

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    private mutating func parseDay() -> Int? {
        guard token.kind == .identifier, let i = Parser.dayNames.firstIndex(of: token.text.lowercased()) else {
            error("expected a day (mon, tue, wed, thu, fri, sat, sun), found \(describe(token))")
            return nil
        }
        advance()
        return i
    }

    private mutating func parseClock() -> Int? {
        guard token.kind == .clock else {
            error("expected a time of day such as 08:45, found \(describe(token))")
            return nil
        }
        let parts = token.text.split(separator: ":")
        let h = Int(parts[0]) ?? 99
        let m = Int(parts[1]) ?? 99
        if h > 24 || m > 59 || (h == 24 && m != 0) {
            error("time of day '\(token.text)' is out of range")
        }
        advance()
        return min(h * 60 + m, 24 * 60)
    }

    /// After a day list, `,` continues the days; after times, it continues the times.
    private func peekIsClockAfterComma() -> Bool {
        var copy = lexer
        let next = copy.next()
        return next.kind == .clock
    }

    private mutating func parseSchedule() {
        advance()
        guard let name = expectName("a schedule name") else { return }
        var decl = ScheduleDecl(name: name)
        guard expectPunct("{", "to open the schedule") else { return }
        lines: while !isPunct("}") && token.kind != .eof {
            var mask: UInt8 = 0
            repeat {
                if isPunct(",") { advance() }
                // `mon-fri` lexes as one identifier; `mon - fri` as three tokens.
                if token.kind == .identifier, token.text.contains("-") {
                    let parts = token.text.lowercased().split(separator: "-", omittingEmptySubsequences: false)
                    guard parts.count == 2, let a = Parser.dayNames.firstIndex(of: String(parts[0])),
                        let b = Parser.dayNames.firstIndex(of: String(parts[1]))
                    else {
                        error("expected a day or a day range such as mon-fri, found \(describe(token))")
                        recoverInBlock([]); break lines
                    }
                    if b < a { error("day range runs backwards") }
                    for d in a...max(a, b) { mask |= 1 << UInt8(d) }
                    advance()
                    continue
                }
                guard let first = parseDay() else { recoverInBlock([]); break lines }
                var last = first
                if isPunct("-") {
                    advance()
                    guard let l = parseDay() else { recoverInBlock([]); break lines }
                    last = l
                }
                if last < first {
                    error("day range runs backwards", at: token.offset)
                }
                for d in first...max(first, last) { mask |= 1 << UInt8(d) }
            } while isPunct(",") && !(peekIsClockAfterComma())
            var ranges: [(Int, Int)] = []
            repeat {
                if isPunct(",") { advance() }
                let rangeOffset = token.offset
                let errorsBefore = diagnostics.count
                guard let start = parseClock() else { recoverInBlock([]); break lines }
                guard expectPunct("-", "between the start and end times") else { recoverInBlock([]); break lines }
                guard let end = parseClock() else { recoverInBlock([]); break lines }
                // A time out of range has its own error; comparing it would only add a second one.
                if end <= start, diagnostics.count == errorsBefore { error("time range ends before it starts", at: rangeOffset) }
                ranges.append((start, end))
            } while isPunct(",") && peekIsClockAfterComma()
            decl.lines.append(ScheduleLine(dayMask: mask, ranges: ranges))
            if isPunct(",") { advance() }  // `mon-fri 08:45-15:15, sat 09:00-12:00`
        }
        expectPunct("}", "to close the schedule")
        file.schedules.append(decl)
    }

    private mutating func parseConst() {
        advance()
        guard let name = expectName("a constant name") else { return }
        guard expectPunct("=", "after the constant name") else { return }
        switch token.kind {
        case .integer: file.consts.append(ConstDecl(name: name, value: .integer(token.integer))); advance()
        case .string: file.consts.append(ConstDecl(name: name, value: .string(token.text))); advance()
        default: error("expected an integer or a string, found \(describe(token))")
        }
    }

    private mutating func parseRule() {
        advance()
        guard let name = expectName("a rule name") else { return }
        var rule = RuleDecl(name: name)
        guard expectPunct("{", "to open the rule") else { return }
        while !isPunct("}") && token.kind != .eof {
            guard token.kind == .identifier else {
                error("expected clauses, severity, action, message, when or example, found \(describe(token))")
                advance()
                recoverInBlock(Parser.ruleItemKeywords)
                continue
            }
            let item = token.text
            let itemOffset = token.offset
            let before = diagnostics.count
            advance()
            switch item {
            case "clauses":
                repeat {
                    if isPunct(",") { advance() }
                    if let n = expectName("a clause id such as WOOL-07") { rule.clauses.append(n) } else { break }
                } while isPunct(",")
            case "severity":
                rule.severity = expectName("a severity (info, advice, breach, serious, critical)")
            case "action":
                if let s = expectString("an action") { rule.action = s.0 }
            case "message":
                if let s = expectString("a message") { rule.message = s.0 }
            case "when":
                if rule.hasWhen { error("a rule has only one 'when'", at: itemOffset) }
                rule.hasWhen = true
                depth = 0
                if let c = parseCondition() { rule.condition = c }
            case "example":
                var flag = true
                if isKeyword("flag") {
                    flag = true
                } else if isKeyword("pass") {
                    flag = false
                } else {
                    error("expected 'flag' or 'pass' after 'example', found \(describe(token))")
                    recoverInBlock(Parser.ruleItemKeywords)
                    continue
                }
                advance()
                guard isPunct("{") else {
                    error("expected a JSON event object after 'example \(flag ? "flag" : "pass")'")
                    recoverInBlock(Parser.ruleItemKeywords)
                    continue
                }
                let offset = token.offset
                if let json = lexer.takeJSONObject(at: offset) {
                    rule.examples.append(ExampleDecl(expectFlag: flag, json: Array(json), offset: offset))
                }
                advance()
            default:
                error("unknown rule item '\(item)'" + Suggestions.didYouMean(item, Parser.ruleItemKeywords.sorted()), at: itemOffset)
            }
            if diagnostics.count > before {
                recoverInBlock(Parser.ruleItemKeywords)
            }
        }
        expectPunct("}", "to close the rule")
        file.rules.append(rule)
    }

    // MARK: Conditions

    private mutating func parseCondition() -> SyntaxCondition? {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maximumConditionDepth {
            if depth == Parser.maximumConditionDepth + 1 {
                diagnostics.append(
                    file.source.diagnostic(
                        .limit, at: token.offset,
                        "condition nests deeper than the limit of \(Parser.maximumConditionDepth)"))
            }
            return nil
        }
        guard var left = parseAnd() else { return nil }
        while isKeyword("or") {
            advance()
            guard let right = parseAnd() else { return nil }
            left = .or(left, right)
        }
        return left
    }

    private mutating func parseAnd() -> SyntaxCondition? {
        guard var left = parseUnary() else { return nil }
        while isKeyword("and") {
            advance()
            guard let right = parseUnary() else { return nil }
            left = .and(left, right)
        }
        return left
    }

    private mutating func parseUnary() -> SyntaxCondition? {
        if isKeyword("not") {
            let offset = token.offset
            advance()
            depth += 1
            defer { depth -= 1 }
            if depth > Parser.maximumConditionDepth {
                diagnostics.append(
                    file.source.diagnostic(
                        .limit, at: offset,
                        "condition nests deeper than the limit of \(Parser.maximumConditionDepth)"))
                return nil
            }
            guard let inner = parseUnary() else { return nil }
            return .not(inner, offset)
        }
        return parsePrimary()
    }

    private mutating func parsePrimary() -> SyntaxCondition? {
        if isPunct("(") {
            advance()
            guard let inner = parseCondition() else { return nil }
            guard expectPunct(")", "to close the parenthesis") else { return nil }
            return inner
        }
        if token.kind == .string {
            let phrase = ProximityOperand.phrase(token.text, token.offset)
            advance()
            guard isKeyword("near") || isKeyword("before") else {
                error("a quoted phrase can only start a proximity test (\"...\" near list within 3 words in text), found \(describe(token)) after it")
                return nil
            }
            return parseProximity(phrase)
        }
        guard token.kind == .identifier else {
            error("expected a condition, found \(describe(token))")
            return nil
        }
        let first = Name(text: token.text, offset: token.offset)
        advance()
        if isKeyword("near") || isKeyword("before") {
            return parseProximity(.name(first))
        }
        if first.text == "exists" && isPunct("(") {
            advance()
            guard let field = expectName("a field name") else { return nil }
            guard expectPunct(")", "after the field name") else { return nil }
            return .exists(field)
        }
        if first.text == "any" && token.kind == .identifier {
            guard let group = expectName("a field group") else { return nil }
            guard expectPunct("(", "after 'any \(group.text)'") else { return nil }
            guard let inner = parseCondition() else { return nil }
            guard expectPunct(")", "to close 'any \(group.text) ('") else { return nil }
            return .any(group: group, inner)
        }
        if first.text == "count" && isPunct("(") {
            advance()
            guard let matcher = expectName("a phrase list, host list or detector") else { return nil }
            guard isKeyword("in") else { error("expected 'in' inside count(...), found \(describe(token))"); return nil }
            advance()
            guard let field = expectName("a field name") else { return nil }
            guard expectPunct(")", "to close count(...)") else { return nil }
            guard token.kind == .op || isPunct("=") else {
                error("expected a comparison (== != < <= > >=) after count(...), found \(describe(token))")
                return nil
            }
            guard let op = parseOp() else { return nil }
            guard let value = parseValue() else { return nil }
            return .count(matcher: matcher, field: field, op: op, value: value)
        }
        if isKeyword("in") {
            advance()
            if isPunct("[") {
                advance()
                var values: [SyntaxValue] = []
                if !isPunct("]") {
                    repeat {
                        if isPunct(",") { advance() }
                        guard let v = parseValue() else { return nil }
                        values.append(v)
                    } while isPunct(",")
                }
                guard expectPunct("]", "to close the list of values") else { return nil }
                return .inList(first, values)
            }
            guard let second = expectName("a field, schedule or '[' after 'in'") else { return nil }
            return .membership(first, second)
        }
        if token.kind == .op || isPunct("=") {
            guard let op = parseOp() else { return nil }
            guard let value = parseValue() else { return nil }
            return .compare(first, op, value)
        }
        var hint = ""
        if token.kind == .identifier { hint = Suggestions.didYouMean(token.text, ["in", "near", "before"]) }
        error("expected a comparison, 'in', 'near' or 'before' after '\(first.text)', found \(describe(token))" + hint)
        return nil
    }

    /// The rest of `first (near | before) second within N words in field`; the current token
    /// is `near` or `before`.
    private mutating func parseProximity(_ first: ProximityOperand) -> SyntaxCondition? {
        let ordered = isKeyword("before")
        let keyword = token.text
        let offset = first.offset
        advance()
        let second: ProximityOperand
        switch token.kind {
        case .identifier: second = .name(Name(text: token.text, offset: token.offset))
        case .string: second = .phrase(token.text, token.offset)
        default:
            error("expected a phrase list, detector or quoted phrase after '\(keyword)', found \(describe(token))")
            return nil
        }
        advance()
        guard isKeyword("within") else {
            error(
                "expected 'within N words' after '\(keyword) ...', found \(describe(token))"
                    + (token.kind == .identifier ? Suggestions.didYouMean(token.text, ["within"]) : ""))
            return nil
        }
        advance()
        let window: SyntaxValue
        let windowText = token.text
        switch token.kind {
        case .integer: window = .integer(token.integer, token.offset)
        case .identifier: window = .name(Name(text: token.text, offset: token.offset))
        default:
            error("expected a number of words (an integer or an int constant) after 'within', found \(describe(token))")
            return nil
        }
        advance()
        guard isKeyword("words") || isKeyword("word") else {
            error(
                "expected 'words' after 'within \(windowText)', found \(describe(token))"
                    + (token.kind == .identifier ? Suggestions.didYouMean(token.text, ["words", "word"]) : ""))
            return nil
        }
        advance()
        guard isKeyword("in") else {
            error("expected 'in' and a field after 'words', found \(describe(token))")
            return nil
        }
        advance()
        guard let field = expectName("a field name") else { return nil }
        return .proximity(ProximitySyntax(first: first, second: second, ordered: ordered, window: window, field: field, offset: offset))
    }

    private mutating func parseOp() -> CompareOp? {
        if isPunct("=") {
            error("use '==' to compare")
            advance()
            return nil
        }
        let op = CompareOp(rawValue: token.text)
        advance()
        return op
    }

    private mutating func parseValue() -> SyntaxValue? {
        let t = token
        switch t.kind {
        case .string: advance(); return .string(t.text, t.offset)
        case .integer: advance(); return .integer(t.integer, t.offset)
        case .identifier:
            advance()
            if t.text == "true" { return .bool(true, t.offset) }
            if t.text == "false" { return .bool(false, t.offset) }
            return .name(Name(text: t.text, offset: t.offset))
        default:
            error("expected a value (a string, an integer, true, false or a name), found \(describe(t))")
            return nil
        }
    }
}
