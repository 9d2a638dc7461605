import Foundation
import Testing

@testable import Invigil

/// The cold part of a compiled file (the examples and the conditions): not read by a load from
/// a file, not checked by any load, read and checked on first use (docs/compiled-format.md,
/// "The cold part"). The lazy read is checked against the eager one (the whole file in memory,
/// its cold part checked at once), and the first use against a file changed, removed or
/// damaged after the load.
@Suite("Compiled rule files: the cold part")
struct CompiledColdPartTests {
    static func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = try CommandTests.temporaryFile(name, "")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func header(_ bytes: [UInt8]) throws -> CompiledRulesHeader {
        try bytes.withUnsafeBytes { b in try Result { () throws(CompiledRulesError) in try CompiledRulesHeader(b) }.get() }
    }

    /// Conditions as the writer encodes them (`Condition` is not `Equatable`).
    static func encoded(_ conditions: [Condition]) -> [UInt8] {
        var w = ByteWriter()
        for c in conditions { ConditionCoding.write(c, to: &w) }
        return w.bytes
    }

    static func coldError(_ rules: RuleSet) -> CompiledRulesError? {
        do {
            try rules.loadExamplesAndConditions()
            return nil
        } catch {
            return error
        }
    }

    /// The packs and generated rule sets: the cold part read lazily from the file gives the
    /// conditions, examples and written bytes of the eager read (the whole file, checked at once).
    @Test func lazyReadFromTheFileEqualsTheEagerRead() throws {
        var sets = [try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])]
        for seed in 1...4 { sets.append(try CompiledQuickCheckTests.generated(seed: seed)) }
        for (i, rules) in sets.enumerated() {
            let bytes = try rules.compiledBytes()
            let path = try Self.write(bytes, "lazy-\(i).ivg")
            let lazy = try RuleSet.load(compiledPath: path)
            let eager = try RuleSet.loadChecked(compiledPath: path)
            guard case .deferred(let d) = lazy.holding else { Issue.record("not deferred"); continue }
            #expect(!d.isDecoded)
            #expect(try lazy.examples.map(\.json) == eager.examples.map(\.json))
            #expect(try lazy.examples.map(\.location) == rules.examples.map(\.location))
            #expect(
                Self.encoded(lazy.conditions) == Self.encoded(eager.conditions) && Self.encoded(lazy.conditions) == Self.encoded(rules.conditions))
            #expect(try lazy.compiledBytes() == bytes && eager.compiledBytes() == bytes)
        }
    }

    /// A load from a file reads the header and payload only: a cold part damaged on disk loads,
    /// scans like the sources, and is refused on first use with a message naming the checksum.
    @Test func aLoadDoesNotReadTheColdPart() throws {
        let rules = try RuleSet.compile(source: CompiledRulesTests.small, name: "small.rules")
        var bytes = try rules.compiledBytes()
        let header = try Self.header(bytes)
        #expect(header.coldOffset + header.coldLength == bytes.count && header.coldLength > 16)
        bytes[header.coldOffset + header.coldLength - 1] ^= 0x40
        let path = try Self.write(bytes, "damaged-cold.ivg")
        let loaded = try RuleSet.load(compiledPath: path)
        let event = Array(#"{"role":"staff","text":"text me","time":"2024-06-03T10:00:00Z"}"#.utf8)
        let a = Scanner(rules: loaded), b = Scanner(rules: rules)
        try a.scanJSON(event)
        try b.scanJSON(event)
        #expect(a.findings.map(\.rule) == b.findings.map(\.rule) && !a.findings.isEmpty)
        let error = Self.coldError(loaded)
        #expect(error?.kind == .corrupted && error?.message.hasPrefix(path + ": ") == true)
        #expect(error?.message.contains("cold part (examples and conditions) checksum") == true, "\(error?.message ?? "read")")
        #expect((try? loaded.compiledBytes()) == nil)
        // Conditions asked for anyway (explain checks first) are false, never a trap.
        #expect(
            loaded.conditions.allSatisfy {
                if case .constant(false) = $0 { return true }
                return false
            })
        // The C API's load reads the whole file and checks the cold part at once.
        #expect(throws: CompiledRulesError.self) { try RuleSet.loadChecked(compiledPath: path) }
    }

    /// The file changed between the load and the first use: rewritten in place with other rules,
    /// replaced by a rename, truncated, removed. Each first use fails with a message; once the
    /// loaded file is back, the next use reads it (a failure is not remembered).
    @Test func aFileChangedAfterTheLoadIsRefusedOnFirstUse() throws {
        let rules = try RuleSet.compile(source: CompiledRulesTests.small, name: "small.rules")
        let bytes = try rules.compiledBytes()
        let other = try RuleSet.compile(source: CompiledRulesTests.small + "\n# another file\n", name: "other.rules").compiledBytes()
        let path = try Self.write(bytes, "changing.ivg")
        let url = URL(fileURLWithPath: path)

        // Other rules written in place (`cp other.ivg changing.ivg`): another header.
        var loaded = try RuleSet.load(compiledPath: path)
        try Data(other).write(to: url)
        var error = Self.coldError(loaded)
        #expect(error?.message.contains("changed since it was loaded") == true, "\(error?.message ?? "read")")
        // The same bytes again: the next use reads them.
        try Data(bytes).write(to: url)
        #expect(Self.coldError(loaded) == nil)
        #expect(try loaded.examples.count == rules.examples.count)

        // Same length and header, another cold part (written over the loaded file in place).
        loaded = try RuleSet.load(compiledPath: path)
        var tampered = bytes
        tampered[tampered.count - 2] ^= 1
        try Data(tampered).write(to: url)
        error = Self.coldError(loaded)
        #expect(error?.message.contains("checksum") == true, "\(error?.message ?? "read")")

        // Truncated.
        try Data(bytes).write(to: url)
        loaded = try RuleSet.load(compiledPath: path)
        try Data(bytes.prefix(bytes.count - 5)).write(to: url)
        error = Self.coldError(loaded)
        #expect(error?.message.contains("changed since it was loaded") == true, "\(error?.message ?? "read")")

        // Removed: cannot be read.
        try Data(bytes).write(to: url)
        loaded = try RuleSet.load(compiledPath: path)
        try FileManager.default.removeItem(at: url)
        error = Self.coldError(loaded)
        #expect(error?.kind == .io && error?.message.hasPrefix(path + ": cannot read") == true, "\(error?.message ?? "read")")
        #expect((try? loaded.examples) == nil)
        try Data(bytes).write(to: url)
        #expect(try loaded.compiledBytes() == bytes)
    }

    /// The cold part's tie to the payload: a cold part with a valid checksum written with
    /// another payload (its tie names another payload) is refused on first use.
    @Test func aColdPartOfAnotherPayloadIsRefused() throws {
        let bytes = try CompiledRulesTests.smallFile()
        let header = try Self.header(bytes)
        let payload = Array(bytes[CompiledFormat.headerLength..<header.coldOffset])
        var cold = Array(bytes[header.coldOffset...])
        // A file written whole, then its tie changed and its checksums made valid for it.
        cold[8] ^= 1
        var file = RuleSetWriter.file(payload: payload, cold: cold)
        let fixed = try Self.header(file)
        // `file(payload:cold:)` writes the right tie; put the wrong one back, then reseal the
        // cold checksum in the header by hand.
        file[fixed.coldOffset + 8] ^= 1
        let crc = CRC32C.checksum(Array(file[fixed.coldOffset...]))
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { file[CompiledFormat.coldChecksumOffset + i] = $0[i] } }
        var headerBytes = Array(file[..<CompiledFormat.headerLength])
        for i in 0..<4 { headerBytes[CompiledFormat.headerChecksumOffset + i] = 0 }
        withUnsafeBytes(of: CRC32C.checksum(headerBytes).littleEndian) {
            for i in 0..<4 { file[CompiledFormat.headerChecksumOffset + i] = $0[i] }
        }
        #expect(CompiledRulesTests.loadRefusal(file) == nil)
        let error = CompiledRulesTests.refusal(file)
        #expect(error?.message.contains("written with another payload") == true, "\(error?.message ?? "read")")
    }

    /// The command: `invigil test` of a file whose cold part is damaged exits 2 with one
    /// message; `scan` of it gives the sources' findings (a scan never reads the cold part).
    @Test func commandsOnADamagedColdPart() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        var bytes = try rules.compiledBytes()
        bytes[bytes.count - 100] ^= 0x08
        let path = try Self.write(bytes, "packs-damaged-cold.ivg")
        let test = try CommandTests.run(["test", path])
        #expect(test.status == 2 && test.stderr.contains("checksum"), "\(test.stderr)")
        let scan = try CommandTests.run(["scan", "--format", "jsonl", "--rules", path, "examples/sample/"])
        let sources = try CommandTests.run(["scan", "--format", "jsonl", "examples/sample/"])
        #expect(scan.stdout == sources.stdout && !scan.stdout.isEmpty)
    }
}
