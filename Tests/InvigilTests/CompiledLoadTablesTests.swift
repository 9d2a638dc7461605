import Testing
@testable import Invigil

/// The faster pieces of a compiled file's load, each against a naive reference on generated
/// inputs: the UTF-8 check of names and messages against the standard decoder's, the program's
/// key presence table against a set of keys, field slots by name against a dictionary, the
/// byte-string table built from strings against the one built from byte arrays; and the rules'
/// descriptions, decoded on first use, against the sources'.
@Suite("Compiled load tables")
struct CompiledLoadTablesTests {
    static func validates(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { validUTF8($0) } }

    @Test func utf8CheckAgreesWithTheDecoderOnEveryShortSequence() {
        var disagreements: [[UInt8]] = []
        func compare(_ bytes: [UInt8]) {
            if Self.validates(bytes) != validUTF8Decoding(bytes) && disagreements.count < 10 { disagreements.append(bytes) }
        }
        for a in 0..<256 { compare([UInt8(a)]) }
        for a in 0..<256 { for b in 0..<256 { compare([UInt8(a), UInt8(b)]) } }
        // Every three-byte sequence led by a three-byte lead (overlongs at E0, surrogates at ED).
        for a in 0xE0..<0xF0 {
            for b in 0..<256 { for c in [0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF] { compare([UInt8(a), UInt8(b), UInt8(c)]) } }
        }
        // Four-byte leads (overlongs at F0, above U+10FFFF from F4 90) and the bytes never valid.
        for a in 0xF0..<0x100 { for b in 0..<256 { compare([UInt8(a), UInt8(b), 0x80, 0x80]); compare([UInt8(a), UInt8(b), 0x80]) } }
        #expect(disagreements.isEmpty, "\(disagreements)")
    }

    @Test func utf8CheckAgreesWithTheDecoderOnGeneratedText() {
        var rng = SplitMix(seed: 16)
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("name-".utf8), Array("é".utf8), Array("—".utf8), Array("𝄞".utf8), Array("\u{FFFD}".utf8),
            [0x80], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF]
        ]
        var agreed = 0
        for _ in 0..<20_000 {
            var text: [UInt8] = []
            // Mostly ASCII runs of every length around the eight-byte steps, with a piece here and there.
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                text += Array(repeating: UInt8.random(in: 0x20...0x7E, using: &rng), count: Int.random(in: 0...17, using: &rng))
                if Bool.random(using: &rng) { text += pieces.randomElement(using: &rng)! }
            }
            if Self.validates(text) == validUTF8Decoding(text) { agreed += 1 } else { Issue.record("disagree on \(text)") }
        }
        #expect(agreed == 20_000)
    }

    @Test func keyPresenceAgreesWithASetOfKeys() {
        var rng = SplitMix(seed: 61)
        for _ in 0..<50 {
            let phraseLists = Int.random(in: 0...6, using: &rng), hostLists = Int.random(in: 0...4, using: &rng)
            let fieldCount = Int.random(in: 1...7, using: &rng)
            func matcher() -> Matcher {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0 where phraseLists > 0: return .phrases(Int.random(in: 0..<phraseLists, using: &rng))
                case 1 where hostLists > 0: return .hosts(Int.random(in: 0..<hostLists, using: &rng))
                default: return .detector(Detector.allCases.randomElement(using: &rng)!)
                }
            }
            var keys: [MatchKey] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                keys.append(MatchKey(matcher: matcher(), field: Int.random(in: 0..<fieldCount, using: &rng)))
            }
            let reference = Set(keys)
            let table = ProgramKeySet(keys, phraseListCount: phraseLists, hostListCount: hostLists, fieldCount: fieldCount)
            var every: [Matcher] = (0..<phraseLists).map { .phrases($0) } + (0..<hostLists).map { .hosts($0) }
            every += Detector.allCases.map { .detector($0) }
            for m in every {
                for f in 0..<fieldCount { #expect(table.contains(m, f) == reference.contains(MatchKey(matcher: m, field: f))) }
            }
        }
    }

    @Test func fieldSlotsByNameAgreeWithADictionary() throws {
        var rng = SplitMix(seed: 7)
        let alphabet = Array("abcxyz._é€".unicodeScalars)
        for round in 0..<40 {
            var names: [String] = []
            while names.count < (round == 0 ? 0 : Int.random(in: 1...60, using: &rng)) {
                var name = ""
                for _ in 0..<Int.random(in: 1...12, using: &rng) { name.unicodeScalars.append(alphabet.randomElement(using: &rng)!) }
                if !names.contains(name) { names.append(name) }
            }
            var reference: [String: Int] = [:]
            for (i, n) in names.enumerated() { reference[n] = i }
            let index = FieldNameIndex(ByteStringTable(strings: names))
            for n in names { #expect(index[n] == reference[n]) }
            for _ in 0..<20 {
                var probe = ""
                for _ in 0..<Int.random(in: 0...12, using: &rng) { probe.unicodeScalars.append(alphabet.randomElement(using: &rng)!) }
                #expect(index[probe] == reference[probe])
            }
        }
        let packs = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        for (slot, field) in packs.fields.enumerated() { #expect(packs.field(named: field.name) == slot) }
        #expect(packs.field(named: "no such field") == nil)
    }

    @Test func stringTableAgreesWithTheByteArrayTable() {
        var rng = SplitMix(seed: 99)
        for _ in 0..<60 {
            var items: [String] = []
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                let item = String(Int.random(in: 0...30, using: &rng), radix: 36) + (Bool.random(using: &rng) ? "ü" : "")
                items.append(Int.random(in: 0..<20, using: &rng) == 0 ? "" : item)
            }
            let fromStrings = ByteStringTable(strings: items), fromBytes = ByteStringTable(items.map { Array($0.utf8) })
            #expect(fromStrings.count == fromBytes.count)
            for probe in items + ["", "zz", "ü"] { #expect(fromStrings.find(Array(probe.utf8)) == fromBytes.find(Array(probe.utf8))) }
            // Against the naive reference: each distinct string once, numbered in order of first
            // appearance (the repeats, which the table moves the later strings down over, are
            // frequent here), and nothing else found.
            var distinct: [String] = []
            for item in items where !distinct.contains(item) { distinct.append(item) }
            #expect(fromStrings.count == distinct.count)
            for (i, item) in distinct.enumerated() { #expect(fromStrings.find(Array(item.utf8)) == i) }
            for probe in ["zz", "ü", "0ü0"] where !distinct.contains(probe) { #expect(fromStrings.find(Array(probe.utf8)) == nil) }
        }
    }

    @Test func descriptionsAreDecodedOnFirstUse() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let loaded = try RuleSet.load(compiled: rules.compiledBytes())
        let deferred = try #require(CompiledProgramTests.deferred(loaded))
        // A scan needs the rules' indices, not their descriptions.
        let scanner = Invigil.Scanner(rules: loaded)
        _ = try scanner.scanJSON(Array(#"{"author":{"role":"staff"},"text":"text me on snap"}"#.utf8))
        #expect(!deferred.areInfosDecoded)
        #expect(!deferred.isDecoded)
        let a = loaded.rules, b = rules.rules
        #expect(deferred.areInfosDecoded)
        #expect(!deferred.isDecoded)
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) {
            #expect(
                x.name == y.name && x.pack == y.pack && x.clauses == y.clauses && x.severity == y.severity && x.action == y.action
                    && x.message == y.message && x.location == y.location)
        }
        #expect(try loaded.compiledBytes() == rules.compiledBytes())
    }
    /// The table checks (AVX-512 kernels from 64 entries when the CPU has them) against the Swift
    /// passes, on generated tables that hold, and on the same with one entry broken anywhere,
    /// in the sixteen-entry steps or in the tail.
    @Test func tableChecksAgreeWithThePortablePasses() {
        var rng = SplitMix(seed: 1616)
        var lengths = [0, 1, 2, 15, 16, 17, 63, 64, 65, 80, 81, 97, 1000, 20_001]
        for _ in 0..<150 { lengths.append(Int.random(in: 0...400, using: &rng)) }
        var checked = 0
        for n in lengths {
            // Child starts (n + 1 entries): non-decreasing, each above its index.
            var starts = [UInt32](repeating: 0, count: n + 1)
            var s: UInt32 = 1
            for i in 0...n {
                s = max(s, UInt32(i) + 1) + UInt32.random(in: 0...2, using: &rng)
                starts[i] = s
            }
            // Failure links: each below its index.
            let links = (0..<n).map { i in i == 0 ? UInt32(0) : UInt32.random(in: 0..<UInt32(i), using: &rng) }
            var variants: [([UInt32], [UInt32])] = [(starts, links)]
            for _ in 0..<4 where n > 0 {
                var a = starts, b = links
                let i = Int.random(in: 0..<n, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: a[i] = a[i + 1] &+ 1  // decreasing
                case 1: a[i] = UInt32(i)  // not after its index
                case 2: b[i] = UInt32(i)  // not below its index
                default: b[i] = UInt32.max
                }
                variants.append((a, b))
            }
            for (a, b) in variants {
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        let pa = a.baseAddress!, pb = b.baseAddress ?? UnsafePointer(bitPattern: 4)!
                        #expect(TableChecks.startsAfterIndex(pa, n) == TableChecks.portableStartsAfterIndex(pa, n), "\(n)")
                        #expect(TableChecks.nonDecreasing(pa, n + 1) == TableChecks.portableNonDecreasing(pa, n + 1), "\(n)")
                        #expect(TableChecks.belowIndex(pb, n) == TableChecks.portableBelowIndex(pb, n), "\(n)")
                        #expect(TableChecks.largest(pb, n) == TableChecks.portableLargest(pb, n), "\(n)")
                        #expect(TableChecks.largest(pa, n + 1) == (a.max() ?? 0))
                    }
                }
                checked += 1
            }
        }
        #expect(checked > lengths.count)
    }
}
