#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import InvigilArchive

#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The splitters against the whole-input readers as reference: cutting an input into chunks at
/// any block size, then reading each chunk apart, gives exactly the records (sources, fields,
/// rejections) of reading the input whole.
@Suite struct ChunkingTests {
    /// A record's comparable form: its source and payload.
    static func describe(_ r: ArchiveRecord) -> String {
        switch r.payload {
        case .json(let b): return r.source + " json " + String(decoding: b, as: UTF8.self)
        case .fields(let f): return r.source + " fields " + f.map { "\($0.name)=\($0.value)@\($0.element ?? -1)" }.joined(separator: ";")
        case .rejected(let why): return r.source + " rejected " + why
        }
    }

    static func wholeJSONL(_ bytes: [UInt8]) -> [String] {
        let s = JSONLSource(bytes: bytes, name: "in.jsonl")
        var out: [String] = []
        while let r = s.next() { out.append(describe(r)) }
        return out
    }

    static func chunkedJSONL(_ bytes: [UInt8], block: Int, chunk: Int, maxLine: Int = ArchiveLimits.lineBytes) -> [String] {
        describeJSONL(cutJSONL(bytes, block: block, chunk: chunk, maxLine: maxLine))
    }

    /// What a splitter makes of `bytes` given to `add` in blocks of `block` bytes, then `finish`.
    static func inBlocks<Chunk>(
        _ bytes: [UInt8], block: Int, add: (ArraySlice<UInt8>) -> [Chunk], finish: () -> Chunk?
    ) -> [Chunk] {
        var chunks: [Chunk] = []
        var i = 0
        while i < bytes.count {
            chunks += add(bytes[i..<min(bytes.count, i + block)])
            i += block
        }
        if let last = finish() { chunks.append(last) }
        return chunks
    }

    /// The chunks a JSONL splitter cuts from `bytes` given in blocks of `block` bytes.
    static func cutJSONL(_ bytes: [UInt8], block: Int, chunk: Int, maxLine: Int = ArchiveLimits.lineBytes, countsLines: Bool = true) -> [InputChunk] {
        let splitter = JSONLSplitter(chunkBytes: chunk, maxLine: maxLine, countsLines: countsLines)
        let chunks = ChunkingTests.inBlocks(bytes, block: block, add: splitter.add, finish: splitter.finish)
        return chunks
    }

    /// The records of JSONL chunks, each chunk read apart.
    static func describeJSONL(_ chunks: [InputChunk]) -> [String] {
        var out: [String] = []
        for c in chunks {
            switch c {
            case .records(let b, let before):
                let s = JSONLSource(chunk: b, name: "in.jsonl", linesBefore: before)
                while let r = s.next() { out.append(describe(r)) }
            case .tooLarge(let number, let length):
                out.append("in.jsonl:\(number) rejected line of \(length) bytes")
            }
        }
        return out
    }

    /// Random JSONL text: up to 40 lines drawn from `pieces`, and half the time a last line
    /// without a line feed.
    static func randomJSONL(_ pieces: [String], using rng: inout SplitMix) -> [UInt8] {
        var text = ""
        for _ in 0..<Int.random(in: 0...40, using: &rng) {
            text += pieces[Int.random(in: 0..<pieces.count, using: &rng)] + "\n"
        }
        if Bool.random(using: &rng) { text += "{\"id\":\"last, no newline\"}" }
        return Array(text.utf8)
    }

    @Test func jsonlChunksReadAsTheWhole() {
        var rng = SplitMix(seed: 3)
        let pieces = ["{\"id\":1}", "", "  ", "{\"text\":\"a b\"}", "not json", "{\"text\":\"x\\ny\"}\r"]
        for _ in 0..<300 {
            let bytes = Self.randomJSONL(pieces, using: &rng)
            let text = String(decoding: bytes, as: UTF8.self)
            let whole = Self.wholeJSONL(bytes)
            for (block, chunk) in [(1, 1), (3, 7), (7, 3), (64, 50), (4096, 1 << 20)] {
                #expect(Self.chunkedJSONL(bytes, block: block, chunk: chunk) == whole, "block \(block) chunk \(chunk): \(text.debugDescription)")
            }
        }
    }

    /// `add(reading:)`, which reads into the chunks' own buffers, against the whole reader: reads
    /// of random sizes (as read(2) may return), chunk sizes from 1 byte, over-long lines.
    @Test func jsonlChunksReadInPlaceReadAsTheWhole() {
        var rng = SplitMix(seed: 9)
        let pieces = ["{\"id\":1}", "", "  ", "{\"text\":\"a b\"}", "not json", "0123456789abcdefghij", "{\"text\":\"x\\ny\"}\r"]
        for _ in 0..<300 {
            let bytes = Self.randomJSONL(pieces, using: &rng)
            let text = String(decoding: bytes, as: UTF8.self)
            // The chunks' reader applies the default line limit, so the splitter does too (a
            // smaller limit in the splitter alone would let it and the reader disagree).
            for chunk in [1, 3, 7, 64, 1 << 20] {
                let maxLine = ArchiveLimits.lineBytes
                let expected = Self.wholeJSONL(bytes)
                let splitter = JSONLSplitter(chunkBytes: chunk, maxLine: maxLine)
                var chunks: [InputChunk] = []
                var position = 0
                while true {
                    let (n, got) = splitter.add { buffer in
                        let n = min(buffer.count, bytes.count - position, Int.random(in: 1...9, using: &rng))
                        for k in 0..<n { buffer[k] = bytes[position + k] }
                        position += n
                        return n
                    }
                    chunks += got
                    if n <= 0 { break }
                }
                if let last = splitter.finish() { chunks.append(last) }
                let out = Self.describeJSONL(chunks)
                #expect(out == expected, "chunk \(chunk): \(text.debugDescription)")
                #expect(splitter.lineCount == bytes.filter { $0 == 0x0A }.count + (bytes.last.map { $0 == 0x0A ? 0 : 1 } ?? 0))
            }
        }
    }

    @Test func overLongLinesAreRejectedWithTheirNumberAndLength() {
        // With a 10-byte line limit: the same numbers and lengths as the streaming reader reports.
        let text = "{\"a\":1}\n0123456789abcdef\n{\"b\":2}\n0123456789abcdefgh"
        let out = Self.chunkedJSONL(Array(text.utf8), block: 3, chunk: 4, maxLine: 10)
        #expect(out.count == 4)
        #expect(out[0].hasPrefix("in.jsonl:1 json"))
        #expect(out[1] == "in.jsonl:2 rejected line of 17 bytes")
        #expect(out[2].hasPrefix("in.jsonl:3 json"))
        #expect(out[3] == "in.jsonl:4 rejected line of 18 bytes")
    }

    /// A line of exactly the limit ended by CR LF is within the limit wherever a block, chunk or
    /// buffer ends between its CR and its LF; for the streaming reader one byte more is over it,
    /// with its length. The splitter and the streaming reader once judged the first too long
    /// when the CR was the last byte they held (the workers' range reader never did, so
    /// `--jobs` 1 and 2 differed).
    @Test func lineOfTheLimitEndedByCRLFIsWithinItWhereverCut() throws {
        let within = Array("{\"a\":1}\n{\"k\":\"12\"}\r\n{\"b\":2}\n".utf8)  // line 2: 10 bytes
        let over = Array("{\"a\":1}\n{\"k\":\"123\"}\r\n{\"b\":2}\n".utf8)  // line 2: 11 bytes
        for block in 1...14 {
            for chunk in [1, 2, 3, 4, 7, 10, 11, 12, 13, 64] {
                let kept = Self.chunkedJSONL(within, block: block, chunk: chunk, maxLine: 10)
                #expect(kept.count == 3 && kept[1].hasPrefix("in.jsonl:2 json"), "block \(block) chunk \(chunk): \(kept)")
                // (Whether the splitter or the chunk's reader rejects the longer line depends on
                // the cut; only the reader's default limit is the same for both. It is never lost.)
                #expect(Self.chunkedJSONL(over, block: block, chunk: chunk, maxLine: 10).count == 3)
            }
        }
        // The streaming reader, from a file through buffers of every small size.
        let path = "/tmp/invigil-crlf-\(getpid()).jsonl"
        defer { unlink(path) }
        for (bytes, overLimit) in [(within, false), (over, true)] {
            let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
            #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) } == bytes.count)
            close(fd)
            for bufferSize in 2...16 {
                let lines = ByteLines(fd: open(path, O_RDONLY), ownsDescriptor: true, maxLine: 10, bufferSize: bufferSize)
                var statuses: [String] = []
                loop: while true {
                    switch lines.next() {
                    case .line: statuses.append("line \(lines.lineNumber) \(lines.current.count)")
                    case .tooLong: statuses.append("too long \(lines.lineNumber) \(lines.skippedLength)")
                    case .end: break loop
                    }
                }
                #expect(statuses[1] == (overLimit ? "too long 2 13" : "line 2 10"), "buffer \(bufferSize): \(statuses)")
            }
        }
    }

    static func wholeMbox(_ bytes: [UInt8]) -> [String] {
        let s = MboxSource(bytes: bytes, name: "in.mbox")
        var out: [String] = []
        while let r = s.next() { out.append(describe(r)) }
        return out
    }

    static func chunkedMbox(_ bytes: [UInt8], block: Int, chunk: Int) -> [String] {
        let splitter = MboxSplitter(chunkBytes: chunk)
        let chunks = ChunkingTests.inBlocks(bytes, block: block, add: splitter.add, finish: splitter.finish)
        var out: [String] = []
        for c in chunks {
            switch c {
            case .records(let b, let before):
                let s = MboxSource(chunk: b, name: "in.mbox", messagesBefore: before)
                while let r = s.next() { out.append(describe(r)) }
            case .tooLarge(let number, _):
                out.append("in.mbox:#\(number) rejected too large")
            }
        }
        return out
    }

    @Test func mboxChunksReadAsTheWhole() throws {
        var rng = SplitMix(seed: 5)
        let messages = [
            "From a@example.com Mon Jan  1 00:00:00 2024\nFrom: A <a@example.com>\nSubject: one\n\ntext me on 07700 900123\n",
            "From b@example.com Tue Jan  2 00:00:00 2024\r\nFrom: b@example.com\r\nSubject: crlf\r\n\r\nbody\r\n",
            "From c@example.com Wed Jan  3 00:00:00 2024\nSubject: quoted\n\n>From the start\nFrom inside a paragraph is not a separator\n",
            "From d@example.com Thu Jan  4 00:00:00 2024\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhello\n--x--\n"
        ]
        for _ in 0..<200 {
            var text = Bool.random(using: &rng) ? "" : (Bool.random(using: &rng) ? "\n\n" : "Preamble: text before any separator\n\n")
            for k in 0..<Int.random(in: 0...8, using: &rng) {
                if k > 0 { text += "\n" }
                text += messages[Int.random(in: 0..<messages.count, using: &rng)]
            }
            if Bool.random(using: &rng), text.hasSuffix("\n") { text.removeLast() }
            let bytes = Array(text.utf8)
            let whole = Self.wholeMbox(bytes)
            for (block, chunk) in [(1, 1), (5, 30), (17, 100), (4096, 1 << 20)] {
                #expect(Self.chunkedMbox(bytes, block: block, chunk: chunk) == whole, "block \(block) chunk \(chunk): \(text.debugDescription)")
            }
        }
        // The fixtures too.
        for name in ["mbox"] {
            let dir = ArchiveTest.fixture(name)
            for file in listDirectory(dir) where !file.hasPrefix("LICENSE") {
                let bytes = try #require(readSmallFile(dir + "/" + file, limit: 1 << 24).bytes)
                #expect(Self.chunkedMbox(bytes, block: 97, chunk: 200) == Self.wholeMbox(bytes), "\(file)")
            }
        }
    }
}

@Suite struct ByteCountTests {
    /// The vector count against a plain loop, on lengths and offsets around its 16-byte steps and
    /// its flush every 255 steps (and the 32-byte ones of an earlier version).
    @Test func countMatchesAPlainLoop() {
        var rng = SplitMix(seed: 9)
        for length in [0, 1, 15, 16, 17, 31, 32, 33, 255 * 16 - 1, 255 * 16, 255 * 16 + 1, 255 * 32 - 1, 255 * 32, 255 * 32 + 1, 20_000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 8...12, using: &rng) }
            for start in [0, 1, 5].filter({ $0 <= length }) {
                let expected = bytes[start...].filter { $0 == 10 }.count
                #expect(count(of: 10, in: bytes, start..<length) == expected, "\(length) from \(start)")
            }
        }
        let all = [UInt8](repeating: 10, count: 255 * 32 * 3 + 7)
        #expect(count(of: 10, in: all, 0..<all.count) == all.count)
        // Every lane at its most between two flushes: 255 matches a lane, then one more block.
        for length in [255 * 16, 255 * 16 + 16, 255 * 16 * 2 + 3] {
            let ones = [UInt8](repeating: 10, count: length)
            for start in [0, 1, 15] { #expect(count(of: 10, in: ones, start..<length) == length - start) }
        }
    }
}

/// The mbox splitter's search for separators against its line walk (the reference): texts made
/// of `From ` at and off line starts, blank lines with and without carriage returns, other text,
/// and no line end at the end, given in blocks of every size: the same chunks, counts and
/// over-long messages.
@Suite struct MboxSeparatorSearchTests {
    static func cut(_ bytes: [UInt8], block: Int, chunk: Int, maxMessage: Int, searches: Bool) -> [String] {
        let splitter = MboxSplitter(chunkBytes: chunk, maxMessage: maxMessage)
        splitter.searchesSeparators = searches
        let chunks = ChunkingTests.inBlocks(bytes, block: block, add: splitter.add, finish: splitter.finish)
        return chunks.map {
            switch $0 {
            case .records(let b, let before): return "records \(before) \(b)"
            case .tooLarge(let number, let length): return "tooLarge \(number) \(length)"
            }
        }
    }

    /// An over-long last message without a line end: once a trap (the walk's added line feed was
    /// dropped with the message, then removed again); now its length, every byte counted once.
    @Test func overLongLastMessageWithoutLineEndIsRejectedWithItsLength() {
        let text = "From a@b Mon\n\n" + String(repeating: "x", count: 50)
        for searches in [false, true] {
            for block in [1, 7, 100] {
                let chunks = Self.cut(Array(text.utf8), block: block, chunk: 1 << 20, maxMessage: 20, searches: searches)
                #expect(chunks == ["tooLarge 1 \(text.utf8.count)"], "block \(block) searches \(searches)")
            }
        }
    }

    /// The SSE2 search for `From ` against the byte loop, from every start, on bytes made mostly
    /// of its letters (candidates everywhere, across the sixteen-byte steps and the end).
    @Test func fromSearchAgreesWithTheByteLoop() {
        #if canImport(InvigilSIMD)
        var rng = SplitMix(seed: 89)
        let alphabet = Array("From \nxr".utf8)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...70, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            bytes.withUnsafeBufferPointer { b in
                let n = b.count
                for from in 0...n {
                    var naive = n
                    if n >= 5 {
                        for q in stride(from: from, through: n - 5, by: 1) where Array(b[q..<(q + 5)]) == Array("From ".utf8) {
                            naive = q
                            break
                        }
                    }
                    #expect(ivg_find_mbox_from(b.baseAddress, from, n) == naive)
                }
            }
        }
        #endif
    }

    @Test func searchFindsTheSeparatorsTheLineWalkFinds() {
        var rng = SplitMix(seed: 83)
        let tokens = ["From ", "From a@b Mon\n", "\n", "\r\n", "\r", "x", " ", "From", "rom ", ">From ", "body text\n", "\n\n"]
        for _ in 0..<1500 {
            var text = ""
            for _ in 0..<Int.random(in: 0...60, using: &rng) { text += tokens.randomElement(using: &rng)! }
            let bytes = Array(text.utf8)
            for (block, chunk) in [(1, 1), (2, 5), (3, 16), (7, 40), (64, 30), (4096, 1 << 20)] {
                for maxMessage in [2 * ArchiveLimits.messageBytes, 20] {
                    let walked = Self.cut(bytes, block: block, chunk: chunk, maxMessage: maxMessage, searches: false)
                    let searched = Self.cut(bytes, block: block, chunk: chunk, maxMessage: maxMessage, searches: true)
                    #expect(searched == walked, "block \(block) chunk \(chunk) max \(maxMessage): \(text.debugDescription)")
                }
            }
        }
    }
}
