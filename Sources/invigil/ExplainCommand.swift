#if canImport(Glibc)
import Glibc
#endif
import Invigil
import InvigilArchive

let explainHelp = """
    usage: invigil explain [options] EVENT

    Shows, for one event, every rule considered, which conditions held and which phrases matched
    where. EVENT is a JSON event file (or - for standard input), or a record of an archive named
    as `invigil scan` names it in its findings' source: FILE:LINE for JSONL, CSV and WhatsApp
    exports, FILE:#N for the Nth message of an mbox, the path of an .eml or Maildir message.

    options:
      --rules PATH            rule file or folder (repeatable); default: the bundled packs
      --pack NAME             only this bundled pack's rules (repeatable)
      --all                   show every rule, not only those that fired or matched a phrase
      --input-format FMT      how to read the archive (default: auto)

    reader options (as for invigil scan):
    """ + "\n" + readerOptionsHelp

/// `invigil explain EVENT`: every rule considered for one event, which conditions held and
/// which phrases matched where.
func runExplain(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(
        arguments, valued: Set(["--rules", "--pack", "--input-format"] + readerOptionNames),
        flags: ["--all", "--help", "-h"])
    if options.flags.contains("--help") || options.flags.contains("-h") { print(explainHelp); return 0 }
    guard options.positional.count == 1 else { throw UsageError("give one event\n\n" + explainHelp) }
    let (rules, selected) = try loadRules(rulePaths: options.all("--rules"), packNames: options.all("--pack"))
    // A compiled file's conditions are in its cold part, read now: it may have changed since the load.
    do {
        try rules.loadExamplesAndConditions()
    } catch {
        throw UsageError(error.message, status: 2)
    }
    let path = options.positional[0]
    let constants = try ConstantFields(options.all("--set"), rules: rules)
    var inputFormat = ArchiveFormat.auto
    if let f = options.value("--input-format") {
        guard let v = ArchiveFormat(name: f) else { throw UsageError("unknown input format '\(f)' (\(ArchiveFormat.names))") }
        inputFormat = v
    }
    let scanner = Scanner(rules: rules)
    let record = try explainRecord(path, format: inputFormat, options: try readerOptions(from: options))
    if let reason = record.load(into: scanner) ?? constants.apply(to: scanner) {
        throw UsageError("\(record.source): \(reason)")
    }
    scanner.scan()
    // The text is made by the core, so that invigil_explain (the C interface) gives the same.
    print(
        scanner.explanation(
            format: .text, eventName: record.source, all: options.flags.contains("--all"),
            selectedPacks: Set(selected)), terminator: "")
    return 0
}

/// The record `name` stands for: a JSON event file, standard input, or an archive record named by
/// its source as `invigil scan` prints it (`FILE:LINE`, `FILE:#N`, or a one-message file).
private func explainRecord(_ name: String, format: ArchiveFormat, options: ArchiveOptions) throws(UsageError) -> ArchiveRecord {
    // The file part: the whole name if it is a file, else the name without its `:LINE` or `:#N`.
    var file = name
    var wanted: String? = nil
    if name != "-", !fileExists(name), let colon = name.lastIndex(of: ":") {
        let suffix = name[name.index(after: colon)...]
        let number = suffix.hasPrefix("#") ? suffix.dropFirst() : suffix
        if !number.isEmpty, number.allSatisfy(\.isNumber) {
            file = String(name[..<colon])
            wanted = name
        }
    }
    if let bang = file.firstIndex(of: "!"), !fileExists(file) { file = String(file[..<bang]) }
    guard name == "-" || fileExists(file) else { throw UsageError("cannot open \(name): no such file, and no FILE:LINE or FILE:#N record of a file") }
    let chosen = format == .auto ? (recognizedFormat(path: file) ?? .jsonl) : format
    // A single JSON event (possibly spread over several lines) in a .json file or on standard input.
    if wanted == nil, chosen == .jsonl {
        let bytes = try readEventFile(file)
        return ArchiveRecord(source: file == "-" ? "<stdin>" : file, payload: .json(bytes))
    }
    var source: any ArchiveSource
    do {
        source = try openArchive(path: file, format: chosen, options: options)
    } catch {
        throw UsageError(error.description)
    }
    var first: ArchiveRecord? = nil
    var count = 0
    let displayedName = file == "-" ? "<stdin>" : file
    let target = wanted.map { file == "-" ? "<stdin>" + $0.dropFirst(1) : $0 }
    while let record = source.next() {
        count += 1
        if let target {
            if record.source == target { return record }
        } else {
            if first == nil { first = record }
            if count > 1 { break }
        }
    }
    if let target { throw UsageError("\(displayedName) has no record \(target) (\(count) records read)") }
    guard let first else { throw UsageError("\(displayedName) holds no record") }
    guard count == 1 else {
        throw UsageError("\(displayedName) holds several records; name one as invigil scan prints its source (\(first.source))")
    }
    return first
}

/// A whole event file, at most `Limits.eventBytes`.
private func readEventFile(_ path: String) throws(UsageError) -> [UInt8] {
    switch FileSystem.readWholeFile(path, limit: Limits.eventBytes) {
    case .success(let bytes): return bytes
    case .failure(let failure):
        switch failure.kind {
        case .tooLarge: throw UsageError("\(path): event is larger than \(Limits.eventBytes) bytes")
        case .open: throw UsageError("cannot open \(path): \(failure.reason)")
        case .directory, .read: throw UsageError("cannot read \(path): \(failure.reason)")
        }
    }
}
