import Foundation
import Testing
import InvigilReport

/// `invigil scan --report` and `invigil report` on the sample archive: one self-contained file,
/// the counts the findings give, the header's inputs with their digests, and the clause texts.
@Suite("Report end to end", .serialized)
struct ReportCommandTests {
    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func scanReportOfTheSampleArchive() throws {
        let report = RedactionCommandTests.tempPath("sample-report.html")
        let r = try CommandTests.run(["scan", "--format", "jsonl", "--report", report, "examples/sample/"])
        #expect(r.status == 1)
        let html = try Self.read(report)
        // Self-contained: nothing fetched.
        for external in ["<link", "src=", "@import", "url(", "http://", "https://"] where external != "https://" && external != "http://" {
            #expect(!html.contains(external), "\(external)")
        }
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
        let findings = try RedactionCommandTests.jsonLines(r.stdout)
        let messages = Set(findings.map { "\($0["event"]!)\u{0}\($0["source"]!)" })
        #expect(html.contains("data-findings=\"\(findings.count)\""))
        #expect(Self.count("<li class=\"entry ", in: html) == messages.count)
        #expect(html.contains("<span id=\"total-findings\">\(findings.count)</span>"))
        // The queue: critical first.
        let firstEntry = try #require(html.range(of: "<li class=\"entry "))
        #expect(html[firstEntry.upperBound...].hasPrefix("sev-critical"))
        // The reconciliation line is the scan's.
        let last = try #require(r.stderr.split(separator: "\n").last)
        #expect(html.contains("<code>\(last)</code>"))
        // Each input with its size and SHA-256.
        for file in try FileManager.default.contentsOfDirectory(atPath: CommandTests.repoRoot + "/examples/sample").sorted() {
            let data = try Data(contentsOf: URL(fileURLWithPath: CommandTests.repoRoot + "/examples/sample/" + file))
            #expect(html.contains(SHA256.hex(SHA256.digest(Array(data)))), "\(file)")
            #expect(html.contains("<td class=\"num\">\(data.count)</td>"), "\(file)")
        }
        // Clauses carry the catalogue's policy text.
        let clauseIDs = Set(findings.flatMap { $0["clauses"] as? [String] ?? [] })
        #expect(Self.count("<article class=\"clause\"", in: html) == clauseIDs.count)
        #expect(!html.contains("not in the clause catalogue"))
        #expect(html.contains("class=\"statement\""))
        #expect(html.contains("<svg class=\"timeline\""))
    }

    @Test func reportFromAFindingsFileSaysWhatItCannotKnow() throws {
        let scan = try CommandTests.run(["scan", "--format", "jsonl", "examples/sample/"])
        let file = RedactionCommandTests.tempPath("sample.jsonl")
        try (scan.stdout + "this line is not a finding\n").write(toFile: file, atomically: true, encoding: .utf8)
        let out = RedactionCommandTests.tempPath("from-file.html")
        let r = try CommandTests.run(["report", "-o", out, file])
        #expect(r.status == 0)
        #expect(r.stderr.contains("sample.jsonl:\(scan.stdout.split(separator: "\n").count + 1): error:"))
        let html = try Self.read(out)
        let findings = try RedactionCommandTests.jsonLines(scan.stdout)
        #expect(html.contains("data-findings=\"\(findings.count)\""))
        #expect(html.contains("reconciliation line is not known"))
        #expect(html.contains("1 line was not findings"))
        // The archives the findings name are listed with their digests.
        let data = try Data(contentsOf: URL(fileURLWithPath: CommandTests.repoRoot + "/examples/sample/dsat.jsonl"))
        #expect(html.contains(SHA256.hex(SHA256.digest(Array(data)))))
        let missing = try CommandTests.run(["report", "-o", out, "/nonexistent/findings.jsonl"])
        #expect(missing.status == 2)
    }
}
