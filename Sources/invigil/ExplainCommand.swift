#if canImport(Glibc)
import Glibc
#endif
import Invigil

/// `invigil explain EVENT.json`: every rule considered for one event, which conditions held and
/// which phrases matched where.
func runExplain(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(arguments, valued: ["--rules", "--pack"], flags: ["--all"])
    guard options.positional.count == 1 else { throw UsageError("usage: invigil explain [--rules PATH] [--pack NAME] [--all] EVENT.json") }
    let (rules, selected) = try loadRules(rulePaths: options.all("--rules"), packNames: options.all("--pack"))
    let path = options.positional[0]
    var bytes: [UInt8] = []
    let fd = path == "-" ? 0 : open(path, O_RDONLY)
    guard fd >= 0 else { throw UsageError("cannot open \(path): \(String(cString: strerror(errno)))") }
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes += chunk[0..<n]
        if bytes.count > Limits.eventBytes { throw UsageError("\(path): event is larger than \(Limits.eventBytes) bytes") }
    }
    if fd != 0 { close(fd) }
    let scanner = Scanner(rules: rules)
    do {
        try scanner.scanJSON(bytes)
    } catch {
        throw UsageError("\(path): \(error.description)")
    }
    let fired = Set(scanner.findings.map(\.rule))
    print("event \(scanner.eventID ?? path): \(fired.count) finding\(fired.count == 1 ? "" : "s")\n")
    var skipped = 0
    for index in rules.rules.indices {
        let rule = rules.rules[index]
        if !selected.isEmpty && !selected.contains(rule.pack) { continue }
        guard scanner.packApplies(rule: index) else { skipped += 1; continue }
        var trace: [ConditionTrace] = []
        let held = scanner.evaluateTree(rule: index, trace: &trace)
        if !held && !options.flags.contains("--all") && !trace.contains(where: { $0.held && $0.text.contains("match") }) {
            // Show the rules that fired, or came close (a phrase matched); --all shows every rule.
            continue
        }
        print("\(held ? "FIRES" : "no   ")  \(rule.name)  [\(rule.severity.name)] \(rule.clauses.joined(separator: ", "))  (\(rule.location))")
        for t in trace {
            print("        " + String(repeating: "  ", count: t.depth) + (t.held ? "✓ " : "✗ ") + t.text)
        }
        print("")
    }
    if skipped > 0 { print("(\(skipped) rules of other schools' packs not considered: the event names school \(schoolName(scanner, rules)))") }
    if !options.flags.contains("--all") { print("(rules that neither fired nor matched a phrase are not shown; --all shows them)") }
    return 0
}

private func schoolName(_ scanner: Scanner, _ rules: RuleSet) -> String {
    guard let f = rules.field(named: "school"), scanner.valueCount(field: f) > 0 else { return "-" }
    let b = scanner.bytes(field: f, valueIndex: 0)
    return b.isEmpty ? "?" : String(decoding: b, as: UTF8.self)
}
