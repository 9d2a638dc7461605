#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Invigil
import InvigilArchive

let scanHelp = """
    usage: invigil scan [options] INPUT...

    Scans archives (files, folders, or - for standard input) and writes findings. Folders are read
    recursively in name order, skipping names that start with "."; links are followed, but a file or
    folder reached twice (a link loop, two links to one file) is read once.

    options:
      --rules PATH            rule file or folder (repeatable); default: the bundled packs
      --pack NAME             a bundled pack by name or school code (repeatable); default: all
      --list-packs            list the bundled packs and exit
      --format FMT            jsonl, csv or text (default: text on a terminal, jsonl otherwise)
      --input-format FMT      auto, jsonl, csv, mbox, eml, maildir, whatsapp (default: auto)
      --jobs N                worker threads (default: number of cores)
      --output FILE           write findings there (default: standard output)
      --min-severity LEVEL    info, advice, breach, serious or critical (default: info)
      --strict                exit 2 if any record was rejected
      --time-budget MS        stop scanning an event after MS milliseconds (its findings so far are kept and
                              a warning names it)
      --no-progress           no progress line on standard error

    reader options (mail, chat and CSV archives):
    """ + "\n" + readerOptionsHelp

/// What a worker produces for a batch of records, written out in input order.
struct BatchResult {
    var output: [UInt8] = []
    var errors: [String] = []
    var scanned = 0
    var rejected = 0
    var findings = 0
    var timedOut = 0
    var bySeverity = [Int](repeating: 0, count: 5)
    var byRule: [Int: Int] = [:]
}

enum FindingFormat: String { case jsonl, csv, text }

/// Formats the findings of the scanner's current event.
struct FindingWriter {
    let rules: RuleSet
    let format: FindingFormat
    let minimum: Severity
    let packFilter: Set<String>
    let colour: Bool

    func write(_ scanner: Scanner, source: String, into result: inout BatchResult) {
        let eventID = scanner.eventID ?? source
        for finding in scanner.findings {
            let rule = rules.rules[finding.rule]
            if rule.severity < minimum { continue }
            if !packFilter.isEmpty && !packFilter.contains(rule.pack) { continue }
            result.findings += 1
            result.bySeverity[rule.severity.rawValue] += 1
            result.byRule[finding.rule, default: 0] += 1
            switch format {
            case .jsonl: jsonl(scanner, finding, rule, eventID, source, &result.output)
            case .csv: csv(scanner, finding, rule, eventID, source, &result.output)
            case .text: text(scanner, finding, rule, eventID, source, &result.output)
            }
        }
    }

    private func jsonl(_ s: Scanner, _ f: Finding, _ rule: RuleInfo, _ id: String, _ source: String, _ out: inout [UInt8]) {
        out.append(contentsOf: "{\"event\":".utf8); jsonString(id, into: &out)
        out.append(contentsOf: ",\"source\":".utf8); jsonString(source, into: &out)
        out.append(contentsOf: ",\"rule\":".utf8); jsonString(rule.name, into: &out)
        out.append(contentsOf: ",\"clauses\":[".utf8)
        for (i, c) in rule.clauses.enumerated() {
            if i > 0 { out.append(0x2C) }
            jsonString(c, into: &out)
        }
        out.append(contentsOf: "],\"severity\":".utf8); jsonString(rule.severity.name, into: &out)
        out.append(contentsOf: ",\"action\":".utf8); jsonString(rule.action, into: &out)
        out.append(contentsOf: ",\"message\":".utf8); jsonString(rule.message, into: &out)
        out.append(contentsOf: ",\"matches\":[".utf8)
        for (i, m) in s.matches[f.matches].enumerated() {
            if i > 0 { out.append(0x2C) }
            out.append(contentsOf: "{\"field\":".utf8); jsonString(rules.fields[m.field].name, into: &out)
            if rules.fields[m.field].isList { out.append(contentsOf: ",\"index\":\(m.valueIndex)".utf8) }
            out.append(contentsOf: ",\"start\":\(m.start),\"end\":\(m.end),\"pattern\":".utf8)
            jsonString(rules.matcherNames[m.pattern], into: &out)
            out.append(contentsOf: ",\"excerpt\":".utf8); jsonString(s.excerpt(m), into: &out)
            out.append(0x7D)
        }
        out.append(0x5D)
        // The scanner stores a bounded number of spans per event: say when this list was cut.
        if f.truncated { out.append(contentsOf: ",\"matches_truncated\":true,\"match_total\":\(f.matchTotal)".utf8) }
        out.append(contentsOf: "}\n".utf8)
    }

    static func csvCell(_ value: String, into out: inout [UInt8]) {
        var v = Array(value.utf8)
        if let first = v.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains(first) { v.insert(0x27, at: 0) }
        let needsQuotes = v.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if needsQuotes {
            out.append(0x22)
            for b in v { if b == 0x22 { out.append(0x22) }; out.append(b) }
            out.append(0x22)
        } else {
            out += v
        }
    }

    private func csv(_ s: Scanner, _ f: Finding, _ rule: RuleInfo, _ id: String, _ source: String, _ out: inout [UInt8]) {
        let excerpt = s.matches[f.matches].map { s.excerpt($0) }.joined(separator: " | ")
        let cells = [id, source, rule.name, rule.clauses.joined(separator: ","), rule.severity.name, rule.action, rule.message, excerpt]
        for (i, c) in cells.enumerated() {
            if i > 0 { out.append(0x2C) }
            FindingWriter.csvCell(c, into: &out)
        }
        out += [0x0D, 0x0A]
    }

    private func text(_ s: Scanner, _ f: Finding, _ rule: RuleInfo, _ id: String, _ source: String, _ out: inout [UInt8]) {
        let colours = ["\u{1B}[2m", "\u{1B}[36m", "\u{1B}[33m", "\u{1B}[31m", "\u{1B}[1;31m"]
        let sev = rule.severity.name.uppercased()
        let label = colour ? colours[rule.severity.rawValue] + sev + "\u{1B}[0m" : sev
        var line = "\(source)  \(label)  \(rule.name)"
        if !rule.clauses.isEmpty { line += " [\(rule.clauses.joined(separator: ", "))]" }
        line += "\n    \(rule.message)"
        if !rule.action.isEmpty { line += "\n    action: \(rule.action)" }
        for m in s.matches[f.matches].prefix(5) {
            let excerpt = s.excerpt(m).replacingNewlines()
            line += "\n    \(rules.fields[m.field].name)[\(m.start)..<\(m.end)] \(rules.matcherNames[m.pattern]): \"\(excerpt)\""
        }
        if f.matchTotal > min(5, f.matches.count) {
            line += "\n    (\(f.truncated ? "at least " : "")\(f.matchTotal) matches in all)"
        }
        if id != source { line += "\n    event: \(id)" }
        out += Array((line + "\n").utf8)
    }
}

extension String {
    func replacingNewlines() -> String {
        String(decoding: utf8.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }, as: UTF8.self)
    }
}

/// A worker thread's state: its own scanner over the shared rules.
final class ScanWorker: @unchecked Sendable {
    let scanner: Scanner
    var records: [ArchiveRecord] = []
    var result = BatchResult()

    init(rules: RuleSet) { scanner = Scanner(rules: rules) }

    func run(_ writer: FindingWriter) {
        result = BatchResult()
        for record in records {
            if let reason = record.load(into: scanner) {
                result.rejected += 1
                result.errors.append("\(record.source): error: \(reason)")
                continue
            }
            scanner.scan()
            result.scanned += 1
            if scanner.timedOut {
                result.timedOut += 1
                result.errors.append("\(record.source): warning: the time budget ran out; findings for this event may be incomplete")
            }
            writer.write(scanner, source: record.source, into: &result)
        }
    }
}

/// Expands inputs: folders become their files (a Maildir folder stays one input). With
/// `--input-format auto`, files inside folders whose format neither their extension nor their
/// content tells (a LICENSE, a README) are left out and listed in `skipped`. Symbolic links are
/// followed, but a folder or file reached a second time inside folders (a link back up the
/// tree, two links to one file) is read once and the other paths are listed in `repeated`, so
/// no record is scanned twice and a link loop ends.
func expandInputs(_ inputs: [String], format: ArchiveFormat, skipped: inout [String], repeated: inout [String]) -> [String] {
    var seen = Set<FileIdentity>()
    return expandInputs(inputs, format: format, skipped: &skipped, repeated: &repeated, seen: &seen, inFolder: false)
}

/// A file's device and inode: the same file under any path.
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

private func expandInputs(_ inputs: [String], format: ArchiveFormat, skipped: inout [String], repeated: inout [String],
                          seen: inout Set<FileIdentity>, inFolder: Bool) -> [String] {
    var out: [String] = []
    for input in inputs {
        let identity = input == "-" ? nil : FileIdentity(path: input)
        if input != "-", isDirectory(input), format != .maildir,
            !(isDirectory(input + "/cur") || isDirectory(input + "/new"))
        {
            if let identity, !seen.insert(identity).inserted {
                repeated.append(input)
                continue
            }
            var names: [String] = []
            if let dir = opendir(input) {
                while let entry = readdir(dir) {
                    let name = withUnsafePointer(to: entry.pointee.d_name) {
                        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                    }
                    if !name.hasPrefix(".") { names.append(name) }
                }
                closedir(dir)
            }
            out += expandInputs(names.sorted().map { input.hasSuffix("/") ? input + $0 : input + "/" + $0 }, format: format,
                                skipped: &skipped, repeated: &repeated, seen: &seen, inFolder: true)
        } else if inFolder, format == .auto, recognizedFormat(path: input) == nil {
            skipped.append(input)
        } else if inFolder, let identity, !seen.insert(identity).inserted {
            repeated.append(input)
        } else {
            if let identity { seen.insert(identity) }
            out.append(input)
        }
    }
    return out
}

func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : 0
}

func runScan(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(arguments,
        valued: Set(["--rules", "--pack", "--format", "--input-format", "--jobs", "--output", "--min-severity", "--time-budget"] + readerOptionNames),
        flags: ["--strict", "--list-packs", "--no-progress", "--help", "-h"])
    if options.flags.contains("--help") || options.flags.contains("-h") { print(scanHelp); return 0 }
    let (rules, selectedPacks) = try loadRules(rulePaths: options.all("--rules"), packNames: options.all("--pack"))
    if options.flags.contains("--list-packs") {
        for pack in rules.packs {
            let count = rules.rules.filter { $0.pack == pack.name }.count
            print("\(pack.name)\t\(pack.code ?? "-")\t\(count) rules\t\(pack.title)")
        }
        return 0
    }
    guard !options.positional.isEmpty else { throw UsageError("no input given\n\n" + scanHelp) }
    var minimum = Severity.info
    if let m = options.value("--min-severity") {
        guard let s = Severity(name: m) else { throw UsageError("unknown severity '\(m)' (info, advice, breach, serious, critical)") }
        minimum = s
    }
    var inputFormat = ArchiveFormat.auto
    if let f = options.value("--input-format") {
        guard let v = ArchiveFormat(rawValue: f) else {
            throw UsageError("unknown input format '\(f)' (\(ArchiveFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        inputFormat = v
    }
    var jobs = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    if let j = options.value("--jobs") {
        guard let n = Int(j), n >= 1, n <= 256 else { throw UsageError("--jobs needs a number from 1 to 256") }
        jobs = n
    }
    let output = try Output(path: options.value("--output"))
    var format: FindingFormat = output.isTerminal ? .text : .jsonl
    if let f = options.value("--format") {
        guard let v = FindingFormat(rawValue: f) else { throw UsageError("unknown format '\(f)' (jsonl, csv, text)") }
        format = v
    }
    let colour = format == .text && output.isTerminal && environment("NO_COLOR") == nil
    let writer = FindingWriter(rules: rules, format: format, minimum: minimum, packFilter: Set(selectedPacks), colour: colour)
    let archiveOptions = try readerOptions(from: options)
    if format == .csv { output.write("event,source,rule,clauses,severity,action,message,excerpt\r\n") }

    var skippedFiles: [String] = []
    var repeatedPaths: [String] = []
    let inputs = expandInputs(options.positional, format: inputFormat, skipped: &skippedFiles, repeated: &repeatedPaths)
    let totalBytes = inputs.reduce(0) { $0 + ($1 == "-" ? 0 : fileSize($1)) }
    let showProgress = isatty(2) != 0 && !options.flags.contains("--no-progress")
    var budget: UInt64 = 0
    if let t = options.value("--time-budget") {
        guard let ms = UInt64(t), ms > 0 else { throw UsageError("--time-budget needs a number of milliseconds") }
        budget = ms * 1_000_000
    }
    let workers = (0..<jobs).map { _ in ScanWorker(rules: rules) }
    for w in workers { w.scanner.timeBudgetNanoseconds = budget }
    let batchSize = 1024
    var read = 0, scanned = 0, rejected = 0, findings = 0
    var bySeverity = [Int](repeating: 0, count: 5)
    var byRule: [Int: Int] = [:]
    var unopened = 0
    var timedOut = 0
    var notes: [String] = []
    var bytesDone = 0
    let start = now()
    var lastProgress = start

    func flushRound() {
        let active = workers.filter { !$0.records.isEmpty }
        if active.isEmpty { return }
        if active.count == 1 {
            active[0].run(writer)
        } else {
            DispatchQueue.concurrentPerform(iterations: active.count) { i in active[i].run(writer) }
        }
        for w in active {
            output.write(w.result.output)
            for e in w.result.errors { printError(e) }
            scanned += w.result.scanned
            rejected += w.result.rejected
            findings += w.result.findings
            timedOut += w.result.timedOut
            for i in 0..<5 { bySeverity[i] += w.result.bySeverity[i] }
            for (r, n) in w.result.byRule { byRule[r, default: 0] += n }
            w.records.removeAll(keepingCapacity: true)
        }
        output.flush()
    }

    func progress(_ current: Int, force: Bool = false) {
        guard showProgress else { return }
        let t = now()
        if !force && t - lastProgress < 0.2 { return }
        lastProgress = t
        let elapsed = max(t - start, 1e-6)
        let done = bytesDone + current
        let rate = Double(done) / elapsed
        var line = "\r\u{1B}[K  \(formatBytes(done))"
        if totalBytes > 0 { line += " of \(formatBytes(totalBytes))" }
        line += "  \(read) events  \(findings) findings  \(formatBytes(Int(rate)))/s"
        if totalBytes > 0, rate > 0, done < totalBytes { line += "  \(formatDuration(Double(totalBytes - done) / rate)) left" }
        writeAll(2, Array(line.utf8))
    }

    for input in inputs {
        var source: any ArchiveSource
        do {
            source = try openArchive(path: input, format: inputFormat, options: archiveOptions)
        } catch {
            printError("invigil: \(error.description)")
            unopened += 1
            continue
        }
        var w = 0
        while let record = source.next() {
            read += 1
            workers[w].records.append(record)
            if workers[w].records.count >= batchSize {
                w += 1
                if w == jobs {
                    flushRound()
                    w = 0
                    progress(source.bytesRead)
                }
            }
        }
        flushRound()
        bytesDone += source.bytesRead
        if let noted = source as? any ArchiveNotes {
            for (note, count) in noted.notes.sorted(by: { $0.key < $1.key }) { notes.append("\(input): \(count)× \(note)") }
        }
        progress(0, force: true)
    }
    if showProgress { writeAll(2, Array("\r\u{1B}[K".utf8)) }
    output.close()

    let elapsed = now() - start
    var summary = "invigil: \(inputs.count - unopened) input\(inputs.count - unopened == 1 ? "" : "s"), \(formatBytes(bytesDone)) in \(formatDuration(elapsed))"
    if elapsed > 0 { summary += " (\(formatBytes(Int(Double(bytesDone) / elapsed)))/s)" }
    summary += "\ninvigil: findings by severity:"
    for s in Severity.allCases.reversed() where bySeverity[s.rawValue] > 0 { summary += " \(s.name) \(bySeverity[s.rawValue])," }
    if findings == 0 { summary += " none" } else { summary.removeLast() }
    if !byRule.isEmpty {
        summary += "\ninvigil: findings by rule:"
        for (r, n) in byRule.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }).prefix(15) {
            summary += "\n    \(n)\t\(rules.rules[r].name)"
        }
        if byRule.count > 15 { summary += "\n    ... and \(byRule.count - 15) more rules" }
    }
    if !repeatedPaths.isEmpty {
        summary += "\ninvigil: \(repeatedPaths.count) path\(repeatedPaths.count == 1 ? "" : "s") in folders lead\(repeatedPaths.count == 1 ? "s" : "") to a file or folder already read (a link), not read again: "
            + repeatedPaths.prefix(5).joined(separator: ", ") + (repeatedPaths.count > 5 ? ", ..." : "")
    }
    if !skippedFiles.isEmpty {
        summary += "\ninvigil: \(skippedFiles.count) file\(skippedFiles.count == 1 ? "" : "s") of unknown format in folders not read (name them, or give --input-format): "
            + skippedFiles.prefix(5).joined(separator: ", ") + (skippedFiles.count > 5 ? ", ..." : "")
    }
    if !notes.isEmpty { summary += "\ninvigil: decoded in part (scanned):\n    " + notes.joined(separator: "\n    ") }
    if timedOut > 0 { summary += "\ninvigil: \(timedOut) event\(timedOut == 1 ? "" : "s") stopped at the time budget (findings may be incomplete)" }
    if unopened > 0 { summary += "\ninvigil: \(unopened) input\(unopened == 1 ? "" : "s") could not be opened" }
    summary += "\ninvigil: read \(read), scanned \(scanned), rejected \(rejected), findings \(findings)"
    printError(summary)
    if unopened > 0 { return 2 }
    if rejected > 0 && options.flags.contains("--strict") { return 2 }
    return findings > 0 ? 1 : 0
}

func formatBytes(_ n: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var v = Double(n)
    var u = 0
    while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
    if u == 0 { return "\(n) B" }
    let tenths = Int((v * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[u])"
}

func formatDuration(_ s: Double) -> String {
    if s < 1 { return "\(Int(s * 1000)) ms" }
    if s < 60 { let t = Int((s * 10).rounded()); return "\(t / 10).\(t % 10) s" }
    let total = Int(s)
    return "\(total / 60)m\(total % 60 < 10 ? "0" : "")\(total % 60)s"
}
