import Foundation
import Testing
@testable import Invigil

/// `RuleCacheEntry`, the layout of the command's cache files: generated entries round-trip; every
/// cut is refused; flipped bytes are refused or decode to another entry, never trap; the compiled
/// bytes' checksum is checked unless told not to.
@Suite("Rule cache entries")
struct RuleCacheEntryTests {
    static func randomString(_ g: inout some RandomNumberGenerator) -> String {
        let pieces = ["packs", "/", "common", "é", "schema.rules", " ", "ü/", "x", "🙂", ""]
        return (0..<Int.random(in: 0...6, using: &g)).map { _ in pieces.randomElement(using: &g)! }.joined()
    }

    static func randomEntry(_ g: inout some RandomNumberGenerator) -> RuleCacheEntry {
        let files = (0..<Int.random(in: 0...5, using: &g)).map { _ in
            SourceManifest.File(
                path: randomString(&g), size: Int.random(in: 0...(1 << 40), using: &g), checksum: UInt32.random(in: 0...UInt32.max, using: &g))
        }
        let manifest = SourceManifest(
            paths: (0..<Int.random(in: 0...3, using: &g)).map { _ in randomString(&g) },
            listing: (0..<Int.random(in: 0...4, using: &g)).map { _ in randomString(&g) }, files: files)
        return RuleCacheEntry(
            executable: (0..<4).map { _ in randomString(&g) }, workingFolder: randomString(&g), manifest: manifest,
            compiled: (0..<Int.random(in: 0...300, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    @Test func generatedEntriesRoundTripAndEveryCutIsRefused() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let entry = Self.randomEntry(&g)
            let bytes = entry.encoded()
            #expect(RuleCacheEntry(decoding: bytes) == entry)
            for cut in 0..<bytes.count {
                #expect(RuleCacheEntry(decoding: Array(bytes[..<cut])) == nil)
            }
            #expect(RuleCacheEntry(decoding: bytes + [0]) == nil)
        }
    }

    @Test func flippedBytesAreRefusedOrDecodeToAnotherEntry() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let entry = Self.randomEntry(&g)
            var bytes = entry.encoded()
            let at = Int.random(in: 0..<bytes.count, using: &g)
            bytes[at] ^= UInt8.random(in: 1...255, using: &g)
            if let decoded = RuleCacheEntry(decoding: bytes) {
                #expect(decoded != entry)
                #expect(decoded.encoded() == bytes)
            }
        }
    }

    @Test func theCompiledBytesChecksumIsChecked() {
        var g = SystemRandomNumberGenerator()
        var entry = Self.randomEntry(&g)
        entry.compiled = Array("compiled rules".utf8)
        var bytes = entry.encoded()
        bytes[bytes.count - 1] ^= 1
        #expect(RuleCacheEntry(decoding: bytes) == nil)
        let unchecked = RuleCacheEntry(decoding: bytes, checkingCompiled: false)
        #expect(unchecked?.compiled == Array("compiled ruler".utf8))
        // The head is the same entry's.
        #expect(unchecked?.manifest == entry.manifest)
    }

    /// The `cache` fuzz target's seeds (Fuzz/corpus/cache) and kept inputs
    /// (Tests/Fixtures/fuzz/cache), replayed through its checks: a decoded entry encodes to the
    /// same bytes; unchecked, it reseals to an entry that decodes to itself, and its compiled
    /// part loads and scans or is refused with a one-line message.
    @Test func fuzzInputsReplay() throws {
        var inputs: [[UInt8]] = []
        for folder in ["/Fuzz/corpus/cache", "/Tests/Fixtures/fuzz/cache"] {
            let dir = CommandTests.repoRoot + folder
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !name.hasPrefix(".") && name != "README.md" {
                inputs.append(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))))
            }
        }
        #expect(inputs.count >= 10)
        var decoded = 0, loaded = 0
        for input in inputs {
            if let entry = RuleCacheEntry(decoding: input) {
                decoded += 1
                #expect(entry.encoded() == input)
            }
            guard let entry = RuleCacheEntry(decoding: input, checkingCompiled: false) else { continue }
            #expect(RuleCacheEntry(decoding: entry.encoded()) == entry)
            do {
                let rules = try RuleSet.load(compiled: entry.compiled)
                loaded += 1
                let scanner = Invigil.Scanner(rules: rules)
                _ = try? scanner.scanJSON(Array(#"{"id":"1","author":{"role":"staff"},"text":"text me on 07700 900123"}"#.utf8))
            } catch {
                #expect(!error.message.isEmpty && !error.message.unicodeScalars.contains { $0.value < 0x20 })
            }
        }
        #expect(decoded >= 1 && loaded >= 1)
    }
}
