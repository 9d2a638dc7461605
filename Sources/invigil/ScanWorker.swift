import Invigil
import InvigilArchive
import InvigilReport

/// Field values `--set FIELD=VALUE` gives every event, whatever its input format, resolved to
/// slots once.
struct ConstantFields {
    var values: [(slot: Int, name: String, value: String)] = []

    /// Checks each `FIELD=VALUE` against the rules' schema: an unknown field or a value of the
    /// wrong type is a usage error before anything is scanned.
    init(_ pairs: [String], rules: RuleSet) throws(UsageError) {
        // Made only when there is a pair to check: a scanner costs a few milliseconds to make,
        // before the first event is read.
        guard !pairs.isEmpty else { return }
        let probe = Scanner(rules: rules)
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else { throw UsageError("--set needs FIELD=VALUE, got '\(pair)'") }
            let name = String(pair[..<eq]), value = String(pair[pair.index(after: eq)...])
            guard let slot = rules.field(named: name) else {
                let hint = closestName(name, rules.fields.map(\.name)).map { "; did you mean \($0)?" } ?? ""
                throw UsageError("--set: the rules have no field '\(name)'\(hint)")
            }
            do throws(FieldError) {
                try probe.setString(name, value)
            } catch {
                throw UsageError("--set \(name): \(error.description)")
            }
            values.append((slot, name, value))
        }
    }

    /// Sets the values on the scanner's current event, replacing what it had.
    func apply(to scanner: Scanner) -> String? {
        for v in values {
            do throws(FieldError) { try scanner.setString(v.name, v.value) } catch { return error.description }
        }
        return nil
    }
}

/// A worker thread's state: its own scanner over the shared rules, and what it tallies.
final class ScanWorker: @unchecked Sendable {
    let scanner: Scanner
    let writer: FindingWriter
    let constants: ConstantFields
    let contextFields: ContextFields
    /// Read and written by this worker's thread alone (`perform` hands it out with each task's
    /// result and starts a new one): unchecked, because every access to a class's `var` is
    /// otherwise a run-time exclusivity check, three per event.
    @exclusivity(unchecked) var result = ScanTally()
    /// Room for the next task's output: a quarter more than the last one's. A task's output grew
    /// from nothing by doubling, each step a copy of what it held into fresh pages; the tasks of
    /// one input are mostly alike.
    @exclusivity(unchecked) var outputRoom = 0
    /// This worker's scratch for one finding's JSONL record (`FindingWriter.write`).
    let record = FindingBytes()
    /// Reads the ranges of JSONL files given to this worker, keeping its buffer between them.
    lazy var rangeReader = JSONLRangeReader()

    init(rules: RuleSet, writer: FindingWriter, constants: ConstantFields, contextFields: ContextFields, timeBudget: UInt64) {
        scanner = Scanner(rules: rules)
        scanner.timeBudgetNanoseconds = timeBudget
        self.writer = writer
        self.constants = constants
        self.contextFields = contextFields
    }

    /// Scans one record (or counts it rejected) and formats its findings into `result`.
    func process(_ record: ArchiveRecord) {
        finish(rejection: record.load(into: scanner)) { record.source }
    }

    /// Scans one JSON event where it lies (a line of a JSONL chunk) and formats its findings
    /// into `result`. `source` is called only when the event has findings or errors: making
    /// `file:line` for every event was a string per event, for the few that need one.
    func processEvent(_ json: UnsafeBufferPointer<UInt8>, source: () -> String) {
        finish(rejection: ArchiveRecord.loadJSON(json, into: scanner), source: source)
    }

    /// After a record's load: counts it rejected, or sets the constants, scans and writes.
    private func finish(rejection: String?, source: () -> String) {
        if let reason = rejection ?? constants.apply(to: scanner) {
            result.rejected += 1
            result.errors.append("\(source()): error: \(reason)")
            return
        }
        // The count `scan()` returns, not `scanner.findings`: read from this module, the
        // scanner's stored properties cost a run-time exclusivity check each.
        let found = scanner.scan()
        result.scanned += 1
        result.noteContext(of: scanner, contextFields)
        if scanner.timedOut {
            result.timedOut += 1
            result.errors.append("\(source()): warning: the time budget ran out; findings for this event may be incomplete")
        }
        if found > 0 { writer.write(scanner, source: source(), into: &result, record: record) }
    }
}
