import Invigil
import InvigilArchive

/// `invigil bench [--rules PATH] INPUT...`: compile time, sizes, throughput, peak memory and the
/// rules that cost the most, for a rule author's own rules and archives.
func runBench(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(arguments, valued: ["--rules", "--pack", "--input-format", "--repeat"], flags: [])
    let compileStart = now()
    let compiled = try compiledRulesPath(options.all("--rules")) != nil
    let (rules, _) = try loadRules(rulePaths: options.all("--rules"), packNames: options.all("--pack"))
    let compileTime = now() - compileStart
    print(
        "\(compiled ? "load:   " : "compile:")    \(String(format3(compileTime * 1000))) ms, \(rules.rules.count) rules, \(rules.automaton.patternCount) phrases"
    )
    print(
        "automaton:  \(rules.automaton.stateCount) states, \(rules.automaton.classCount) byte classes, "
            + "\(rules.automaton.denseStateCount == rules.automaton.stateCount ? "dense" : "hybrid (\(rules.automaton.denseStateCount) dense states)"), "
            + "\(formatBytes(rules.automaton.memoryBytes))")
    print("bytecode:   \(rules.instructionCount) instructions")
    guard !options.positional.isEmpty else { return 0 }
    var format = ArchiveFormat.auto
    if let f = options.value("--input-format") {
        guard let v = ArchiveFormat(name: f) else { throw UsageError("unknown input format '\(f)' (\(ArchiveFormat.names))") }
        format = v
    }
    // Load the records once, then time scanning alone.
    var records: [ArchiveRecord] = []
    var bytes = 0
    var skipped: [String] = [], repeated: [String] = []
    for input in expandInputs(options.positional, format: format, skipped: &skipped, repeated: &repeated) {
        do {
            var source = try InvigilArchive.openArchive(path: input, format: format)
            while let r = source.next() { records.append(r) }
            bytes += source.bytesRead
        } catch {
            throw UsageError(error.description)
        }
    }
    let repeats = max(1, Int(options.value("--repeat") ?? "3") ?? 3)
    let scanner = Scanner(rules: rules)
    var best = Double.infinity
    var findings = 0
    for _ in 0..<repeats {
        let t0 = now()
        findings = 0
        for r in records where r.load(into: scanner) == nil { findings += scanner.scan() }
        best = min(best, now() - t0)
    }
    print(
        "scan:       \(records.count) events, \(formatBytes(bytes)), best of \(repeats): \(format3(best * 1000)) ms = "
            + "\(formatBytes(Int(Double(bytes) / best)))/s, \(Int(Double(records.count) / best)) events/s, \(findings) findings")
    // Cost per rule: evaluate each rule's condition alone over the events (a compiled file's
    // conditions are in its cold part, read now: it may have changed since the load).
    do {
        try rules.loadExamplesAndConditions()
    } catch {
        throw UsageError(error.message, status: 2)
    }
    var cost: [(Int, Double)] = []
    let sample = records.prefix(20_000)
    for r in rules.rules.indices {
        let t0 = now()
        for rec in sample where rec.load(into: scanner) == nil {
            scanner.scan()
            _ = scanner.evaluateTree(rule: r)
        }
        cost.append((r, now() - t0))
    }
    let baseline = cost.map(\.1).min() ?? 0
    print("costliest rules (tree evaluation over \(sample.count) events, above the cheapest):")
    for (r, t) in cost.sorted(by: { $0.1 > $1.1 }).prefix(10) {
        print("    \(format3((t - baseline) * 1000)) ms  \(rules.rules[r].name)")
    }
    print("peak memory: \(formatBytes(peakMemoryBytes()))")
    return 0
}

func format3(_ v: Double) -> String {
    let t = Int((v * 1000).rounded())
    let frac = t % 1000
    return "\(t / 1000).\(frac < 10 ? "00" : frac < 100 ? "0" : "")\(frac)"
}
