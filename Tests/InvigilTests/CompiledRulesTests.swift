import Foundation
import Testing
@testable import Invigil

/// Compiled rule files: findings from a loaded file equal those from its sources (sample archive,
/// generated rule sets and events, generated automata in both layouts); every truncation, bit
/// flip and checksum-valid corruption is refused or loads safely; messages name what is wrong.
@Suite("Compiled rule files")
struct CompiledRulesTests {
    static let root = CommandTests.repoRoot

    /// Everything a scan reports for one event, as text: rule, spans, field values they cite.
    static func describe(_ scanner: Invigil.Scanner, _ rules: RuleSet) -> String {
        var out = ""
        for f in scanner.findings {
            out += rules.rules[f.rule].name
            for m in scanner.matches[f.matches] {
                out += " \(rules.fields[m.field].name)[\(m.valueIndex)]:\(m.start)-\(m.end):\(rules.matcherNames[m.pattern])"
            }
            out += "\n"
        }
        return out
    }

    static func roundTrip(_ rules: RuleSet) throws -> RuleSet {
        try RuleSet.load(compiled: rules.compiledBytes())
    }

    /// Scans `events` with both rule sets; returns the number of events that differ (and checks
    /// that the events do give findings, so that agreement means something).
    static func differences(_ a: RuleSet, _ b: RuleSet, _ events: [[UInt8]]) -> Int {
        let sa = Invigil.Scanner(rules: a), sb = Invigil.Scanner(rules: b)
        var differ = 0
        var findings = 0
        defer { #expect(findings >= events.count / 10, "only \(findings) findings on \(events.count) events") }
        for e in events {
            let ra = Result { try sa.scanJSON(e) }, rb = Result { try sb.scanJSON(e) }
            let da: String, db: String
            switch (ra, rb) {
            case (.success, .success):
                (da, db) = (describe(sa, a), describe(sb, b))
                findings += sa.findings.count
            case (.failure(let x), .failure(let y)): (da, db) = ("\(x)", "\(y)")
            default: (da, db) = ("ok/error", "error/ok")
            }
            if da != db {
                differ += 1
                if differ <= 3 { Issue.record("event \(String(decoding: e, as: UTF8.self)):\nsources: \(da)\nloaded:  \(db)") }
            }
        }
        return differ
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        // Every split gives the same checksum as the whole (the 8-byte and byte loops agree).
        let data = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = CRC32C.checksum(data)
        for cut in 0...data.count {
            let first = CRC32C.checksum(Array(data[..<cut]))
            let both = Array(data[cut...]).withUnsafeBytes { CRC32C.update(first, $0) }
            #expect(both == whole)
        }
        // Against the bitwise definition.
        var c: UInt32 = 0xFFFF_FFFF
        for b in data {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        }
        #expect(~c == whole)
        // The hardware kernel (when the CPU has one) against the tables, at every alignment.
        var rng = SplitMix(seed: 5)
        let random = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        random.withUnsafeBytes { all in
            for start in 0..<16 {
                // Long ones take the three-stream path.
                for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4000, 12_287, 12_288, 12_289, 40_003, 69_000] {
                    let part = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    #expect(CRC32C.update(0x1234_5678, part) == CRC32C.software(0x1234_5678, part))
                }
            }
        }
    }

    @Test func crc32cKernelsMatchTheTablesOnRandomLengthsAndAlignments() {
        // Each kernel the CPU has (the folding one takes every length here, short ones through its
        // byte loop), against the tables: random lengths around its block sizes and beyond,
        // random alignments and starting values.
        var rng = SplitMix(seed: 16)
        let random = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var lengths = [0, 1, 15, 16, 17, 255, 256, 257, 511, 512, 513, 767, 768, 1023, 1024, 1040, 1041]
        for _ in 0..<300 { lengths.append(Int.random(in: 0...4096, using: &rng)) }
        for _ in 0..<40 { lengths.append(Int.random(in: 4097...290_000, using: &rng)) }
        random.withUnsafeBytes { all in
            for length in lengths {
                let start = Int.random(in: 0...(all.count - length), using: &rng)  // any alignment
                let part = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                let seed = UInt32.random(in: 0...UInt32.max, using: &rng)
                let reference = CRC32C.software(seed, part)
                if let f = CRC32C.folded(seed, part) { #expect(f == reference, "folding, \(length) bytes at \(start)") }
                if let h = CRC32C.instruction(seed, part) { #expect(h == reference, "crc32 instruction, \(length) bytes at \(start)") }
                #expect(CRC32C.update(seed, part) == reference)
            }
        }
        // The standard check value through the folding kernel's short path.
        let nine = Array("123456789".utf8)
        nine.withUnsafeBytes { #expect(CRC32C.folded(0, $0) ?? 0xE306_9283 == 0xE306_9283) }
    }

    @Test func bundledPacksGiveIdenticalFindingsOnTheSampleArchive() throws {
        let rules = try RuleSet.load(paths: [Self.root + "/packs"])
        let loaded = try Self.roundTrip(rules)
        #expect(try loaded.rules.count == rules.rules.count && loaded.examples.count == rules.examples.count)
        #expect(try loaded.compiledBytes() == rules.compiledBytes())
        let folder = Self.root + "/examples/sample"
        var events: [[UInt8]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where name.hasSuffix(".jsonl") {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            events += data.split(separator: UInt8(ascii: "\n")).map { Array($0) }
        }
        #expect(events.count > 500)
        // The examples too, which exercise every rule.
        events += try rules.examples.map(\.json)
        #expect(Self.differences(rules, loaded, events) == 0)
    }

    /// The generator of the bytecode tests, plus normalised phrase lists, on generated events.
    @Test(arguments: [1, 2, 3])
    func generatedRuleSetsGiveIdenticalFindings(seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed) &* 7_777)
        var source =
            BytecodeTests.schema + """
                phrases sly { normalize: confusables leet spaced  "secret" "dm me" }
                phrases folded { normalize: caseless  "héllo" "texting" }
                phrases exact { case: sensitive  "DM ME" }

                """
        let extra = ["sly in text", "folded in text", "exact in text", "count(sly in text) >= 2"]
        for r in 0..<100 {
            var condition = BytecodeTests.condition(&rng, depth: 4)
            if r % 3 == 0 { condition = "(\(condition)) or \(extra[r % extra.count])" }
            source += "rule r\(r) { severity info message \"m\" when \(condition) }\n"
        }
        let rules = try RuleSet.compile(source: source, name: "gen.rules")
        let loaded = try Self.roundTrip(rules)
        #expect(loaded.normalizedAutomata.count == rules.normalizedAutomata.count)
        var events: [[UInt8]] = []
        for i in 0..<400 {
            var json = BytecodeTests.event(&rng)
            if i % 4 == 0 { json = json.replacingOccurrences(of: "secret", with: "s3 c r e t") }
            if i % 5 == 0 { json = json.replacingOccurrences(of: "hello", with: "HÉLLO") }
            events.append(Array(json.utf8))
        }
        #expect(Self.differences(rules, loaded, events) == 0)
    }

    /// The generator of the automaton tests: automata written and read back, in the dense and
    /// hybrid layouts, match as the naive matcher does.
    @Test(arguments: [0, 1])
    func generatedAutomataRoundTrip(round: Int) throws {
        var rng = SplitMix(seed: UInt64(round) &* 31 &+ 5)
        let alphabets: [[UInt8]] = [Array("ab".utf8), Array("abcAB".utf8), [0x61, 0x62, 0xC3, 0xA9, 0xFF, 0x00], Array("abcdefghij ".utf8)]
        let lists = [PhraseListInfo(name: "l", wholeWord: false, caseSensitive: false, normalize: NormalizeMode(), phraseCount: 0)]
        for iteration in 0..<300 {
            let alphabet = alphabets[iteration % alphabets.count]
            var patterns: [[UInt8]] = []
            for _ in 0..<Int.random(in: 1...(iteration % 3 == 0 ? 60 : 8), using: &rng) {
                patterns.append((0..<Int.random(in: 1...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            }
            var seen = Set<[UInt8]>()
            patterns = patterns.filter { seen.insert($0.map(Automaton.fold)).inserted }
            let text = (0..<Int.random(in: 0...80, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let built = Automaton(patterns: patterns, denseBudgetBytes: iteration % 2 == 0 ? 24 << 20 : 64)
            let entries = PatternEntries(patterns.map { [RuleSet.PatternEntry(list: 0, wholeWord: false, caseSensitive: false, original: $0)] })
            var w = ByteWriter()
            AutomatonCoding.write(built, entries, to: &w)
            let storage = CompiledStorage(copying: w.bytes.withUnsafeBytes { UnsafeRawBufferPointer($0) })!
            var r = ByteReader(storage.bytes, context: "test")
            let (loaded, loadedEntries) = try AutomatonCoding.read(&r, storage: storage, lists: lists, mode: NormalizeMode())
            #expect(r.isAtEnd)
            #expect(
                loadedEntries.start == entries.start && loadedEntries.list == entries.list
                    && loadedEntries.originalStart == entries.originalStart && loadedEntries.originalBytes == entries.originalBytes)
            #expect(loaded.denseStateCount == built.denseStateCount && loaded.hasPrefilter == built.hasPrefilter)
            // The rows are filled on the first scan, not by the load.
            #expect(loaded.deferred?.isBuilt == false)
            let want = naiveMatches(patterns, text)
            #expect(automatonMatches(loaded, text) == want, "patterns \(patterns) text \(text)")
            var hits: [AutomatonHit] = []
            loaded.scan([0x61], into: &hits)
            #expect(loaded.deferred?.isBuilt == true)
            // The filled tables are the compiler's: the same dense rows, the same transitions of
            // every sparse state (stored by absolute state id in the loaded one).
            let D = built.denseStateCount, C = built.classCount
            #expect(Array(UnsafeBufferPointer(start: loaded.dense, count: D * C)) == Array(UnsafeBufferPointer(start: built.dense, count: D * C)))
            for s in D..<built.stateCount {
                let b = Int(built.sparseStart[s - D])..<Int(built.sparseStart[s - D + 1])
                let l = Int(loaded.sparseStart[s - D])..<Int(loaded.sparseStart[s - D + 1])
                #expect(b.map { built.sparseLabels[$0] } == l.map { loaded.sparseLabels[$0] })
                #expect(b.map { built.sparseTargets[$0] } == l.map { loaded.sparseTargets[$0] })
            }
            #expect(loaded.trie().childStart == built.trie().childStart && loaded.trie().labels == built.trie().labels)
        }
    }

    static let small = """
        pack demo { code "DEMO" title "Demo" }
        schema { id: string  school: string  text: text  time: time  role: enum(staff, pupil) }
        phrases offer { "text me" "dm me" }
        phrases sly { normalize: leet  "secret" }
        hosts social { "facebook.com" }
        schedule day { mon-fri 09:00-15:00 }
        rule contact {
            severity serious message "Contact offer."
            when role == staff and (offer in text or sly in text or social in text)
            example flag { "role": "staff", "text": "text me" }
            example pass { "role": "pupil", "text": "text me" }
        }
        rule daytime { severity info message "In school hours." when time in day and phone in text }
        """

    static func smallFile() throws -> [UInt8] {
        let bytes = try RuleSet.compile(source: small, name: "small.rules").compiledBytes()
        #expect(bytes.count > 1000)
        return bytes
    }

    /// Why `bytes` are refused, by the load or by the first use of the cold part (examples and
    /// conditions, which a load does not check); nil when both accept them.
    static func refusal(_ bytes: [UInt8]) -> CompiledRulesError? {
        do {
            try RuleSet.load(compiled: bytes).loadExamplesAndConditions()
            return nil
        } catch {
            return error
        }
    }

    /// Why the load alone refuses `bytes`; nil when it loads.
    static func loadRefusal(_ bytes: [UInt8]) -> CompiledRulesError? {
        do {
            _ = try RuleSet.load(compiled: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyTruncationIsRefusedAsTruncated() throws {
        let bytes = try Self.smallFile()
        #expect(Self.refusal([])?.kind == .notCompiled)
        for cut in 1..<bytes.count {
            let error = Self.refusal(Array(bytes[..<cut]))
            #expect(error?.kind == .truncated, "cut at \(cut): \(error?.message ?? "loaded")")
            if error?.kind != .truncated { return }
        }
        #expect(Self.refusal(bytes) == nil)
        #expect(Self.refusal(bytes + [0])?.kind == .corrupted)
    }

    @Test func everyBitFlipIsRefused() throws {
        let bytes = try Self.smallFile()
        for i in 0..<bytes.count {
            for bit in [0, 3, 7] {
                var damaged = bytes
                damaged[i] ^= UInt8(1 << bit)
                let error = Self.refusal(damaged)
                #expect(error != nil, "flip of bit \(bit) of byte \(i) was loaded")
                if error == nil { return }
            }
        }
    }

    /// Re-seals a damaged payload with valid checksums, so that only the structural checks stand
    /// between it and the scanner.
    static func reseal(_ bytes: inout [UInt8]) {
        bytes = RuleSetWriter.resealed(bytes) ?? bytes
    }

    /// Checksum-valid corruption: random bytes of the payload changed, then resealed. Each file
    /// is refused as corrupted or loads into a rule set that scans without trapping.
    @Test func resealedCorruptionIsRefusedOrScansSafely() throws {
        let bytes = try Self.smallFile()
        var rng = SplitMix(seed: 99)
        let events = [
            #"{"role":"staff","text":"text me 07700 900123 s3cr3t facebook.com","time":"2024-06-03T10:00:00Z"}"#,
            #"{"role":"pupil","text":"dm me"}"#
        ].map { Array($0.utf8) }
        var loadedCount = 0
        for round in 0..<3000 {
            var damaged = bytes
            for _ in 0..<(1 + round % 3) {
                let i = Int.random(in: CompiledFormat.headerLength..<damaged.count, using: &rng)
                damaged[i] = round % 2 == 0 ? UInt8.random(in: 0...255, using: &rng) : damaged[i] ^ UInt8(1 << Int.random(in: 0..<8, using: &rng))
            }
            Self.reseal(&damaged)
            do {
                let rules = try RuleSet.load(compiled: damaged)
                loadedCount += 1
                let scanner = Invigil.Scanner(rules: rules)
                for e in events { _ = try? scanner.scanJSON(e) }
                // A damaged cold part (examples, conditions) is refused on first use instead.
                for ex in try rules.examples { _ = try? scanner.scanJSON(ex.json) }
            } catch {
                #expect(error.kind == .corrupted || error.kind == .incompatible, "\(error.message)")
            }
        }
        // Some changes (a message's letter, a line number) are harmless and load; most are caught.
        #expect(loadedCount > 0 && loadedCount < 3000)
    }

    @Test func messagesNameWhatIsWrong() throws {
        let bytes = try Self.smallFile()
        var other = bytes
        other[8] = 7
        let version = Self.refusal(other)
        #expect(version?.kind == .incompatible)
        #expect(
            version?.message.contains("format version 7") == true
                && version?.message.contains("format version \(RuleSet.compiledFormatVersion)") == true)
        #expect(version?.message.contains("0.1.0") == true)

        var swapped = bytes
        swapped[12..<16] = [0x0A, 0x0B, 0x0C, 0x0D]
        #expect(Self.refusal(swapped)?.message.contains("byte order") == true)

        let source = Array(Self.small.utf8)
        #expect(Self.refusal(source)?.kind == .notCompiled)
        #expect(Self.refusal(source)?.message.contains("not a compiled rule file") == true)

        var payload = bytes
        payload[100] ^= 1
        #expect(Self.refusal(payload)?.message.contains("payload checksum") == true)

        var header = bytes
        header[50] ^= 1
        #expect(Self.refusal(header)?.message.contains("header checksum") == true)

        let head = try bytes.withUnsafeBytes { b in try Result { () throws(CompiledRulesError) in try CompiledRulesHeader(b) }.get() }
        let cut = Self.refusal(Array(bytes[..<(head.coldOffset / 2)]))
        #expect(cut?.message.contains("truncated") == true && cut?.message.contains("of \(head.payloadLength) bytes") == true)
        let coldCut = Self.refusal(Array(bytes[..<(head.coldOffset + head.coldLength / 2)]))
        #expect(coldCut?.message.contains("cold part") == true && coldCut?.message.contains("of \(head.coldLength) bytes") == true)

        var cold = bytes
        cold[head.coldOffset + head.coldLength - 3] ^= 1
        #expect(Self.loadRefusal(cold) == nil)
        #expect(Self.refusal(cold)?.message.contains("cold part (examples and conditions) checksum") == true)
    }

    /// Sections an engine does not know: optional ones are skipped, required ones refuse the file.
    @Test func unknownSections() throws {
        let bytes = try Self.smallFile()
        let head = try bytes.withUnsafeBytes { b in try Result { () throws(CompiledRulesError) in try CompiledRulesHeader(b) }.get() }
        let payload = Array(bytes[CompiledFormat.headerLength..<head.coldOffset]), cold = Array(bytes[head.coldOffset...])
        func withSection(flags: UInt32, cold inCold: Bool) -> [UInt8] {
            var w = ByteWriter()
            w.bytes = inCold ? cold : payload
            w.u32(UInt32(999)); w.u32(flags); w.u64(UInt64(3)); w.bytes += [1, 2, 3]; w.align()
            return inCold ? RuleSetWriter.file(payload: payload, cold: w.bytes) : RuleSetWriter.file(payload: w.bytes, cold: cold)
        }
        for inCold in [false, true] {
            #expect(Self.refusal(withSection(flags: 0, cold: inCold)) == nil)
            let required = Self.refusal(withSection(flags: 1, cold: inCold))
            #expect(required?.kind == .incompatible && required?.message.contains("section 999") == true)
            // In the cold part, refused by the first use, not the load.
            #expect((Self.loadRefusal(withSection(flags: 1, cold: inCold)) == nil) == inCold)
        }
        // A section of one part written into the other.
        let misplaced = RuleSetWriter.file(
            payload: payload + cold[CompiledFormat.coldTieLength...], cold: Array(cold[..<CompiledFormat.coldTieLength]))
        #expect(Self.refusal(misplaced)?.message.contains("belongs in the cold part") == true)
    }

    @Test func examplesAndLocationsTravel() throws {
        let rules = try RuleSet.compile(source: Self.small, name: "small.rules")
        let loaded = try Self.roundTrip(rules)
        #expect(try loaded.examples.map(\.location) == rules.examples.map(\.location))
        #expect(try loaded.examples.map(\.json) == rules.examples.map(\.json))
        #expect(loaded.rules.map(\.location) == rules.rules.map(\.location))
        #expect(loaded.compiledSummary.sources == ["small.rules"])
        #expect(loaded.packs.map(\.code) == ["DEMO"])
    }

    @Test func filesAreWrittenAndLoadedByPath() throws {
        let rules = try RuleSet.compile(source: Self.small, name: "small.rules")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-compiled-\(getpid()).ivg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try rules.writeCompiled(to: path)
        #expect(RuleSet.isCompiledFile(path: path))
        #expect(!RuleSet.isCompiledFile(path: Self.root + "/packs/bratton.rules"))
        let loaded = try RuleSet.load(compiledPath: path)
        #expect(try loaded.compiledBytes() == rules.compiledBytes())
        do {
            _ = try RuleSet.load(compiledPath: path + ".missing")
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.kind == .io)
        }
    }

    /// The `compiled` fuzz target's seeds (Fuzz/corpus/compiled) and kept inputs
    /// (Tests/Fixtures/fuzz/compiled), replayed through its checks: each input as it is and
    /// resealed is refused with a one-line message, or loads, scans with the bytecode agreeing with (when the stored program is the one its conditions compile to)
    /// the tree evaluator, and writes itself back into bytes that load and write the same again.
    @Test func fuzzInputsReplay() throws {
        var inputs: [[UInt8]] = []
        for folder in ["/Fuzz/corpus/compiled", "/Tests/Fixtures/fuzz/compiled"] {
            let dir = Self.root + folder
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !name.hasPrefix(".") {
                inputs.append(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))))
            }
        }
        #expect(inputs.count >= 10)
        var loaded = 0
        for input in inputs {
            for bytes in [input, RuleSetWriter.resealed(input) ?? input] {
                let rules: RuleSet
                do {
                    rules = try RuleSet.load(compiled: bytes)
                } catch {
                    #expect(!error.message.isEmpty && !error.message.unicodeScalars.contains { $0.value < 0x20 })
                    continue
                }
                loaded += 1
                let scanner = Invigil.Scanner(rules: rules)
                // The stored program agrees with the trees when it is the one they compile to.
                // A damaged cold part is refused on first use, with a message.
                let model: RuleSet.Model
                do {
                    model = try rules.model
                } catch {
                    #expect(!error.message.isEmpty && !error.message.unicodeScalars.contains { $0.value < 0x20 })
                    continue
                }
                let faithful = rules.tables.isIdentical(to: RuleTables(deriving: model))
                for event in model.examples.prefix(16).map(\.json) {
                    guard (try? scanner.scanJSON(event)) != nil, faithful else { continue }
                    let fired = Set(scanner.findings.map(\.rule))
                    for r in rules.rules.indices {
                        #expect(fired.contains(r) == (scanner.packApplies(rule: r) && scanner.evaluateTree(rule: r)))
                    }
                }
                let again = try rules.compiledBytes()
                #expect((try? RuleSet.load(compiled: again).compiledBytes()) == again)
            }
        }
        #expect(loaded >= 10)
    }
}
