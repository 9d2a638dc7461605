import Testing
@testable import InvigilArchive

/// `Inflate` and `CRC32` against references: zlib's output at several levels and strategies
/// (committed fixtures, scripts/make-zip-fixtures), and round trips through the tests' own
/// stored/fixed-Huffman encoder (DeflateReference) on generated inputs.
@Suite("Inflate")
struct InflateTests {
    static func fixtureZip(_ name: String) throws -> ZipArchive {
        try ZipArchive(path: ArchiveTest.fixture("whatsapp-zip/" + name))
    }

    @Test func crc32KnownValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        // Continuing a checksum equals checksumming the whole, at every split (the 8-byte steps
        // and the byte-at-a-time tail agree).
        var rng = SeededGenerator(seed: 7)
        let data = (0..<100).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = CRC32.checksum(data)
        for split in 0...data.count {
            #expect(CRC32.checksum(Array(data[split...]), continuing: CRC32.checksum(Array(data[..<split]))) == whole)
        }
    }

    /// Every zlib stream of the fixtures (levels 0, 1, 6, 9; default, filtered, Huffman-only, RLE,
    /// fixed strategies) inflates to its input.
    @Test func zlibStreamsInflateToTheirInputs() throws {
        let zip = try Self.fixtureZip("inflate-cases.zip")
        var originals: [String: [UInt8]] = [:]
        for e in zip.entries where e.name.hasSuffix(".bin") { originals[String(e.name.prefix(2))] = try zip.contents(of: e) }
        #expect(originals.count == 22)
        var streams = 0
        for e in zip.entries where e.name.hasSuffix(".deflate") {
            let stream = try zip.contents(of: e)
            let original = try #require(originals[String(e.name.prefix(2))])
            let out = try Inflate.decompress(stream, limit: original.count, exact: true)
            #expect(out == original, "\(e.name)")
            // Without the exact size: the same, and a limit one short is refused.
            #expect(try Inflate.decompress(stream, limit: original.count + 100) == original)
            if !original.isEmpty {
                #expect(throws: InflateError.outputTooLong(limit: original.count - 1)) {
                    try Inflate.decompress(stream, limit: original.count - 1)
                }
            }
            streams += 1
        }
        #expect(streams == 158)
    }

    /// `Inflate.prefix` gives the start of the output, `count` bytes of it from the whole stream,
    /// and a start from only the stream's start.
    @Test func prefixesAreTheStartOfTheOutput() throws {
        let zip = try Self.fixtureZip("inflate-cases.zip")
        for e in zip.entries where e.name.hasSuffix(".deflate") {
            let stream = try zip.contents(of: e)
            let full = try Inflate.decompress(stream, limit: 1 << 20)
            for count in [0, 1, 100, 1000, 5000, 40_000] {
                let head = try #require(Inflate.prefix(of: stream, count: count), "\(e.name) \(count)")
                #expect(head == Array(full.prefix(count)), "\(e.name): \(head.count) of \(count)")
                let cut = Array(stream.prefix(count / 2))
                let partial = try #require(Inflate.prefix(of: cut, count: count))
                #expect(full.starts(with: partial))
            }
        }
        #expect(Inflate.prefix(of: [0x07], count: 10) == nil)
    }

    /// Round trips through the reference encoder: random, compressible and run-heavy inputs, in
    /// stored and fixed blocks of random sizes, matches reaching across blocks.
    @Test func referenceEncoderRoundTrips() throws {
        var rng = SeededGenerator(seed: 20261205)
        for trial in 0..<300 {
            let size = [0, 1, 2, 3, 10, 100, 258, 1000, 5000, 40_000, 70_000].randomElement(using: &rng)!
            let alphabet = [1, 2, 4, 16, 256].randomElement(using: &rng)!
            var data = (0..<size).map { _ in UInt8(Int.random(in: 0..<alphabet, using: &rng)) }
            // Some inputs repeat a chunk far back, to reach distances near 32 KB.
            if size >= 40_000, Bool.random(using: &rng) {
                for k in 0..<1000 { data[size - 1000 + k] = data[k + 200] }
            }
            let stream = DeflateReference.compress(data, using: &rng)
            let out = try Inflate.decompress(stream, limit: data.count, exact: true)
            #expect(out == data, "trial \(trial): \(size) bytes, alphabet \(alphabet)")
        }
    }

    /// Hand-made streams for each error.
    @Test func malformedStreamsGiveTheirErrors() {
        func inflate(_ b: [UInt8], _ limit: Int = 100) throws(InflateError) -> [UInt8] { try Inflate.decompress(b, limit: limit) }
        #expect(throws: InflateError.truncated) { try inflate([]) }
        #expect(throws: InflateError.reservedBlockType) { try inflate([0x07]) }  // final, type 3
        #expect(throws: InflateError.storedLengthMismatch) { try inflate([0x01, 0x05, 0x00, 0x00, 0x00]) }
        #expect(throws: InflateError.truncated) { try inflate([0x01, 0x05, 0x00, 0xFA, 0xFF, 0x61]) }
        #expect((try? inflate([0x01, 0x01, 0x00, 0xFE, 0xFF, 0x61])) == [0x61])
        // Fixed block: a length/distance pair first, with nothing to copy from.
        var e = DeflateReference()
        e.put(1, 1); e.put(1, 2); e.fixedMatch(length: 3, distance: 1); e.fixedLiteral(256); e.align()
        #expect(throws: InflateError.distanceTooFar) { try inflate(e.bytes) }
        // Reserved literal/length symbol 286 and distance symbol 30 in fixed blocks.
        e = DeflateReference(); e.put(1, 1); e.put(1, 2); e.fixedLiteral(65); e.fixedLiteral(286); e.align()
        #expect(throws: InflateError.invalidCode) { try inflate(e.bytes) }
        e = DeflateReference(); e.put(1, 1); e.put(1, 2); e.fixedLiteral(65); e.fixedLiteral(257); e.putCode(30, 5); e.align()
        #expect(throws: InflateError.invalidCode) { try inflate(e.bytes) }
        // Dynamic block with 287 literal/length codes (HLIT 30) and with a repeat before any length.
        e = DeflateReference(); e.put(1, 1); e.put(2, 2); e.put(30, 5); e.put(0, 5); e.put(0, 4); e.align()
        #expect(throws: InflateError.self) { try inflate(e.bytes) }
        // Output over the limit, and short of an exact size.
        let stream = DeflateReference.compressed(Array(repeating: 0x41, count: 50))
        #expect(throws: InflateError.outputTooLong(limit: 10)) { try inflate(stream, 10) }
        #expect(throws: InflateError.outputTooShort(got: 50, expected: 60)) { try Inflate.decompress(stream, limit: 60, exact: true) }
        #expect(throws: InflateError.outputTooLong(limit: 0)) { try Inflate.decompress(stream, limit: 0, exact: true) }
    }

    /// Corrupted and truncated streams (of zlib's dynamic blocks and the reference's): an error or
    /// some output within the limit, never a trap or a hang.
    @Test func corruptedStreamsNeverTrap() throws {
        let zip = try Self.fixtureZip("inflate-cases.zip")
        var rng = SeededGenerator(seed: 99)
        var errors = 0, decoded = 0
        for e in zip.entries where e.name.hasSuffix(".deflate") && e.uncompressedSize < 3000 {
            let stream = try zip.contents(of: e)
            for cut in stride(from: 0, to: stream.count, by: max(1, stream.count / 16)) {
                do { _ = try Inflate.decompress(Array(stream[..<cut]), limit: 1 << 16); decoded += 1 } catch { errors += 1 }
            }
            for _ in 0..<20 where !stream.isEmpty {
                var bad = stream
                bad[Int.random(in: 0..<bad.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                do {
                    let out = try Inflate.decompress(bad, limit: 1 << 16)
                    #expect(out.count <= 1 << 16)
                    decoded += 1
                } catch { errors += 1 }
            }
        }
        #expect(errors > 0 && decoded > 0)
        // Random bytes as a stream.
        for _ in 0..<2000 {
            let junk = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if let out = try? Inflate.decompress(junk, limit: 4096) { #expect(out.count <= 4096) }
        }
    }
}

extension DeflateReference {
    /// `data` as one final fixed block with matches.
    static func compressed(_ data: [UInt8]) -> [UInt8] {
        var e = DeflateReference()
        e.fixedBlock(data, 0, data.count, final: true, matches: true)
        e.align()
        return e.bytes
    }
}
