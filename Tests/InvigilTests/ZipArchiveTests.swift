import Testing
@testable import InvigilArchive

/// The zip container: zipfile's archives read back, every truncation and single-byte corruption an
/// error (or the exact contents, CRC-checked), refusals of what is not read, and the limits.
@Suite("Zip archive")
struct ZipArchiveTests {
    static func bytes(_ name: String) throws -> [UInt8] {
        let (data, _, reason) = readSmallFile(ArchiveTest.fixture("whatsapp-zip/" + name), limit: 1 << 24)
        return try #require(data, "\(reason ?? "")")
    }

    /// zipfile's stored and deflated (levels 1, 6, 9) entries, in folders, equal the originals.
    @Test func zipfileArchivesReadBack() throws {
        let cases = try InflateTests.fixtureZip("inflate-cases.zip")
        let mixed = try InflateTests.fixtureZip("mixed-methods.zip")
        #expect(mixed.entries.count == 28)
        #expect(Set(mixed.entries.map(\.method)) == [0, 8])
        for e in mixed.entries {
            let original = try #require(cases.entries.first { $0.name == e.fileName })
            #expect(try mixed.contents(of: e) == cases.contents(of: original), "\(e.name)")
        }
        // The same archive from memory.
        let inMemory = try ZipArchive(bytes: try Self.bytes("mixed-methods.zip"))
        #expect(inMemory.entries == mixed.entries)
    }

    @Test func entriesOfTheExports() throws {
        let zip = try InflateTests.fixtureZip("ios-export.zip")
        #expect(
            zip.entries.map(\.name) == [
                "_chat.txt", "00000005-PHOTO-2024-03-12-21-42-05.jpg", "00000006-AUDIO-2024-03-12-21-43-00.opus", "00000007-Timetable.pdf"
            ])
        #expect(zip.entries[0].method == 8)
        #expect(zip.entries[2].method == 0)
        let chat = String(decoding: try zip.contents(of: zip.entries[0]), as: UTF8.self)
        #expect(chat.contains("it's our secret"))
    }

    /// Every length the export can be cut to fails to open, or opens and then fails to read the
    /// chat (never a trap, never wrong contents).
    @Test func everyTruncationIsAnError() throws {
        let full = try Self.bytes("ios-export.zip")
        for length in 0..<full.count {
            let cut = Array(full[..<length])
            guard let zip = try? ZipArchive(bytes: cut) else { continue }
            for e in zip.entries {
                #expect(throws: ZipError.self, "cut at \(length)") { try zip.contents(of: e) }
            }
        }
        // An empty archive (end record only) has no entries.
        #expect(try ZipArchive(bytes: TestZip.make([])).entries.isEmpty)
    }

    /// Each byte of the export changed (three ways): an error, or contents equal to the original
    /// (bytes the reader does not use, such as time stamps, may change freely).
    @Test func everyCorruptionIsAnErrorOrHarmless() throws {
        let full = try Self.bytes("ios-export.zip")
        let good = try ZipArchive(bytes: full)
        let originals = try good.entries.map { try good.contents(of: $0) }
        var errors = 0
        for i in 0..<full.count {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var bad = full
                bad[i] ^= flip
                guard let zip = try? ZipArchive(bytes: bad) else { errors += 1; continue }
                for (k, e) in zip.entries.enumerated() {
                    do {
                        let data = try zip.contents(of: e)
                        if k < originals.count { #expect(data == originals[k], "byte \(i) ^ \(flip), entry \(e.name)") }
                    } catch {
                        errors += 1
                    }
                }
            }
        }
        #expect(errors > full.count)
    }

    @Test func refusals() throws {
        func open(_ bytes: [UInt8]) -> ZipError? {
            do { _ = try ZipArchive(bytes: bytes); return nil } catch { return error }
        }
        func read(_ entry: TestZip.Entry) -> ZipError? {
            do {
                let zip = try ZipArchive(bytes: TestZip.make([entry]))
                _ = try zip.contents(of: zip.entries[0])
                return nil
            } catch { return error }
        }
        #expect(open(Array("hello, world; not a zip at all".utf8))?.kind == .notZip)
        #expect(open([0x50, 0x4B, 0x03, 0x04])?.kind == .notZip)
        let text = Array("a chat".utf8)
        var encrypted = TestZip.Entry.stored("_chat.txt", text)
        encrypted.flags = 1
        #expect(read(encrypted)?.kind == .unsupported)
        #expect(read(encrypted)?.reason.contains("encrypted") == true)
        var bzip2 = TestZip.Entry.stored("_chat.txt", text)
        bzip2.method = 12
        #expect(read(bzip2)?.reason.contains("bzip2") == true)
        #expect(open(TestZip.make([.stored("a", text)], disk: 1))?.reason.contains("several disks") == true)
        // A ZIP64 marker in the end record.
        var zip64 = TestZip.make([.stored("a", text)])
        zip64[zip64.count - 6] = 0xFF; zip64[zip64.count - 5] = 0xFF; zip64[zip64.count - 4] = 0xFF; zip64[zip64.count - 3] = 0xFF
        #expect(open(zip64)?.reason.contains("ZIP64") == true)
        // Sizes and CRCs that lie.
        var wrongCRC = TestZip.Entry.deflated("_chat.txt", text)
        wrongCRC.crc = 0x1234_5678
        #expect(read(wrongCRC)?.kind == .badData)
        var wrongSize = TestZip.Entry.deflated("_chat.txt", text)
        wrongSize.declaredSize = text.count + 1
        #expect(read(wrongSize)?.kind == .badData)
        var storedMismatch = TestZip.Entry.stored("_chat.txt", text)
        storedMismatch.declaredSize = 3
        #expect(read(storedMismatch)?.kind == .corrupt)
        // More entries declared than the directory holds.
        #expect(open(TestZip.make([.stored("a", text)], countOverride: 3))?.kind == .corrupt)
    }

    /// The zip bomb limits: each gives its documented error before anything is decompressed.
    @Test func limits() throws {
        var limits = ZipLimits()
        limits.entries = 3
        let four = TestZip.make((0..<4).map { TestZip.Entry.stored("f\($0)", [1]) })
        #expect(throws: ZipError(.limit, "4 entries is more than the limit of 3")) { try ZipArchive(bytes: four, limits: limits) }

        limits = ZipLimits()
        limits.centralDirectoryBytes = 100
        #expect(throws: ZipError.self) { try ZipArchive(bytes: four, limits: limits) }

        // One entry over the entry limit, declared or actual.
        limits = ZipLimits()
        limits.entryBytes = 1000
        let big = [UInt8](repeating: 0x61, count: 2000)
        var zip = try ZipArchive(bytes: TestZip.make([.deflated("_chat.txt", big)]), limits: limits)
        #expect(throws: ZipError(.limit, "entry '_chat.txt' of 2000 bytes is larger than the limit of 1000")) { try zip.contents(of: zip.entries[0]) }
        var liar = TestZip.Entry.deflated("_chat.txt", big)
        liar.declaredSize = 500
        zip = try ZipArchive(bytes: TestZip.make([liar]), limits: limits)
        #expect(throws: ZipError.self) { try zip.contents(of: zip.entries[0]) }

        // The total over all entries read.
        limits = ZipLimits()
        limits.totalBytes = 3000
        zip = try ZipArchive(bytes: TestZip.make([.deflated("a.txt", big), .deflated("b.txt", big)]), limits: limits)
        #expect(try zip.contents(of: zip.entries[0]) == big)
        #expect(throws: ZipError.self) { try zip.contents(of: zip.entries[1]) }

        // The compression ratio, above its floor: 2 MB of zeros in fixed-Huffman matches of 258
        // bytes deflate about 150 times.
        limits = ZipLimits()
        limits.compressionRatio = 100
        let zeros = [UInt8](repeating: 0, count: 2 << 20)
        var bomb = TestZip.Entry(name: "_chat.txt", data: zeros, packed: DeflateReference.compressed(zeros), method: 8)
        zip = try ZipArchive(bytes: TestZip.make([bomb]), limits: limits)
        do {
            _ = try zip.contents(of: zip.entries[0])
            Issue.record("a 2 MB entry of zeros was read")
        } catch {
            #expect(error.kind == .limit)
            #expect(error.reason.contains("more than the limit of 100"))
        }
        limits.compressionRatio = 200
        zip = try ZipArchive(bytes: TestZip.make([bomb]), limits: limits)
        #expect(try zip.contents(of: zip.entries[0]).count == zeros.count)
        // Below the floor (1 MB) the ratio is not held against an entry.
        let small = [UInt8](repeating: 0, count: 100_000)
        bomb = TestZip.Entry(name: "_chat.txt", data: small, packed: DeflateReference.compressed(small), method: 8)
        limits.compressionRatio = 100
        zip = try ZipArchive(bytes: TestZip.make([bomb]), limits: limits)
        #expect(try zip.contents(of: zip.entries[0]).count == small.count)
    }
}
