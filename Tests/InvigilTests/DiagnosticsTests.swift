import Testing
@testable import Invigil

func diagnostics(_ source: String) -> [String] {
    do {
        _ = try RuleSet.compile(source: source, name: "t.rules")
        return []
    } catch {
        return error.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }
}

let baseSchema = """
    schema {
        type: enum(post, comment, direct_message)
        author.role: enum(staff, pupil, parent)
        recipients.role: list enum(staff, pupil, parent)
        recipients.family: list bool
        text: text
        count: int
        time: time
    }
    phrases contact_offer { "text me" }

    """

@Suite("Diagnostics")
struct DiagnosticsTests {
    @Test func fiveErrorsAllReportedWithLineAndColumn() {
        let source =
            baseSchema + """
                rule a {
                    severity breach
                    message "m"
                    when author.rol == staff
                }
                rule b {
                    severity serius
                    message "m"
                    when author.role == staf
                }
                rule c {
                    severity info
                    message "m"
                    when contact_ofer in text and count == "x"
                }
                """
        let d = diagnostics(source)
        #expect(d.count == 5, "\(d)")
        #expect(d.contains("14:10: unknown field 'author.rol'; did you mean 'author.role'?"))
        #expect(d.contains("17:14: unknown severity 'serius'; did you mean 'serious'? (one of info, advice, breach, serious, critical)"))
        #expect(d.contains { $0.hasPrefix("19:25: 'staf' is not a value of author.role") && $0.contains("did you mean 'staff'") })
        #expect(d.contains { $0.hasPrefix("24:10: unknown phrase list, host list or detector 'contact_ofer'; did you mean 'contact_offer'?") })
        #expect(d.contains("24:44: cannot compare int field 'count' with string \"x\""))
    }

    /// Each error path of the parser and checker: (source after the schema, expected message
    /// fragment, the text the error must point at: line and column are where it first occurs).
    @Test(
        arguments: [
            ("rule r { severity info message \"m\" when text == }", "expected a value", "}"),
            ("rule r { severity info message \"m\" when (type == post", "expected ')'", "$END"),
            ("rule r { severity info message \"m\" when type = post }", "use '==' to compare", "= post"),
            ("rule r { severity info message \"m\" }", "has no 'when' condition", "r {"),
            ("rule r { message \"m\" when type == post }", "has no severity", "r {"),
            ("rule r { severity info when type == post }", "has no message", "r {"),
            ("rule r { severity info message \"m\" when type < post }", "'<' needs an int or time field", "type <"),
            ("rule r { severity info message \"m\" when count > true }", "cannot compare int field 'count' with bool true", "true"),
            ("rule r { severity info message \"m\" when time < \"yesterday\" }", "is not an ISO 8601 time", "\"yesterday"),
            ("rule r { severity info message \"m\" when contact_offer in count }", "test text or string fields", "count }"),
            (
                "rule r { severity info message \"m\" when any recipient (role == pupil) }",
                "unknown field group 'recipient'; did you mean 'recipients'?", "recipient ("
            ),
            ("rule r { severity info message \"m\" when any recipients (any recipients (role == pupil)) }", "cannot be nested", "recipients (role"),
            ("rule r { severity info message \"m\" when text in day }", "is a field; the left side of 'in' must be a phrase list", "text in"),
            (
                "rule r { severity info message \"m\" when type == post \"oops\" }", "expected clauses, severity, action, message, when or example",
                "\"oops"
            ),
            ("rule r { severity info message \"m\" when type == post example flag [1] }", "expected a JSON event object", "[1]"),
            ("rule r { severity info message \"m\" when type == post example flag { \"text\": \"x }", "unterminated", "{ \"text"),
            (
                "rule r { severity info message \"m\" when type == post }\nrule r { severity info message \"m\" when type == post }",
                "is already defined", "\nrule r"
            ),
            ("phrases contact_offer { \"again\" }", "already defined", "contact_offer"),
            ("phrases empty { }", "is empty", "empty"),
            ("phrases p { \"\" }", "empty phrase", "\"\""),
            ("hosts h { \"https://x.com/\" }", "is not a host name", "\"https"),
            ("schedule s { mon-fri 09:00-08:00 }", "ends before it starts", "09:00"),
            ("schedule s { mon-xyz 09:00-10:00 }", "expected a day or a day range", "mon-xyz"),
            ("schedule s { mon 25:00-26:00 }", "out of range", "25:00"),
            ("schema { text: int }", "declared as int here but as text", "text:"),
            ("schema { x: float }", "unknown type 'float'", "float"),
            ("schema { e: enum(a, a) }", "listed twice", "a)"),
            ("frobnicate x", "unknown declaration 'frobnicate'", "frobnicate"),
            ("include \"/etc/passwd\"", "must be relative", "\"/etc"),
            ("include \"../x.rules\"", "leaves the including file's folder", "\"../"),
            ("include \"missing.rules\"", "cannot read included file", "\"missing"),
            ("pack p { timezone \"Mars/Olympus\" }", "unknown time zone", "\"Mars"),
            ("pack p { colour \"red\" }", "unknown pack item 'colour'", "colour"),
            ("pack q", "unknown pack 'q'", "q"),
            ("const n = 2\nrule r { severity info message \"m\" when count(contact_offer in text) >= m }", "not an int constant", "m }"),
            ("rule r { severity info message \"m\" when text == \"bad \\q\" }", "unknown escape", "\\q"),
            ("rule r { severity info message \"m\" when text == \"unterminated }", "unterminated string", "\"unterminated"),
            ("rule r { severity info message \"m\" when type == post } $", "unexpected character '$'", "$ANCHOR_DOLLAR"),
            ("rule phone { severity info message \"m\" when type == post }\nphrases phone { \"x\" }", "built-in detector", "phone { \"x")
        ] as [(String, String, String)])
    func errorPath(_ source: String, _ fragment: String, _ anchor: String) {
        let full = baseSchema + source
        let bytes = Array(full.utf8)
        var offset = bytes.count
        if anchor != "$END" {
            let needle = Array((anchor == "$ANCHOR_DOLLAR" ? "$" : anchor).utf8)
            let schemaLength = Array(baseSchema.utf8).count
            offset = (schemaLength...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) } ?? -1
            if anchor.hasPrefix("\n") { offset += needle.count - 1 }
        }
        let line = bytes[..<offset].filter { $0 == 10 }.count + 1
        let column = offset - (bytes[..<offset].lastIndex(of: 10).map { $0 + 1 } ?? 0) + 1
        let d = diagnostics(full)
        #expect(d.contains { $0.hasPrefix("\(line):\(column): ") && $0.contains(fragment) }, "want \(line):\(column) \(fragment), got \(d)")
    }

    @Test func caretPointsAtTheColumn() {
        do {
            _ = try RuleSet.compile(source: baseSchema + "rule r { severity info message \"m\" when author.rol == staff }", name: "t.rules")
            Issue.record("expected an error")
        } catch {
            let text = error.diagnostics[0].description
            #expect(text.hasPrefix("t.rules:11:41: error: unknown field 'author.rol'"))
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 3)
            let caret = lines[2].firstIndex(of: "^").map { lines[2].distance(from: lines[2].startIndex, to: $0) }
            let line = Array(lines[1].utf8), needle = Array("author.rol".utf8)
            let start = (0...(line.count - needle.count)).first { line[$0..<($0 + needle.count)].elementsEqual(needle) }
            #expect(caret == start)
        }
    }

    @Test func deepNestingIsALimitNotACrash() {
        let deep = String(repeating: "(", count: 50_000) + "type == post" + String(repeating: ")", count: 50_000)
        let d = diagnostics(baseSchema + "rule r { severity info message \"m\" when \(deep) }")
        #expect(d.contains { $0.contains("nests deeper than the limit") })
        let nots = String(repeating: "not ", count: 10_000)
        #expect(diagnostics(baseSchema + "rule r { severity info message \"m\" when \(nots) type == post }").contains { $0.contains("limit") })
    }

    @Test func validRuleSetHasNoDiagnostics() {
        let d = diagnostics(
            baseSchema + """
                const threshold = 2
                schedule day { mon-fri 08:45-15:15, sat 09:00-12:00 }
                rule r {
                    clauses X-01, X-02a
                    severity critical
                    action "Tell the DSL"
                    message "m"
                    when (author.role == staff and not type in [post, comment])
                      or count(contact_offer in text) >= threshold
                      or (time in day and any recipients (role == pupil and family != true))
                      or exists(count) or count >= -3 or time < "2025-01-01T00:00:00Z"
                    example flag { "author": {"role": "staff"}, "type": "direct_message" }
                    example pass { "author": {"role": "pupil"} }
                }
                """)
        #expect(d == [])
    }
}
