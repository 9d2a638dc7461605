import Invigil
import InvigilArchive
import InvigilReport

/// `scan --report FILE`: the report of the findings just written (the same JSONL, read back by
/// the same reader as `invigil report`), with the scan's full header.
func writeScanReport(
    records: [UInt8], to path: String, rules: RuleSet, selectedPacks: [String], inputs: [String],
    summary: String, redactor: Redactor, directory: PeopleDirectory?, cataloguePath: String?
) -> Bool {
    var header = ReportHeader(
        ranBy: RunFacts.ranBy(), ranAt: RunFacts.utcNow(), engineVersion: invigilVersion,
        command: redactor.text(RunFacts.commandLine()))
    header.packs = RunFacts.packs(rules, only: selectedPacks.isEmpty ? nil : Set(selectedPacks))
    header.inputs = RunFacts.inputs(inputs).map {
        var i = $0; i.path = redactor.text(i.path); return i
    }
    header.reconciliation = summary.split(separator: "\n").last.map(String.init)
    header.redaction = redactionNote(redactor, directory: directory)
    return writeReport(
        records: records, recordsName: "findings", header: header, redactor: .none,
        cataloguePath: cataloguePath, to: path
    ).written
}
