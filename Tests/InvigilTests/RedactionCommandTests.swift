import Foundation
import Testing
import Invigil
import InvigilArchive
import InvigilReport

/// `--redact` and `--pseudonymise`, run as a user runs them, on the sample archive and on the
/// mail and chat fixtures, in every output format (JSONL, CSV, text, the HTML report from
/// `scan --report` and from `report`). What must not survive is found by machine, not by eye:
/// the core's detectors over the input files (phone numbers, email addresses, URLs), the
/// directory's names and addresses, and the names the unredacted findings give authors and
/// recipients. The one allowed exception is a matched policy word (a phrase or host list match),
/// which redaction keeps visible by design.
@Suite("Redaction end to end", .serialized)
struct RedactionCommandTests {
    static let fixtures = "Tests/Fixtures/investigation"
    static let people = fixtures + "/people.csv"

    struct Case {
        var name: String
        var inputs: [String]
        var options: [String]
    }

    static let cases = [
        Case(name: "sample archive", inputs: ["examples/sample/"], options: []),
        Case(
            name: "mail and chat", inputs: [fixtures + "/staff-mailbox.mbox", fixtures + "/class-chat.txt"],
            options: ["--directory", people])
    ]

    static func path(_ relative: String) -> String { CommandTests.repoRoot + "/" + relative }

    /// Every file an input names (folders read recursively).
    static func files(_ inputs: [String]) -> [String] {
        inputs.flatMap { input -> [String] in
            let p = path(input)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue else { return [p] }
            return (FileManager.default.enumerator(atPath: p)?.allObjects as? [String] ?? []).sorted().map { p + "/" + $0 }
                .filter { !$0.hasSuffix("/") && (try? FileManager.default.attributesOfItem(atPath: $0)[.type] as? FileAttributeType) == .typeRegular }
        }
    }

    /// Phone numbers, email addresses and URLs in the inputs, by the core's detectors.
    static func detectedValues(_ inputs: [String]) throws -> Set<String> {
        var out: Set<String> = []
        for file in files(inputs) {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            bytes.withUnsafeBufferPointer { t in
                func add(_ s: Int, _ e: Int) { out.insert(String(decoding: UnsafeBufferPointer(rebasing: t[s..<e]), as: UTF8.self)) }
                Detectors.phones(in: t) { add($0, $1) }
                Detectors.emails(in: t) { s, e, _ in add(s, e) }
                Detectors.urls(in: t) { s, e, _, _ in add(s, e) }
            }
        }
        return out
    }

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// HTML's escapes undone, so that values are compared as text.
    static func unescapeHTML(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-redaction-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test(arguments: cases.indices)
    func noMaskedValueSurvivesInAnyOutput(_ index: Int) throws {
        let c = Self.cases[index]
        // The unredacted findings: names to hide, and the policy words that stay visible.
        let plain = try CommandTests.run(["scan", "--format", "jsonl"] + c.options + c.inputs)
        #expect(plain.status == 1, "\(plain.stderr)")
        let findings = try Self.jsonLines(plain.stdout)
        #expect(!findings.isEmpty)
        var policyWords: [String] = []
        var names: Set<String> = []
        for f in findings {
            for m in f["matches"] as? [[String: Any]] ?? [] where !Redactor.isDetector(pattern: m["pattern"] as? String ?? "") {
                policyWords.append(m["excerpt"] as? String ?? "")
            }
            for p in [f["author"] as? [String: String]].compactMap({ $0 }) + (f["recipients"] as? [[String: String]] ?? []) {
                if let n = p["name"] { names.insert(n) }
            }
        }
        var secrets = try Self.detectedValues(c.inputs).union(names)
        if c.options.contains("--directory") {
            let directory = try PeopleDirectory(path: Self.path(Self.people))
            secrets.formUnion(directory.allNamesAndAddresses)
        }
        secrets = secrets.filter { $0.utf8.count >= 4 }
        #expect(secrets.count >= 3, "the inputs hold values to mask: \(secrets)")
        #expect(plain.stdout.contains { _ in true })
        let shownPlain = secrets.filter { plain.stdout.contains($0) }
        #expect(!shownPlain.isEmpty, "without --redact the findings show some of \(secrets)")

        var outputs: [(String, String)] = []
        for format in ["jsonl", "csv", "text"] {
            let report = Self.tempPath("scan-\(index)-\(format).html")
            let r = try CommandTests.run(["scan", "--redact", "--format", format, "--report", report] + c.options + c.inputs)
            #expect(r.status == 1, "\(r.stderr)")
            outputs.append(("scan --format \(format)", r.stdout))
            outputs.append(("scan --report (\(format))", Self.unescapeHTML(try String(contentsOfFile: report, encoding: .utf8))))
        }
        let findingsFile = Self.tempPath("plain-\(index).jsonl")
        try plain.stdout.write(toFile: findingsFile, atomically: true, encoding: .utf8)
        let reportPath = Self.tempPath("report-\(index).html")
        let r = try CommandTests.run(["report", "--redact", "-o", reportPath] + c.options + [findingsFile])
        #expect(r.status == 0, "\(r.stderr)")
        outputs.append(("report --redact", Self.unescapeHTML(try String(contentsOfFile: reportPath, encoding: .utf8))))

        for (name, text) in outputs {
            #expect(
                text.contains("[phone]") || text.contains("[email]") || text.contains("[url]") || text.contains("[name]"), "\(name) masks something")
            for secret in secrets where text.contains(secret) {
                #expect(policyWords.contains { $0.contains(secret) }, "\(name): '\(secret)' survives")
            }
        }
        // The JSONL stays well formed and its window offsets point into the masked text.
        let redacted = try Self.jsonLines(outputs[0].1)
        #expect(redacted.count == findings.count)
        for f in redacted {
            guard let w = f["window"] as? [String: Any], let text = w["text"] as? String else { continue }
            let length = text.utf8.count
            for m in w["matches"] as? [[Int]] ?? [] { #expect(m[0] < m[1] && m[1] <= length) }
        }
    }

    @Test func pseudonymsAreStableAcrossRunsAndFormats() throws {
        let key = Self.tempPath("key")
        try "a key of more than sixteen bytes\n".write(toFile: key, atomically: true, encoding: .utf8)
        let inputs = [Self.fixtures + "/staff-mailbox.mbox", Self.fixtures + "/class-chat.txt"]
        let args = ["scan", "--pseudonymise", key, "--directory", Self.people, "--format", "jsonl"] + inputs
        let a = try CommandTests.run(args), b = try CommandTests.run(args)
        #expect(a.status == 1)
        #expect(a.stdout == b.stdout, "same key, same output")
        let directory = try PeopleDirectory(path: Self.path(Self.people))
        for name in directory.everyone.map(\.name) { #expect(!a.stdout.contains(name), "\(name)") }
        let pseudonymiser = Pseudonymiser(key: Array("a key of more than sixteen bytes".utf8), directory: directory)
        let jamie = try #require(pseudonymiser.pseudonym(id: nil, name: "Jamie Harrow"))
        let authors = try Self.jsonLines(a.stdout).compactMap { ($0["author"] as? [String: String])?["name"] }
        #expect(authors.contains(jamie), "\(authors)")
        // The same pseudonym in the text format and in the report.
        let report = Self.tempPath("pseudonyms.html")
        let text = try CommandTests.run(["scan", "--pseudonymise", key, "--directory", Self.people, "--format", "text", "--report", report] + inputs)
        #expect(text.stdout.contains(jamie))
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains(jamie))
        for name in directory.everyone.map(\.name) { #expect(!html.contains(name), "\(name)") }
        let short = Self.tempPath("short-key")
        try "short".write(toFile: short, atomically: true, encoding: .utf8)
        let refused = try CommandTests.run(["scan", "--pseudonymise", short, "--format", "jsonl"] + inputs)
        #expect(refused.status == 2 && refused.stderr.contains("shorter than 16 bytes"))
    }
}
