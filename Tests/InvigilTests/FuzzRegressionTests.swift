// Inputs the fuzzers (docs/fuzzing.md) found, kept as regression tests. Every file under
// Tests/Fixtures/fuzz/TARGET/ is replayed through the entry point of that fuzz target; bugs with a
// short reproducer also get a test of their own below, bytes inline.

import Glibc
import Testing
import InvigilReport
@testable import Invigil
import InvigilArchive

@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let root: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/InvigilTests/FuzzRegressionTests.swift
        return parts.joined(separator: "/")
    }()

    /// The bundled packs, compiled per test (not held by a static for the whole run, which
    /// LeakSanitizer would report when the test bundle is unloaded).
    static func loadPacks() -> RuleSet { try! RuleSet.load(path: root + "/packs") }

    static func read(_ path: String) -> [UInt8] {
        guard case .success(let bytes) = FileSystem.read(path, limit: 1 << 24) else { return [] }
        return bytes
    }

    /// The kept inputs of a target: (file name, bytes).
    static func inputs(_ target: String) -> [(String, [UInt8])] {
        let dir = root + "/Tests/Fixtures/fuzz/" + target
        return FileSystem.entries(of: dir).filter { !$0.hasPrefix(".") && $0 != "README.md" }.map { ($0, read(dir + "/" + $0)) }
    }

    // MARK: Replays, one entry point per fuzz target

    /// rules: compiles or is refused with diagnostics; a compiled set scans its examples, and the
    /// bytecode agrees with the tree evaluator.
    static func replayRules(_ bytes: [UInt8]) {
        let rules: RuleSet
        do {
            rules = try RuleSet.compile(bytes: bytes, name: "/nonexistent-invigil-fuzz/fuzz.rules")
        } catch {
            #expect(!error.diagnostics.isEmpty)
            return
        }
        let scanner = Scanner(rules: rules)
        for example in (try? rules.examples) ?? [] {
            guard (try? scanner.scanJSON(example.json)) != nil else { continue }
            let fired = Set(scanner.findings.map(\.rule))
            for r in rules.rules.indices {
                #expect(fired.contains(r) == (scanner.packApplies(rule: r) && scanner.evaluateTree(rule: r)))
            }
        }
    }

    /// json: as the fuzz target checks it, with its differential: the same findings without
    /// deferred cue hits, and the rules fired are those whose condition trees hold.
    /// `warm`: one scanner for all of a target's inputs, as the fuzz target keeps one (its
    /// remembered key orders come from the inputs before); `plain` looks every key up.
    static func replayJSON(_ bytes: [UInt8], _ packs: RuleSet, warm scanner: Scanner) {
        let plain = Scanner(rules: packs)
        plain.defersCueHits = false
        plain.remembersKeyOrder = false
        plain.findsOriginsInText = false
        plain.scansSpacedTextInPlace = false
        do {
            try scanner.scanJSON(bytes)
            try plain.scanJSON(bytes)
            #expect(DeferredHitsTests.observed(scanner) == DeferredHitsTests.observed(plain))
            let holding = (0..<packs.ruleCount).filter { scanner.packApplies(rule: $0) && scanner.evaluateTree(rule: $0) }
            #expect(scanner.timedOut || holding == scanner.findings.map(\.rule))
        } catch {
            #expect(error.offset >= 0 && error.offset <= bytes.count)
            #expect(throws: EventError.self) { try plain.setJSON(bytes) }
        }
    }

    /// shortcuts: the normaliser's runs of ASCII with origins against its byte loop, and without
    /// origins against with, in every mode, on the input as text.
    static func replayShortcuts(_ data: [UInt8]) {
        let bytes = validUTF8(data) ? data : Array(String(decoding: data, as: UTF8.self).utf8)
        bytes.withUnsafeBufferPointer { t in
            for mode in NormalizeShortcutTests.modes {
                var full: [UInt8] = [], bare: [UInt8] = [], slow: [UInt8] = []
                var origin: [SIMD4<Int32>] = [], none: [SIMD4<Int32>] = [], slowOrigin: [SIMD4<Int32>] = []
                var separator = false
                Normalizer.normalize(t, mode: mode, into: &full, origin: &origin)
                Normalizer.normalize(t, mode: mode, into: &bare, origin: &none, trackOrigin: false)
                _ = Normalizer.normalize(
                    t, from: 0, upTo: t.count, mode: mode, into: &slow, origin: &slowOrigin, trackOrigin: true,
                    separatorSinceLast: &separator, asciiRuns: false)
                #expect(full == bare && full == slow && origin == slowOrigin, "\(mode.description)")
            }
        }
    }

    static func replayReader(_ bytes: [UInt8], _ packs: RuleSet, suffix: String, _ makeSource: (String) throws -> any ArchiveSource) throws {
        var template = Array("/tmp/invigil-fuzzreg-XXXXXX".utf8CString)
        let dir = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
        defer { rmdir(dir) }
        let path = dir + "/input" + suffix
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        defer { unlink(path) }
        var source = try makeSource(path)
        drain(&source, bytes.count, packs)
    }

    /// Reads every record (bounded by the input's size) and scans the events.
    static func drain(_ source: inout any ArchiveSource, _ size: Int, _ packs: RuleSet) {
        let scanner = Scanner(rules: packs)
        var records = 0
        while let r = source.next() {
            records += 1
            if records > 2 * size + 8 { Issue.record("no progress"); return }
            if r.load(into: scanner) == nil { scanner.scan() }
        }
    }

    /// The same input through the readers' in-memory entry points.
    static func replayInMemory(_ bytes: [UInt8], _ packs: RuleSet, _ sources: [any ArchiveSource]) {
        for var source in sources { drain(&source, bytes.count, packs) }
    }

    static func replayAutomaton(_ data: [UInt8]) {
        guard data.count >= 2 else { return }
        var i = 2
        var patterns: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        for _ in 0..<(Int(data[1]) % 48 + 1) where i < data.count {
            let n = Int(data[i]) % 24
            i += 1
            let p = data[i..<min(data.count, i + n)].map(Automaton.fold)
            i = min(data.count, i + n)
            if !p.isEmpty && seen.insert(p).inserted { patterns.append(p) }
        }
        guard !patterns.isEmpty else { return }
        let text = i < data.count ? Array(data[i...]) : []
        for budget in [24 << 20, 0, 64, 4096] {
            let a = Automaton(patterns: patterns, denseBudgetBytes: budget)
            let folded = text.map(Automaton.fold)
            var want = 0
            for end in 0...folded.count { for p in patterns where p.count <= end && folded[(end - p.count)..<end].elementsEqual(p) { want += 1 } }
            #expect(a.matches(in: text).count == want, "budget \(budget)")
        }
    }

    /// zip: an odd first byte inflates the rest; otherwise the input is a zip archive whose
    /// entries are read (size and CRC as declared), then read as a WhatsApp export.
    static func replayZip(_ bytes: [UInt8], _ packs: RuleSet) throws {
        guard let first = bytes.first else { return }
        if first & 1 == 1 {
            let stream = Array(bytes.dropFirst())
            if let out = try? Inflate.decompress(stream, limit: 1 << 18) {
                #expect(try Inflate.decompress(stream, limit: out.count, exact: true) == out)
                let head = try #require(Inflate.prefix(of: stream, count: out.count / 2 + 1))
                #expect(out.starts(with: head))
            }
            return
        }
        var limits = ZipLimits()
        limits.entryBytes = 1 << 20
        limits.totalBytes = 4 << 20
        guard let zip = try? ZipArchive(bytes: bytes, limits: limits) else { return }
        for entry in zip.entries.prefix(64) {
            if let contents = try? zip.contents(of: entry) {
                #expect(contents.count == entry.uncompressedSize)
                #expect(CRC32.checksum(contents) == entry.crc32)
            }
        }
        guard let chat = try? WhatsAppZipSource(bytes: bytes, name: "kept.zip", limits: limits) else { return }
        var source: any ArchiveSource = chat
        drain(&source, bytes.count, packs)
        _ = chat.notes
        try replayReader(bytes, packs, suffix: ".zip") { try WhatsAppZipSource(path: $0, limits: limits) }
    }

    /// jsonl: the reader whole against the scan's chunk path, here with a chunk per line and one
    /// chunk of everything (the fuzz target cuts where the input's bytes say), and against the
    /// workers' range path with ranges of 1, 7 and 64 bytes: the same records.
    static func replayJSONL(_ bytes: [UInt8]) {
        func describe(_ r: ArchiveRecord) -> String {
            switch r.payload {
            case .json(let json): return "\(r.source) json \(json)"
            case .rejected(let reason): return "\(r.source) rejected \(reason)"
            case .fields: return "\(r.source) fields"
            }
        }
        let whole = JSONLSource(bytes: bytes, name: "kept.jsonl")
        var expected: [String] = []
        while let r = whole.next() { expected.append(describe(r)) }
        var ends = bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
        if ends.last != bytes.count { ends.append(bytes.count) }
        for cuts in [ends, [bytes.count]] {
            var got: [String] = []
            var start = 0, lines = 0
            for end in cuts where end > start {
                let chunk = Array(bytes[start..<end])
                chunk.withUnsafeBufferPointer { buffer in
                    let source = JSONLSource(borrowingChunk: buffer, name: "kept.jsonl", linesBefore: lines)
                    while let item = source.nextItem() {
                        switch item {
                        case .event(let json, let line): got.append("\(source.source(ofLine: line)) json \(Array(json))")
                        case .record(let r): got.append(describe(r))
                        }
                    }
                }
                lines += chunk.filter { $0 == 0x0A }.count
                start = end
            }
            #expect(got == expected)
        }
        // The workers' range path: ranges cut anywhere, each read apart through positional reads.
        for size in [1, 7, 64] {
            var got: [String] = []
            let reader = JSONLRangeReader()
            let ledger = LineLedger()
            let read = JSONLRangeReaderTests.reader(bytes)
            for (piece, start) in stride(from: 0, to: bytes.count, by: size).enumerated() {
                guard let lines = reader.read(start..<min(bytes.count, start + size), from: read, ledger: ledger, piece: piece) else {
                    Issue.record("range \(piece) lost without a read error")
                    break
                }
                let source = JSONLSource(borrowingChunk: lines.bytes, name: "kept.jsonl", linesBefore: lines.linesBefore)
                while let item = source.nextItem() {
                    switch item {
                    case .event(let json, let line): got.append("\(source.source(ofLine: line)) json \(Array(json))")
                    case .record(let r): got.append(describe(r))
                    }
                }
            }
            #expect(got == expected, "ranges of \(size) bytes")
        }
    }

    @Test("kept inputs replay cleanly", arguments: ["rules", "json", "jsonl", "mail", "whatsapp", "csv", "automaton", "zip", "report", "shortcuts"])
    func replay(_ target: String) throws {
        let kept = Self.inputs(target)
        let packs = Self.loadPacks()
        let warm = Scanner(rules: packs)
        #expect(kept.count >= 10, "Tests/Fixtures/fuzz/\(target) holds the inputs kept from the fuzz runs")
        for (name, bytes) in kept {
            switch target {
            case "rules": Self.replayRules(bytes)
            case "json": Self.replayJSON(bytes, packs, warm: warm)
            case "jsonl": Self.replayJSONL(bytes)
            case "mail":
                try Self.replayReader(bytes, packs, suffix: ".mbox") { try MboxSource(path: $0) }
                try Self.replayReader(bytes, packs, suffix: ".eml") { try EMLSource(path: $0) }
                Self.replayInMemory(bytes, packs, [MboxSource(bytes: bytes, name: name), EMLSource(bytes: bytes, name: name)])
            case "whatsapp":
                try Self.replayReader(bytes, packs, suffix: ".txt") { try WhatsAppSource(path: $0) }
                Self.replayInMemory(bytes, packs, [WhatsAppSource(bytes: bytes, name: name)])
            case "csv":
                try Self.replayReader(bytes, packs, suffix: ".csv") { try CSVSource(path: $0) }
                try Self.replayReader(bytes, packs, suffix: ".tsv") { try CSVSource(path: $0) }
                Self.replayInMemory(bytes, packs, [CSVSource(bytes: bytes, name: name + ".csv"), CSVSource(bytes: bytes, name: name + ".tsv")])
                // The scan pipeline's cut, read chunk by chunk, against the whole (as the fuzz
                // target checks it, with small limits).
                var limits = CSVLimits()
                limits.lineBytes = 40
                limits.recordLines = 3
                limits.recordBytes = 64
                for (block, chunk) in [(1, 1), (7, 33), (64, 128)] {
                    #expect(
                        CSVChunkingTests.chunked(bytes, name: "in.csv", options: CSVOptions(), block: block, chunk: chunk, limits: limits)
                            == CSVChunkingTests.whole(bytes, name: "in.csv", options: CSVOptions(), limits: limits), "\(name)")
                }
            case "zip": try Self.replayZip(bytes, packs)
            case "report": Self.replayReport(bytes)
            case "shortcuts": Self.replayShortcuts(bytes)
            default: Self.replayAutomaton(bytes)
            }
        }
    }

    /// report: a findings file goes through the reader, redaction, grouping and rendering; every
    /// line is a finding or an error, window offsets stay inside the masked text, no finding is
    /// lost in grouping, and the page holds only its own script.
    static func replayReport(_ bytes: [UInt8]) {
        let (findings, errors) = readFindings(jsonl: bytes, name: "f")
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).filter {
            !$0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
        }
        #expect(findings.count + errors.count <= lines.count, "every line is a finding, an error or blank")
        let redactor = Redactor(redact: true, pseudonyms: Pseudonymiser(key: Array("replay key 0123456789".utf8)), directory: nil)
        let redacted = findings.map(redactor.redact)
        for f in redacted {
            guard let w = f.window else { continue }
            #expect(w.matches.allSatisfy { !$0.isEmpty && $0.lowerBound >= 0 && $0.upperBound <= w.text.utf8.count })
        }
        let model = ReportModel(findings: redacted, catalogue: nil)
        #expect(model.messages.map(\.findings.count).reduce(0, +) == findings.count)
        let html = ReportHTML.render(model, header: ReportHeader(ranBy: "t", ranAt: "t", engineVersion: "0", command: "t"))
        let needle = Array("<script".utf8), page = Array(html.utf8)
        let scripts = (0...(page.count - needle.count)).filter { page[$0] == 0x3C && page[$0..<($0 + needle.count)].elementsEqual(needle) }.count
        #expect(scripts == 1)
    }

    // MARK: Bugs found

    /// Found by LimitsTests: JSON numbers were read as a positive magnitude and then negated, so
    /// -9223372036854775808 (Int64.min, a 64-bit integer) was refused as "does not fit 64 bits".
    /// Fixed in JSONCursor.readNumber (Sources/Invigil/Scan/JSONEvent.swift).
    @Test func int64MinIsA64BitInteger() throws {
        let rules = try RuleSet.compile(source: "schema { n: int }\nrule r { severity info message \"m\" when n < -9223372036854775807 }\n")
        let scanner = Scanner(rules: rules)
        #expect(try scanner.scanJSON(Array(#"{"n": -9223372036854775808}"#.utf8)) == 1)
        #expect(try scanner.scanJSON(Array(#"{"n": -9223372036854775807}"#.utf8)) == 0)
        #expect(throws: EventError.self) { try scanner.scanJSON(Array(#"{"n": -9223372036854775809}"#.utf8)) }
        #expect(throws: EventError.self) { try scanner.scanJSON(Array(#"{"n": 9223372036854775808}"#.utf8)) }
    }

    /// Found by LimitsTests (a 15 MiB rule source of invalid UTF-8 took minutes): every
    /// diagnostic quoted its whole source line, decoded with repairs, so a hostile one-line file
    /// cost its full size per diagnostic. Lines over 4,096 bytes are no longer quoted
    /// (SourceText.line, Sources/Invigil/Language/Diagnostic.swift).
    @Test func longLinesAreNotQuotedInDiagnostics() {
        let invalid = [UInt8](repeating: 0xFF, count: 4 << 20)
        let start = LimitsTests.seconds()
        do {
            _ = try RuleSet.compile(bytes: invalid, name: "hostile.rules")
            Issue.record("invalid UTF-8 compiled")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["file is not valid UTF-8"])
            #expect(error.diagnostics.allSatisfy { $0.sourceLine.isEmpty })
        }
        var long = Array("schema { text: text }\nrule r { severity info message \"".utf8)
        long += [UInt8](repeating: 0x61, count: 1 << 20)
        long += Array("\" when nope in text } @\n".utf8)
        do {
            _ = try RuleSet.compile(bytes: long, name: "long.rules")
            Issue.record("compiled")
        } catch {
            #expect(!error.diagnostics.isEmpty)
            #expect(error.diagnostics.allSatisfy { $0.location.line != 2 || $0.sourceLine.isEmpty })
            _ = error.description
        }
        #expect(LimitsTests.seconds() - start < 60, "hang guard")
        // Short lines are still quoted, with the caret.
        do {
            _ = try RuleSet.compile(source: "schema { text: text }\nrule r { severity info message \"m\" when nope in text }\n")
        } catch {
            #expect(error.diagnostics.first?.sourceLine.contains("nope in text") == true)
        }
    }
}
