import Testing
@testable import InvigilArchive

/// `CSVSplitter` against the whole-input reader as reference: cutting a CSV input into chunks at
/// any block and chunk size, then reading each chunk apart, gives exactly the records (sources,
/// fields, rejections) of reading the input whole. The inputs are generated from the pieces that
/// steer the reader: quoted cells over several lines, `""`, stray quotes, quotes inside a cell,
/// blank lines, CRLF, invalid UTF-8, rows of the wrong width, over-long lines and records past the
/// record limits (made small here, so that every limit is reached).
@Suite struct CSVChunkingTests {
    static let limits: CSVLimits = {
        var l = CSVLimits()
        l.lineBytes = 60
        l.recordLines = 4
        l.recordBytes = 90
        return l
    }()

    static func whole(_ bytes: [UInt8], name: String, options: CSVOptions, limits: CSVLimits = limits) -> [String] {
        let source = CSVSource(bytes: bytes, name: name, options: options, limits: limits)
        var out: [String] = []
        while let r = source.next() { out.append(ChunkingTests.describe(r)) }
        return out
    }

    static func chunks(_ bytes: [UInt8], name: String, options: CSVOptions, block: Int, chunk: Int, limits: CSVLimits = limits) -> [CSVChunk] {
        CSVSplitter(chunkBytes: chunk, name: name, options: options, limits: limits).chunks(of: bytes, block: block)
    }

    static func chunked(_ bytes: [UInt8], name: String, options: CSVOptions, block: Int, chunk: Int, limits: CSVLimits = limits) -> [String] {
        var out: [String] = []
        for c in chunks(bytes, name: name, options: options, block: block, chunk: chunk, limits: limits) {
            let source = CSVSource(chunk: c.bytes, name: name, linesBefore: c.linesBefore, columns: c.columns, options: options, limits: limits)
            while let r = source.next() { out.append(ChunkingTests.describe(r)) }
        }
        return out
    }

    static let pieces: [String] = [
        "2024-03-01T09:00:00Z,ann@example.com,hello there",
        "2024-03-01T09:00:00Z,\"Bob <bob@example.com>\",\"a, b and \"\"c\"\"\"",
        "2024-03-01T09:00:00Z,c@example.com,\"two\nlines\"",
        "2024-03-01T09:00:00Z,c@example.com,\"three\r\nlines\n, with a comma\"",
        "\"2024-03-01T09:00:00Z\",d@example.com,\"ends\"after",
        "2024-03-01T09:00:00Z,e@example.com,a \"quote\" inside",
        "2024-03-01T09:00:00Z,f@example.com,\"stray quote, never closed",
        "\"",
        "a,b",
        "a,b,c,d",
        "",
        "   ",
        "2024-03-01T09:00:00Z,g@example.com,caf\u{E9}",
        "2024-03-01T09:00:00Z,h@example.com,\"" + String(repeating: "long ", count: 14) + "\"",
        "x,y,\"" + String(repeating: "z", count: 70) + "\"",
        "2024-03-01T09:00:00Z,i@example.com,\"\"",
        "2024-03-01T09:00:00Z,j@example.com,\"a\n\n\nb\nc\nd\"",
        "bad time,k@example.com,text",
        "2024-03-01T09:00:00Z,l@example.com,\"\"\"\""
    ]

    /// A generated input: a header (or not), then rows from `pieces`, with CRLF, invalid UTF-8 and
    /// a missing final terminator now and then.
    static func generate(_ rng: inout SplitMix, header: Bool) -> [UInt8] {
        var bytes: [UInt8] = header ? Array((Bool.random(using: &rng) ? "time,from,text" : "\"time\",from,\"te\nxt\"").utf8) + [0x0A] : []
        for _ in 0..<Int.random(in: 0...30, using: &rng) {
            var row = Array(pieces[Int.random(in: 0..<pieces.count, using: &rng)].utf8)
            if Int.random(in: 0..<25, using: &rng) == 0, !row.isEmpty { row.insert(0xFF, at: Int.random(in: 0..<row.count, using: &rng)) }
            bytes += row
            bytes += Int.random(in: 0..<6, using: &rng) == 0 ? [0x0D, 0x0A] : [0x0A]
        }
        if Bool.random(using: &rng), bytes.last == 0x0A { bytes.removeLast() }
        return bytes
    }

    @Test func chunksReadAsTheWhole() {
        var rng = SplitMix(seed: 11)
        var noHeader = CSVOptions()
        noHeader.header = false
        var named = noHeader
        named.columns = ["time", "from", "text"]
        var semicolon = CSVOptions()
        semicolon.delimiter = 0x3B
        let setups: [(String, CSVOptions, Bool)] = [
            ("in.csv", CSVOptions(), true), ("in.csv", noHeader, false), ("in.csv", named, false), ("in.tsv", CSVOptions(), true),
            ("in.csv", semicolon, true)
        ]
        for round in 0..<400 {
            let (name, options, header) = setups[round % setups.count]
            let bytes = Self.generate(&rng, header: header)
            let whole = Self.whole(bytes, name: name, options: options)
            for (block, chunk) in [(1, 1), (3, 17), (7, 40), (64, 100), (4096, 1 << 20)] {
                let parts = Self.chunked(bytes, name: name, options: options, block: block, chunk: chunk)
                #expect(parts == whole, "\(name) block \(block) chunk \(chunk): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
        }
    }

    /// The chunks cover the input: their bytes put together are the input's, except that an
    /// over-long line is kept only up to the limit.
    @Test func chunksHoldTheInputInOrder() {
        var rng = SplitMix(seed: 12)
        var limits = CSVLimits()
        limits.lineBytes = 1 << 20
        for _ in 0..<200 {
            let bytes = Self.generate(&rng, header: true)
            for (block, chunk) in [(1, 1), (5, 30), (4096, 64)] {
                let chunks = Self.chunks(bytes, name: "in.csv", options: CSVOptions(), block: block, chunk: chunk, limits: limits)
                #expect(chunks.flatMap(\.bytes) == bytes)
                var lines = 0
                for c in chunks {
                    #expect(c.linesBefore == lines)
                    lines += c.bytes.filter { $0 == 0x0A }.count
                }
            }
        }
    }

    /// With the default limits, a file of ordinary rows is cut near the chunk size, and a stray
    /// quote only holds the cut back until the reader gives up on its record.
    @Test func cutsNearTheChunkSize() {
        var text = "time,from,text\n"
        for i in 0..<2_000 { text += "2024-03-01T09:00:00Z,a\(i)@example.com,\"hello, number \(i)\"\n" }
        let bytes = Array(text.utf8)
        let chunks = Self.chunks(bytes, name: "in.csv", options: CSVOptions(), block: 4096, chunk: 8192, limits: CSVLimits())
        #expect(chunks.count >= bytes.count / 16384)
        #expect(chunks.dropLast().allSatisfy { $0.bytes.count >= 8192 && $0.bytes.count < 8192 + 4096 + 100 }, "\(chunks.map(\.bytes.count))")
        #expect(chunks.dropFirst().allSatisfy { $0.columns.names == ["time", "from", "text"] })
        #expect(
            Self.chunked(bytes, name: "in.csv", options: CSVOptions(), block: 4096, chunk: 8192, limits: CSVLimits())
                == Self.whole(bytes, name: "in.csv", options: CSVOptions(), limits: CSVLimits()))
    }

    /// An over-long line is not held whole: the splitter keeps the limit's worth of it, and the
    /// reader rejects it with its line number as the whole input's reader does.
    @Test func overLongLinesAreNotHeld() {
        var limits = CSVLimits()
        limits.lineBytes = 100
        let long = String(repeating: "\"x,", count: 5_000)
        let text = "time,from,text\n2024-03-01T09:00:00Z,a@example.com,one\n" + long + "\n2024-03-01T09:00:00Z,b@example.com,two\n"
        let bytes = Array(text.utf8)
        let chunks = Self.chunks(bytes, name: "in.csv", options: CSVOptions(), block: 64, chunk: 1 << 20, limits: limits)
        #expect(chunks.map(\.bytes.count).reduce(0, +) < 300)
        let whole = Self.whole(bytes, name: "in.csv", options: CSVOptions(), limits: limits)
        #expect(Self.chunked(bytes, name: "in.csv", options: CSVOptions(), block: 64, chunk: 1 << 20, limits: limits) == whole)
        #expect(whole.contains("in.csv:3 rejected line longer than 100 bytes"))
    }

    /// `endsInsideQuotes` against the reader itself on every generated line.
    @Test func lineEndsAsTheReaderSays() {
        var rng = SplitMix(seed: 13)
        let alphabet: [UInt8] = [0x22, 0x22, 0x2C, 0x2C, 0x61, 0x20]
        for _ in 0..<20_000 {
            let line = (0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            let reader = CSVRowReader(lines: ByteLines(bytes: line + [0x0A, 0x22, 0x0A]), options: CSVOptions())
            // Inside quotes at the line's end, the reader takes the next line (a lone quote, which
            // closes the cell) into the same record.
            let spans: Bool
            switch reader.nextRow() {
            case .cells(_, _): spans = reader.lastRecordLastLine == 2
            default: spans = false
            }
            let inside = line.withUnsafeBufferPointer { b in
                CSVSplitter.endsInsideQuotes(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, from: 0, to: line.count, delimiter: 0x2C)
            }
            #expect(inside == spans, "\(String(decoding: line, as: UTF8.self).debugDescription)")
        }
    }
}
