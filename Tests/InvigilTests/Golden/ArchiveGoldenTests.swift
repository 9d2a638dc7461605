import Foundation
import Invigil
import InvigilArchive
import Testing

/// For every archive fixture Tests/Fixtures/archive/PATH, the records its reader yields (format
/// detected as `invigil scan` detects it, default options) are in
/// Tests/Fixtures/archive-records/PATH.jsonl, one JSON object per record:
///
///     {"source":"mbox/x.mbox:#2","fields":[{"name":"author.id","value":"a@b.org"},…]}
///     {"source":"csv/x.csv:7","rejected":"why"}
///     {"source":"…","json":"the event's JSON, as a string"}
///     {"open_error":"why"}                         (the file is refused as a whole)
///
/// A field's `element` (its recipient, say) and `"list":true` (appended to a list field) appear
/// when set. Sources are relative to Tests/Fixtures/archive. The expected records live in their own
/// tree, not beside the fixtures, because the command tests scan the fixture folders whole and
/// would read a `.jsonl` beside them as one more archive.
@Suite("Golden archive records")
struct ArchiveGoldenTests {
    static let archive = Golden.fixtures + "/archive"
    static let records = Golden.fixtures + "/archive-records"

    /// Every fixture file, relative to the archive folder, but licences, readmes and the people
    /// directory of the zip exports (not an archive).
    static let fixtures: [String] = {
        guard let walker = FileManager.default.enumerator(atPath: archive) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: archive + "/" + relative, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            let name = relative.split(separator: "/").last.map(String.init) ?? relative
            if name.uppercased().contains("LICENSE") || name == "README.md" || name == "people.csv" || name.hasPrefix(".") { continue }
            found.append(relative)
        }
        return found.sorted()
    }()

    @Test func everyReaderHasFixtures() {
        #expect(Self.fixtures.count >= 30)
        for folder in ["csv/", "mail/", "mbox/", "whatsapp/", "whatsapp-zip/"] {
            #expect(Self.fixtures.contains { $0.hasPrefix(folder) }, "no fixture in \(folder)")
        }
    }

    /// No expected-records file without its fixture (a renamed fixture leaves none behind).
    @Test func noOrphanedExpectations() {
        guard let walker = FileManager.default.enumerator(atPath: Self.records) else { return }
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".jsonl") else { continue }
            #expect(Self.fixtures.contains(String(relative.dropLast(".jsonl".count))), "\(relative) has no fixture")
        }
    }

    @Test(arguments: ArchiveGoldenTests.fixtures)
    func records(_ relative: String) throws {
        let path = Self.archive + "/" + relative
        var lines = ""
        do {
            var source = try openArchive(path: path, format: .auto, options: ArchiveOptions())
            while let record = source.next() { lines += Self.line(record) + "\n" }
        } catch {
            lines = "{\"open_error\":\(Golden.quoted(Self.relative(error.reason)))}\n"
        }
        let expected = Self.records + "/" + relative + ".jsonl"
        Golden.check(lines, against: expected)
    }

    /// Paths inside the fixtures folder, relative to it.
    static func relative(_ text: String) -> String {
        text.replacingOccurrences(of: archive + "/", with: "")
    }

    static func line(_ r: ArchiveRecord) -> String {
        let source = "{\"source\":\(Golden.quoted(relative(r.source)))"
        switch r.payload {
        case .rejected(let reason):
            return source + ",\"rejected\":\(Golden.quoted(relative(reason)))}"
        case .json(let bytes):
            return source + ",\"json\":\(Golden.quoted(String(decoding: bytes, as: UTF8.self)))}"
        case .fields(let fields):
            let items = fields.map { f -> String in
                var item = "{\"name\":\(Golden.quoted(f.name)),\"value\":"
                switch f.value {
                case .string(let s): item += Golden.quoted(s)
                case .bool(let b): item += b ? "true" : "false"
                case .int(let v): item += String(v)
                }
                if let e = f.element { item += ",\"element\":\(e)" }
                if f.isListValue { item += ",\"list\":true" }
                return item + "}"
            }
            return source + ",\"fields\":[" + items.joined(separator: ",") + "]}"
        }
    }
}
