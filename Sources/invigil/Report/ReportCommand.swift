#if canImport(Glibc)
import Glibc
#endif
import Invigil
import InvigilArchive
import InvigilPolicy
import InvigilReport

let reportHelp = """
    usage: invigil report [options] FINDINGS.jsonl

    Writes the triage report, one self-contained HTML file, from a findings file written by
    invigil scan --format jsonl (or - for standard input). invigil scan --report FILE.html writes
    the same report while scanning, with the scan's full header (inputs, packs, reconciliation line).

    options:
      -o, --output FILE       the report (default: report.html)
      --redact                mask phone numbers, email addresses, URLs and names (see docs/report.md)
      --pseudonymise KEYFILE  replace people by stable pseudonyms keyed by the file's bytes (at least 16)
      --directory FILE        people CSV (address,name,role): their names and addresses are masked too
      --catalogue PATH        the clause catalogue (default: policies/clauses.tsv beside the packs)

    A findings file does not record the scan's inputs, packs or totals: the header then lists the
    findings file and the archive files its findings name (as they are now), the bundled packs the
    findings name, and says that the scan's reconciliation line is not known.

    Exit status: 0 written, 2 unreadable findings or unusable options. Lines that are not findings
    are reported on standard error and counted; the report is still written.
    """

/// The options `scan` and `report` share for masking.
let maskingOptionNames = ["--pseudonymise"]
let maskingFlagNames = ["--redact"]

/// The redactor the options ask for, or `.none`.
func makeRedactor(_ options: Options, directory: PeopleDirectory?) throws(UsageError) -> Redactor {
    let redact = options.flags.contains("--redact")
    var pseudonyms: Pseudonymiser? = nil
    if let keyPath = options.value("--pseudonymise") {
        guard let text = readCoverageFile(keyPath) else {
            throw UsageError("--pseudonymise: cannot read \(keyPath): \(String(cString: strerror(errno)))")
        }
        guard let key = Pseudonymiser.key(fromFile: Array(text.utf8)) else {
            throw UsageError(
                "--pseudonymise: the key in \(keyPath) is shorter than \(Pseudonymiser.minimumKeyBytes) bytes (make one with: head -c 32 /dev/urandom | base64 > \(keyPath))"
            )
        }
        pseudonyms = Pseudonymiser(key: key, directory: directory)
    }
    return Redactor(redact: redact, pseudonyms: pseudonyms, directory: directory)
}

/// What the header says about masking.
func redactionNote(_ r: Redactor, directory: PeopleDirectory?) -> String? {
    var parts: [String] = []
    if r.redacts {
        parts.append(
            "phone numbers, email addresses and URLs masked as [phone], [email], [url]; authors' and recipients' names as [name]"
                + (directory.map { "; the names of the \($0.count) people in the directory as [name]" }
                    ?? "; no directory given, so names in the text are not masked"))
    }
    if r.pseudonyms != nil { parts.append("people replaced by pseudonyms (person-…, HMAC-SHA-256 under a key file)") }
    return parts.isEmpty ? nil : parts.joined(separator: "; ")
}

/// Reads the clause catalogue, or nil with a note (the report still lists clause IDs).
func loadCatalogue(_ path: String?, notes: inout [String]) -> ClauseCatalogue? {
    let p = path ?? defaultCataloguePath(packsFolder: nil)
    guard let text = readCoverageFile(p) else {
        notes.append("The clause catalogue (\(p)) could not be read, so clauses are shown without their policy text.")
        return nil
    }
    do {
        return try ClauseCatalogue(parsing: text, path: p)
    } catch {
        notes.append("The clause catalogue could not be read (\(error)), so clauses are shown without their policy text.")
        return nil
    }
}

/// Builds and writes the report from findings JSONL. Returns false (after saying why) when the
/// file cannot be written.
func writeReport(
    records: [UInt8], recordsName: String, header: ReportHeader, redactor: Redactor,
    cataloguePath: String?, to path: String
) -> (written: Bool, unreadLines: Int) {
    var header = header
    let (read, errors) = readFindings(jsonl: records, name: recordsName)
    for e in errors.prefix(20) { printError(e) }
    if errors.count > 20 { printError("invigil report: \(errors.count - 20) more lines that are not findings") }
    if !errors.isEmpty {
        header.notes.append(
            "\(errors.count) line\(errors.count == 1 ? " was" : "s were") not findings and are not shown (see the errors the command printed).")
    }
    let findings = redactor.isActive ? read.map(redactor.redact) : read
    let catalogue = loadCatalogue(cataloguePath, notes: &header.notes)
    let model = ReportModel(findings: findings, catalogue: catalogue)
    let html = ReportHTML.render(model, header: header)
    do {
        let out = try Output(path: path)
        out.write(html)
        out.close()
    } catch {
        printError("invigil: \(error.message)")
        return (false, errors.count)
    }
    return (true, errors.count)
}

func runReport(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(
        arguments, valued: Set(["--output", "-o", "--directory", "--catalogue"] + maskingOptionNames),
        flags: Set(maskingFlagNames + ["--help", "-h"]))
    if options.flags.contains("--help") || options.flags.contains("-h") { print(reportHelp); return 0 }
    guard options.positional.count == 1 else { throw UsageError("give one findings file (JSONL)\n\n" + reportHelp) }
    let input = options.positional[0]
    var directory: PeopleDirectory? = nil
    if let d = options.value("--directory") {
        do { directory = try PeopleDirectory(path: d) } catch { throw UsageError("\(error.description)") }
    }
    let redactor = try makeRedactor(options, directory: directory)
    let bytes: [UInt8]
    if input == "-" {
        bytes = readStandardInputWhole()
    } else {
        guard let text = readCoverageFile(input) else { throw UsageError("cannot read \(input): \(String(cString: strerror(errno)))") }
        bytes = Array(text.utf8)
    }
    var header = ReportHeader(
        ranBy: RunFacts.ranBy(), ranAt: RunFacts.utcNow(), engineVersion: invigilVersion,
        command: redactor.text(RunFacts.commandLine()))
    header.redaction = redactionNote(redactor, directory: directory)
    // The findings name their archives (`file:line`, `file:#N`, a path): list those that exist now.
    let (peek, _) = readFindings(jsonl: bytes, name: input)
    var archives: [String] = []
    var seen: Set<String> = []
    for f in peek {
        let file = archivePath(ofSource: f.source)
        if seen.insert(file).inserted && fileExists(file) && !isDirectory(file) { archives.append(file) }
    }
    header.inputs =
        [
            ReportHeader.Input(
                path: input == "-" ? "(standard input)" : input, bytes: bytes.count,
                sha256: SHA256.hex(SHA256.digest(bytes)))
        ] + RunFacts.inputs(archives)
    header.inputs = header.inputs.map {
        var i = $0; i.path = redactor.text(i.path); return i
    }
    let packNames = Set(peek.map(\.pack))
    if let folder = bundledPacksFolder(), let rules = try? RuleSet.load(paths: [folder]) {
        header.packs = RunFacts.packs(rules, only: packNames)
    }
    header.notes.append(
        "Made from a findings file: the scan's inputs, packs and totals are not recorded in it. "
            + "The inputs listed are the findings file and the archive files its findings name, as they are now (\(archives.count) found); "
            + "the packs are those installed with this invigil that the findings name. The scan's reconciliation line is not known: "
            + "see the summary the scan printed on standard error.")
    let result = writeReport(
        records: bytes, recordsName: input, header: header, redactor: redactor,
        cataloguePath: options.value("--catalogue"), to: options.value("--output") ?? options.value("-o") ?? "report.html")
    return result.written ? 0 : 2
}

/// The file part of a finding's source: `a.jsonl:12` → `a.jsonl`, `box.mbox:#3` → `box.mbox`.
func archivePath(ofSource source: String) -> String {
    guard let colon = source.lastIndex(of: ":") else { return source }
    let rest = source[source.index(after: colon)...]
    let number = rest.hasPrefix("#") ? rest.dropFirst() : rest
    return !number.isEmpty && number.allSatisfy(\.isNumber) ? String(source[..<colon]) : source
}

/// Standard input, whole.
func readStandardInputWhole() -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
        if n < 0 { if errno == EINTR { continue }; break }
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    return bytes
}
