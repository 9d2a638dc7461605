// Compiles one rule from a string, scans one event given as JSON, and prints its findings.
// Exits 0 when the event has the expected finding, 1 otherwise (scripts/test-all runs it).
import Invigil
#if canImport(Glibc)
import Glibc
#endif

let source = """
    pack example {
        code "EXMP"
        title "Example school"
        timezone "Europe/London"
    }

    schema {
        id: string
        author.role: enum(staff, pupil, parent)
        text: text
    }

    phrases contact_offer { "text me" "dm me" }

    rule staff-personal-contact {
        clauses EXMP-06
        severity serious
        message "Staff must not give pupils personal contact details."
        when author.role == staff and (contact_offer in text or phone in text)
    }
    """

let event = #"{"id":"evt-1","author":{"role":"staff"},"text":"Text me on 07700 900123 tonight"}"#

do {
    let rules = try RuleSet.compile(source: source, name: "example.rules")
    let scanner = Scanner(rules: rules)
    let count = try scanner.scanJSON(Array(event.utf8))
    for finding in scanner.findings {
        let rule = rules.rules[finding.rule]
        print("\(scanner.eventID ?? "?"): \(rule.name) (\(rule.severity.name)): \(rule.message)")
        for span in scanner.matches[finding.matches] {
            print("  matched \"\(scanner.excerpt(span))\"")
        }
    }
    print("\(count) finding(s)")
    exit(count == 1 ? 0 : 1)
} catch {
    print("error: \(error)")
    exit(2)
}
