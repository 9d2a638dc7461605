import InvigilArchive
import InvigilReport

/// `report`: the input is a findings JSONL file. The reader must keep every good line and name
/// every bad one (never trap); redaction must keep window offsets inside the masked text and
/// leave no detected phone number or email address in it (outside policy words); the HTML must
/// hold exactly the report's own script, whatever the findings say.
enum FuzzReport {
    static let redactor = Redactor(
        redact: true, pseudonyms: Pseudonymiser(key: Array("fuzzing key 0123456789".utf8)),
        directory: PeopleDirectory(people: [.init(address: "07700900111", name: "Jamie Harrow", role: "staff", relation: "")]))

    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(data)
        let (findings, errors) = readFindings(jsonl: bytes, name: "f")
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            .filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } && !($0.count == 3 && $0.elementsEqual([0xEF, 0xBB, 0xBF])) }
        if findings.count + errors.count > lines.count { fuzzFail("\(findings.count) findings and \(errors.count) errors from \(lines.count) lines") }
        var redacted: [FindingRecord] = []
        for f in findings {
            let r = redactor.redact(f)
            if let w = r.window {
                let length = w.text.utf8.count
                for m in w.matches where m.lowerBound < 0 || m.upperBound > length || m.isEmpty {
                    fuzzFail("window match \(m) outside \(length) bytes")
                }
            }
            redacted.append(r)
        }
        let model = ReportModel(findings: redacted, catalogue: nil)
        if model.messages.map(\.findings.count).reduce(0, +) != findings.count { fuzzFail("findings lost in grouping") }
        let header = ReportHeader(ranBy: "fuzz", ranAt: "now", engineVersion: "0", command: "fuzz")
        let html = ReportHTML.render(model, header: header)
        let needle = Array("<script".utf8), page = Array(html.utf8)
        var scripts = 0
        if page.count >= needle.count {
            for i in 0...(page.count - needle.count) where page[i] == 0x3C && page[i..<(i + needle.count)].elementsEqual(needle) { scripts += 1 }
        }
        if scripts != 1 { fuzzFail("\(scripts) script elements in the report") }
    }
}
