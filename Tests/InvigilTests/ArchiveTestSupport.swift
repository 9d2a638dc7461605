import Glibc
import Invigil
import InvigilArchive
import Testing

/// Helpers of the archive reader tests.
enum ArchiveTest {
    static let fixtures: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)  // InvigilTests/ArchiveTestSupport.swift
        return parts.joined(separator: "/") + "/Fixtures/archive"
    }()

    static func fixture(_ relative: String) -> String { fixtures + "/" + relative }

    /// A fresh temporary folder.
    static func tempDir() -> String {
        var template = Array("/tmp/invigil-archive-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: p!)
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot write \(path)")
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            precondition(n > 0)
            done += n
        }
        close(fd)
    }

    static func write(_ path: String, _ text: String) { write(path, Array(text.utf8)) }

    /// Writes a file of `chunks` repeated, streaming (for 100 MB inputs).
    static func writeLarge(_ path: String, head: String, fill: UInt8, count: Int, tail: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        func put(_ b: [UInt8]) { b.withUnsafeBytes { _ = Glibc.write(fd, $0.baseAddress!, b.count) } }
        put(Array(head.utf8))
        let block = [UInt8](repeating: fill, count: 1 << 20)
        var left = count
        while left > 0 { let n = min(left, block.count); put(Array(block[0..<n])); left -= n }
        put(Array(tail.utf8))
        close(fd)
    }

    struct Outcome {
        var records: [ArchiveRecord] = []
        var events: [(source: String, fields: [ArchiveField])] = []
        var rejected: [(source: String, reason: String)] = []

        func values(_ name: String, event i: Int) -> [String] {
            events[i].fields.filter { $0.name == name }.map { f in
                switch f.value {
                case .string(let s): return s
                case .bool(let b): return b ? "true" : "false"
                case .int(let v): return String(v)
                }
            }
        }
        func value(_ name: String, event i: Int) -> String? { values(name, event: i).first }
        func event(source suffix: String) -> Int? { events.firstIndex { $0.source.hasSuffix(suffix) } }
    }

    static func read(_ path: String, format: ArchiveFormat = .auto, options: ArchiveOptions = ArchiveOptions()) throws -> Outcome {
        var source = try openArchive(path: path, format: format, options: options)
        var out = Outcome()
        while let r = source.next() {
            out.records.append(r)
            switch r.payload {
            case .fields(let f): out.events.append((r.source, f))
            case .json: out.events.append((r.source, []))
            case .rejected(let why): out.rejected.append((r.source, why))
            }
            #expect(out.records.count < 10_000_000)
        }
        #expect(source.next().map { _ in true } == nil, "a finished source stays finished")
        #expect(out.records.count == out.events.count + out.rejected.count)
        return out
    }

    /// The schema of the event contract, for scanning reader output.
    static let schema = """
        schema {
            id: string
            type: enum(post, comment, direct_message, email, sms, chat, profile_update, media_upload, web_access, friend_request)
            action: enum(create, edit, delete, share, request, accept, decline, follow, view, submit)
            time: time
            author.id: string
            author.name: string
            author.role: enum(staff, governor, volunteer, contractor, pupil, parent, public, unknown)
            account.platform: string
            account.email: string
            account.handle: string
            recipients.name: list string
            recipients.address: list string
            recipients.role: list enum(staff, governor, volunteer, contractor, pupil, parent, public, unknown)
            recipients.family: list bool
            attachments.kind: list enum(image, video, audio, document)
            approval: list string
            subject: text
            text: text
        }
        """

    static func rules(_ body: String) throws -> RuleSet {
        try RuleSet.compile(source: schema + "\n" + body, name: "archive-test.rules")
    }

    /// Scans every record: read = scanned + rejected, and the rule names found per event source.
    static func scan(_ outcome: Outcome, rules: RuleSet) -> (scanned: Int, rejected: Int, findings: [String: [String]]) {
        let scanner = Scanner(rules: rules)
        var scanned = 0, rejected = 0
        var findings: [String: [String]] = [:]
        for r in outcome.records {
            if r.load(into: scanner) != nil { rejected += 1; continue }
            scanned += 1
            scanner.scan()
            for f in scanner.findings { findings[r.source, default: []].append(rules.rules[f.rule].name) }
        }
        #expect(scanned + rejected == outcome.records.count)
        return (scanned, rejected, findings)
    }
}

extension ArchiveRecord {
    var isRejected: Bool { if case .rejected = payload { return true } else { return false } }
}
