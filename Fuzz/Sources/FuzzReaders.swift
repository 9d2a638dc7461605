import Invigil
@testable import InvigilArchive

/// `mail`, `whatsapp`, `csv`: the input is a file in that format, read from memory by the readers'
/// `init(bytes:name:)`. Every record must be an event or a rejection with a reason; events are
/// loaded into a scanner over the bundled packs (fields the readers produce must be accepted or
/// refused with a FieldError, not trap) and scanned. A reader must end (a hang is a failure).
/// One input in four is also written to a scratch file and read by path: the records must be the
/// same, sources included (the file and memory paths of `ByteLines` agree).
enum FuzzReaders {
    nonisolated(unsafe) static let scanner = Scanner(rules: packRules)
    static let directory: PeopleDirectory = {
        let csv =
            "address,name,role,relation\nhead@school.example,Ann Head,staff\npupil@example.com,Pip Pupil,pupil\nmum@example.com,Mum,parent,family\n"
        let path = Array(csv.utf8).withUnsafeBufferPointer { ScratchFile.write($0, suffix: ".people.csv") }
        do { return try PeopleDirectory(path: path) } catch { fuzzFail("people directory: \(error)") }
    }()

    /// Reads every record of a source, with a bound on records per input byte (progress).
    @discardableResult
    static func drain(_ source: inout some ArchiveSource, _ size: Int, _ what: String, scan: Bool = true) -> [String] {
        var records = 0
        var described: [String] = []
        while let record = source.next() {
            records += 1
            described.append(describe(record))
            if records > 2 * size + 8 { fuzzFail("\(what): \(records) records from \(size) bytes: no progress") }
            if record.source.isEmpty { fuzzFail("\(what): record without a source") }
            if !scan { continue }
            switch record.payload {
            case .rejected(let reason):
                if reason.isEmpty { fuzzFail("\(what): rejection without a reason") }
            default:
                if let reason = record.load(into: scanner) {
                    _ = reason
                    continue
                }
                scanner.scan()
                checkFindings(scanner)
            }
        }
        if source.bytesRead < 0 || source.bytesRead > size { fuzzFail("\(what): bytesRead \(source.bytesRead) of \(size)") }
        return described
    }

    /// A record as one line of text, to compare readers.
    static func describe(_ r: ArchiveRecord) -> String {
        switch r.payload {
        case .json(let bytes): return "\(r.source) json \(bytes)"
        case .rejected(let reason): return "\(r.source) rejected \(reason)"
        case .fields(let fields):
            var text = "\(r.source) fields"
            for f in fields {
                text += "|\(f.name)[\(f.element ?? -1),\(f.isListValue)]="
                switch f.value {
                case .string(let v): text += "s:" + v
                case .bool(let v): text += "b:\(v)"
                case .int(let v): text += "i:\(v)"
                }
            }
            return text
        }
    }

    /// One input in four (by content): also read by path, which must give the same records.
    static func alsoByPath(_ data: UnsafeBufferPointer<UInt8>) -> Bool { data.fnv & 3 == 0 }

    static func same(_ a: [String], _ b: [String], _ what: String) {
        if a != b {
            let k = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            fuzzFail(
                "\(what): memory and path readers differ at record \(k) (\(a.count) vs \(b.count) records): \(k < a.count ? a[k] : "-") | \(k < b.count ? b[k] : "-")"
            )
        }
    }

    static func mail(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(data)
        let name = ScratchFile.path(".mail")
        var mbox = MboxSource(bytes: bytes, name: name, directory: directory)
        let mboxRecords = drain(&mbox, data.count, "mbox")
        var eml = EMLSource(bytes: bytes, name: name, directory: directory)
        let emlRecords = drain(&eml, data.count, "eml")
        mboxSplitterModesAgree(bytes, seed: data.fnv)
        guard alsoByPath(data) else { return }
        let path = ScratchFile.write(data, suffix: ".mail")
        do {
            var mboxFile = try MboxSource(path: path, directory: directory)
            same(mboxRecords, drain(&mboxFile, data.count, "mbox file", scan: false), "mbox")
            var emlFile = try EMLSource(path: path, directory: directory)
            same(emlRecords, drain(&emlFile, data.count, "eml file", scan: false), "eml")
        } catch {
            fuzzFail("cannot open the scratch file: \(error)")
        }
    }

    /// The mbox splitter's search for separators against its line walk: the same chunks, counts
    /// and over-long messages, at a block size, chunk size and message limit taken from the input.
    static func mboxSplitterModesAgree(_ bytes: [UInt8], seed: UInt64) {
        let block = 1 + Int(seed >> 8 & 63)
        let chunk = 1 + Int(seed >> 16 & 255)
        let maxMessage = seed & 64 == 0 ? 2 * ArchiveLimits.messageBytes : 16 + Int(seed >> 24 & 255)
        func cut(searching: Bool) -> [String] {
            let splitter = MboxSplitter(chunkBytes: chunk, maxMessage: maxMessage)
            splitter.searchesSeparators = searching
            var out: [InputChunk] = []
            var i = 0
            while i < bytes.count {
                out += splitter.add(bytes[i..<min(bytes.count, i + block)])
                i += block
            }
            if let last = splitter.finish() { out.append(last) }
            return out.map {
                switch $0 {
                case .records(let b, let before): return "records \(before) \(b.count) \(b.hashValue)"
                case .tooLarge(let number, let length): return "tooLarge \(number) \(length)"
                }
            }
        }
        let searched = cut(searching: true), walked = cut(searching: false)
        if searched != walked {
            fuzzFail("mbox splitter (block \(block), chunk \(chunk), limit \(maxMessage)): search \(searched) != walk \(walked)")
        }
    }

    /// `jsonl`: the JSONL reader whole (`JSONLSource(bytes:name:)`, every record loaded and
    /// scanned) against the scan's chunk path: the input cut after line feeds at places taken
    /// from its bytes, each chunk read where it lies (`JSONLSource(borrowingChunk:)`, events by
    /// `nextItem()` with their sources made afterwards) and copied (`init(chunk:)`); and against
    /// the workers' range path (`JSONLRangeReader`: ranges cut anywhere). The records, sources
    /// and rejections must be the same. The range reader is also checked under a small line
    /// limit and with a read error (`rangedLines`).
    static func jsonl(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(data)
        var whole = JSONLSource(bytes: bytes, name: "in.jsonl")
        let expected = drain(&whole, data.count, "jsonl")
        let (inPlace, copied) = chunkedJSONL(bytes, name: "in.jsonl", seed: data.fnv)
        same(expected, inPlace, "jsonl chunks in place")
        same(expected, copied, "jsonl chunks copied")
        same(expected, rangedJSONL(bytes, name: "in.jsonl", seed: data.fnv), "jsonl ranges")
        rangedLines(bytes, seed: data.fnv)
    }

    /// Positional reads of `bytes` as `SharedFile.read(into:at:)` makes them: a read that reaches
    /// offset `failAt` fails with EIO, after the bytes before it.
    static func positionalRead(_ bytes: [UInt8], failAt: Int = .max) -> JSONLRangeReader.PositionalRead {
        return { buffer, offset in
            var done = 0
            while done < buffer.count {
                let at = offset + done
                if at >= failAt { return (done, 5) }
                guard at < bytes.count else { break }
                let n = min(buffer.count - done, bytes.count - at, failAt - at)
                bytes.withUnsafeBytes { buffer.baseAddress!.advanced(by: done).copyMemory(from: $0.baseAddress! + at, byteCount: n) }
                done += n
            }
            return (done, 0)
        }
    }

    /// Ranges of 1 to 64 bytes, cut anywhere, at sizes taken from `seed`.
    static func ranges(_ count: Int, seed: UInt64) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0, state = seed | 1
        while start < count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let end = min(count, start + 1 + Int(state >> 33) % 64)
            out.append(start..<end)
            start = end
        }
        return out
    }

    /// The records of `bytes` read range by range, as the scan's workers read a regular file at
    /// `--jobs` 2 and up (`JSONLRangeReader`, each range's lines read where they lie).
    static func rangedJSONL(_ bytes: [UInt8], name: String, seed: UInt64) -> [String] {
        var out: [String] = []
        let reader = JSONLRangeReader()
        let ledger = LineLedger()
        let read = positionalRead(bytes)
        for (piece, range) in ranges(bytes.count, seed: seed >> 7).enumerated() {
            guard let lines = reader.read(range, from: read, ledger: ledger, piece: piece) else {
                fuzzFail("jsonl ranges: range \(piece) lost without a read error")
            }
            if lines.overLong != nil || lines.readError != nil { fuzzFail("jsonl ranges: an over-long line or a read error in a small input") }
            let source = JSONLSource(borrowingChunk: lines.bytes, name: name, linesBefore: lines.linesBefore)
            while let item = source.nextItem() {
                switch item {
                case .event(let json, let line): out.append(describe(ArchiveRecord(source: source.source(ofLine: line), payload: .json(Array(json)))))
                case .record(let record): out.append(describe(record))
                }
            }
        }
        return out
    }

    /// The range reader under a line limit small enough to reach (1 to 32 bytes) and, for one
    /// input in two, a read error at an offset taken from the input: its lines, numbered, and its
    /// over-long lines' numbers and lengths must be those of the whole input's `ByteLines` (up to
    /// the error, whose line must be the one after the last line read; every range after the
    /// failing one reads nothing).
    static func rangedLines(_ bytes: [UInt8], seed: UInt64) {
        let maxLine = 1 + Int(seed % 32)
        let failAt = (seed >> 5) & 1 == 0 || bytes.isEmpty ? Int.max : Int((seed >> 6) % UInt64(bytes.count))
        func lines(_ held: ByteLines) -> [String] {
            var out: [String] = []
            loop: while true {
                switch held.next() {
                case .line: out.append("\(held.lineNumber) \(Array(held.current))")
                case .tooLong: out.append("\(held.lineNumber) over-long \(held.skippedLength)")
                case .end: break loop
                }
            }
            return out
        }
        let expected = bytes.withUnsafeBufferPointer { lines(ByteLines(borrowing: $0, maxLine: maxLine)) }
        let reader = JSONLRangeReader(maxLine: maxLine)
        let ledger = LineLedger()
        let read = positionalRead(bytes, failAt: failAt)
        var got: [String] = []
        var errorLine: Int? = nil
        for (piece, range) in ranges(bytes.count, seed: seed >> 11).enumerated() {
            guard let some = reader.read(range, from: read, ledger: ledger, piece: piece) else {
                if errorLine == nil { fuzzFail("jsonl ranges: range \(piece) lost before any read error") }
                continue
            }
            if errorLine != nil { fuzzFail("jsonl ranges: range \(piece) read after a read error") }
            got += lines(ByteLines(borrowing: some.bytes, maxLine: maxLine, linesBefore: some.linesBefore))
            if let (number, length) = some.overLong { got.append("\(number) over-long \(length)") }
            if let error = some.readError {
                if error.offset != failAt || error.code != 5 { fuzzFail("jsonl ranges: read error at \(error.offset), failing byte \(failAt)") }
                errorLine = error.line
            }
        }
        if failAt != .max, errorLine == nil { fuzzFail("jsonl ranges: no range met the read error at \(failAt)") }
        if let errorLine {
            // What the whole file's reader gives before its error: the lines of the bytes before
            // the bad one, the last cut short there; the error is the next line.
            let truncated = Array(bytes[..<failAt]).withUnsafeBufferPointer { lines(ByteLines(borrowing: $0, maxLine: maxLine)) }
            if got != truncated { fuzzFail("jsonl ranges (limit \(maxLine), error at \(failAt)): \(got) != \(truncated)") }
            if errorLine != got.count + 1 { fuzzFail("jsonl ranges: read error named line \(errorLine) after \(got.count) lines") }
        } else if failAt == .max, got != expected {
            fuzzFail("jsonl ranges (limit \(maxLine)): \(got) != \(expected)")
        }
    }

    /// The records of `bytes` read chunk by chunk as the scan's workers read them: in place (by
    /// `nextItem()`) and copied (by `next()`). Chunks end after a line feed, or at the end.
    static func chunkedJSONL(_ bytes: [UInt8], name: String, seed: UInt64) -> (inPlace: [String], copied: [String]) {
        var inPlace: [String] = [], copied: [String] = []
        var start = 0, linesBefore = 0, state = seed | 1
        while start < bytes.count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var end = min(bytes.count, start + 1 + Int(state >> 33) % 64)
            // Back to just after the last line feed in the chunk, as JSONLSplitter cuts; the end
            // of the input otherwise, or on to the next line feed.
            if end < bytes.count {
                if let lf = bytes[start..<end].lastIndex(of: 0x0A) {
                    end = lf + 1
                } else {
                    end = (bytes[end...].firstIndex(of: 0x0A).map { $0 + 1 }) ?? bytes.count
                }
            }
            let chunk = Array(bytes[start..<end])
            chunk.withUnsafeBufferPointer { buffer in
                let source = JSONLSource(borrowingChunk: buffer, name: name, linesBefore: linesBefore)
                while let item = source.nextItem() {
                    switch item {
                    case .event(let json, let line):
                        inPlace.append(describe(ArchiveRecord(source: source.source(ofLine: line), payload: .json(Array(json)))))
                    case .record(let record):
                        inPlace.append(describe(record))
                    }
                }
            }
            let copiedSource = JSONLSource(chunk: chunk, name: name, linesBefore: linesBefore)
            while let record = copiedSource.next() { copied.append(describe(record)) }
            linesBefore += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            start = end
        }
        return (inPlace, copied)
    }

    static func whatsApp(_ data: UnsafeBufferPointer<UInt8>) {
        var options = WhatsAppOptions()
        // The date order comes from the input's length, so that all are reached.
        switch data.count % 3 {
        case 0: options.dateOrder = .auto
        case 1: options.dateOrder = .dayFirst
        default: options.dateOrder = .monthFirst
        }
        let name = ScratchFile.path(".txt")
        var chat = WhatsAppSource(bytes: Array(data), name: name, options: options, directory: directory)
        let records = drain(&chat, data.count, "whatsapp")
        guard alsoByPath(data) else { return }
        let path = ScratchFile.write(data, suffix: ".txt")
        do {
            var file = try WhatsAppSource(path: path, options: options, directory: directory)
            same(records, drain(&file, data.count, "whatsapp file", scan: false), "whatsapp")
        } catch {
            fuzzFail("cannot open the scratch file: \(error)")
        }
    }

    static func csv(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(data)
        let byPath = alsoByPath(data)
        // The same bytes as CSV (RFC 4180 quoting, header row) and as TSV (tabs, no quoting).
        for suffix in [".csv", ".tsv"] {
            let name = ScratchFile.path(suffix)
            var table = CSVSource(bytes: bytes, name: name, options: CSVOptions(), directory: directory)
            let records = drain(&table, data.count, suffix)
            if byPath { compareFile(data, suffix: suffix, options: CSVOptions(), records) }
        }
        // Without a header, columns named by the caller (one of them a whole RFC 822 message).
        var options = CSVOptions(map: ["raw": "message", "who": "author", "to": "recipients"])
        options.header = false
        options.columns = ["time", "who", "to", "text", "raw"]
        options.dayFirst = data.count & 1 == 0
        var table = CSVSource(bytes: bytes, name: ScratchFile.path(".csv"), options: options, directory: directory)
        let records = drain(&table, data.count, "csv without header")
        if byPath { compareFile(data, suffix: ".csv", options: options, records) }
        chunkedCSV(bytes, seed: data.fnv)
    }

    /// The scan pipeline's CSV chunks, read apart, against the whole input, with limits small
    /// enough for the fuzzer to reach (a 40-byte line, a record of 3 lines or 64 bytes), and
    /// block and chunk sizes chosen by the input's hash.
    static func chunkedCSV(_ bytes: [UInt8], seed: UInt64) {
        var limits = CSVLimits()
        limits.lineBytes = 40
        limits.recordLines = 3
        limits.recordBytes = 64
        var options = CSVOptions()
        options.header = seed & 16 == 0
        let name = seed & 32 == 0 ? "in.csv" : "in.tsv"
        let block = 1 + Int(seed >> 8 & 63)
        let chunk = 1 + Int(seed >> 16 & 127)
        let whole = CSVSource(bytes: bytes, name: name, options: options, limits: limits)
        var expected: [String] = []
        while let r = whole.next() { expected.append(describe(r)) }
        var got: [String] = []
        for c in CSVSplitter(chunkBytes: chunk, name: name, options: options, limits: limits).chunks(of: bytes, block: block) {
            let part = CSVSource(chunk: c.bytes, name: name, linesBefore: c.linesBefore, columns: c.columns, options: options, limits: limits)
            while let r = part.next() { got.append(describe(r)) }
        }
        if got != expected {
            let k = (0..<min(got.count, expected.count)).first { got[$0] != expected[$0] } ?? min(got.count, expected.count)
            fuzzFail(
                "csv chunks (block \(block), chunk \(chunk)) differ from the whole at record \(k): \(k < expected.count ? expected[k] : "-") | \(k < got.count ? got[k] : "-")"
            )
        }
    }

    static func compareFile(_ data: UnsafeBufferPointer<UInt8>, suffix: String, options: CSVOptions, _ records: [String]) {
        let path = ScratchFile.write(data, suffix: suffix)
        do {
            var file = try CSVSource(path: path, options: options, directory: directory)
            same(records, drain(&file, data.count, suffix + " file", scan: false), suffix)
        } catch {
            fuzzFail("cannot open the scratch file: \(error)")
        }
    }
}
