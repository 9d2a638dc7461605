import Foundation
import Testing
@testable import InvigilArchive

/// `JSONLRangeReader` against a naive line splitter as the reference: a file cut into ranges
/// anywhere, each range read apart through positional reads, gives the file's lines, numbered
/// and judged against the line limit as reading the whole file does.
@Suite struct JSONLRangeReaderTests {
    /// A line as the reference and the ranges report it: its number, and its content (without
    /// CR LF) or, for a line over the limit, its length with its terminator.
    enum Line: Equatable, CustomStringConvertible {
        case text(Int, [UInt8])
        case overLong(Int, length: Int)
        var description: String {
            switch self {
            case .text(let n, let b): return "\(n): \(String(decoding: b, as: UTF8.self).debugDescription)"
            case .overLong(let n, let length): return "\(n): over-long, \(length) bytes"
            }
        }
    }

    /// The reference: split at line feeds, the last line counted only when it has bytes.
    static func naiveLines(_ bytes: [UInt8], maxLine: Int) -> [Line] {
        var out: [Line] = []
        var start = 0
        var number = 0
        while start < bytes.count {
            let nl = bytes[start...].firstIndex(of: 0x0A)
            let rawEnd = nl ?? bytes.count
            number += 1
            var content = Array(bytes[start..<rawEnd])
            if content.last == 0x0D { content.removeLast() }
            if content.count > maxLine {
                out.append(.overLong(number, length: rawEnd - start + (nl == nil ? 0 : 1)))
            } else {
                out.append(.text(number, content))
            }
            start = rawEnd + 1
        }
        return out
    }

    /// What one range's reading gave, in the order the scan reports it.
    static func describe(_ lines: JSONLRangeReader.Lines, maxLine: Int) -> (lines: [Line], readError: Int?) {
        var out: [Line] = []
        let held = ByteLines(borrowing: lines.bytes, maxLine: maxLine, linesBefore: lines.linesBefore)
        loop: while true {
            switch held.next() {
            case .line: out.append(.text(held.lineNumber, Array(held.current)))
            case .tooLong: out.append(.overLong(held.lineNumber, length: held.skippedLength))
            case .end: break loop
            }
        }
        if let (number, length) = lines.overLong { out.append(.overLong(number, length: length)) }
        return (out, lines.readError?.line)
    }

    /// Positional reads of `bytes`, as `SharedFile.read(into:at:)` does them: a read that
    /// reaches offset `failAt` fails with EIO.
    static func reader(_ bytes: [UInt8], failAt: Int = .max) -> JSONLRangeReader.PositionalRead {
        return { buffer, offset in
            var done = 0
            while done < buffer.count {
                let at = offset + done
                if at >= failAt { return (done, EIO) }
                guard at < bytes.count else { break }
                // As pread(2) would: the bytes before the bad one, then the error.
                let n = min(buffer.count - done, bytes.count - at, failAt - at)
                bytes.withUnsafeBytes { buffer.baseAddress!.advanced(by: done).copyMemory(from: $0.baseAddress! + at, byteCount: n) }
                done += n
            }
            return (done, 0)
        }
    }

    /// Random lines: JSON, blank, CR LF, and lengths around a small limit.
    static func randomFile(using rng: inout SplitMix) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 0...30, using: &rng) {
            let length = [0, 1, 5, 11, 12, 13, 14, 30, 200][Int.random(in: 0..<9, using: &rng)]
            bytes += (0..<length).map { _ in UInt8(ascii: "a") + UInt8.random(in: 0..<26, using: &rng) }
            if Int.random(in: 0..<4, using: &rng) == 0 { bytes.append(0x0D) }
            bytes.append(0x0A)
        }
        if Bool.random(using: &rng) { bytes += Array("{\"id\":\"last\"}".utf8) }
        if Int.random(in: 0..<5, using: &rng) == 0 { bytes += [UInt8](repeating: 0x62, count: 40) }
        return bytes
    }

    /// Cuts `count` bytes into ranges of random lengths up to `most`.
    static func cuts(_ count: Int, most: Int, using rng: inout SplitMix) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var at = 0
        while at < count {
            let length = min(count - at, Int.random(in: 1...most, using: &rng))
            ranges.append(at..<at + length)
            at += length
        }
        return ranges
    }

    @Test func rangesReadAsTheWholeFile() {
        var rng = SplitMix(seed: 71)
        for round in 0..<600 {
            let bytes = Self.randomFile(using: &rng)
            let maxLine = [12, 13, 1 << 20][round % 3]
            let expected = Self.naiveLines(bytes, maxLine: maxLine)
            for most in [1, 2, 3, 7, 16, 50, 4096] {
                let reader = JSONLRangeReader(maxLine: maxLine)
                let ledger = LineLedger()
                var got: [Line] = []
                for (piece, range) in Self.cuts(bytes.count, most: most, using: &rng).enumerated() {
                    guard let lines = reader.read(range, from: Self.reader(bytes), ledger: ledger, piece: piece) else {
                        Issue.record("a range was lost without a read error")
                        break
                    }
                    let (some, readError) = Self.describe(lines, maxLine: maxLine)
                    #expect(readError == nil)
                    got += some
                }
                #expect(got == expected, "limit \(maxLine), ranges up to \(most): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
        }
    }

    /// A read error at any offset: the ranges give what the reference gives for the bytes before
    /// the bad one (as `read(2)` hands a reader of the whole file those bytes before it fails),
    /// the failing range ends with the error, and every range after it reads nothing.
    @Test func aReadErrorLosesTheRestOfTheFile() {
        var rng = SplitMix(seed: 73)
        for _ in 0..<400 {
            let bytes = Self.randomFile(using: &rng)
            guard !bytes.isEmpty else { continue }
            let failAt = Int.random(in: 0..<bytes.count, using: &rng)
            let expected = Self.naiveLines(bytes, maxLine: 13)
            let reader = JSONLRangeReader(maxLine: 13)
            let ledger = LineLedger()
            var got: [Line] = []
            var errorLine: Int? = nil
            var lost = 0
            var errorRange: Int? = nil
            let ranges = Self.cuts(bytes.count, most: 20, using: &rng)
            for (piece, range) in ranges.enumerated() {
                guard let lines = reader.read(range, from: Self.reader(bytes, failAt: failAt), ledger: ledger, piece: piece) else {
                    #expect(errorLine != nil, "a range was lost before any read error")
                    lost += 1
                    continue
                }
                #expect(errorLine == nil, "a range read after the read error")
                let (some, readError) = Self.describe(lines, maxLine: 13)
                got += some
                if let readError {
                    errorLine = readError
                    errorRange = piece
                    // The offset is the bad byte's.
                    #expect(lines.readError!.offset == failAt && lines.readError!.code == EIO)
                }
            }
            // Every byte is read by some range, so some range meets the error. What comes before
            // it is what the whole file's reader gives before its error: the lines of the bytes
            // before the bad one, the last cut short there; the error is the next line.
            let truncated = Self.naiveLines(Array(bytes[..<failAt]), maxLine: 13)
            #expect(errorLine != nil, "no range met the read error at \(failAt)")
            #expect(got == truncated, "error at \(failAt): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            #expect(errorLine == truncated.count + 1)
            #expect(lost == ranges.count - (errorRange ?? 0) - 1)
            #expect(truncated.count <= expected.count)
        }
    }

    /// Ranges taken in order by several threads, each with its own reader, recorded in whatever
    /// order they finish: the ledger numbers their lines as one thread would.
    @Test func rangesReadOnSeveralThreadsNumberTheirLines() {
        var rng = SplitMix(seed: 79)
        for _ in 0..<60 {
            var bytes: [UInt8] = []
            for _ in 0..<20 { bytes += Self.randomFile(using: &rng) + [0x0A] }
            let expected = Self.naiveLines(bytes, maxLine: 13)
            let ranges = Self.cuts(bytes.count, most: 24, using: &rng)
            let file = bytes
            let results = Results(count: ranges.count)
            let queue = PieceQueue(count: ranges.count)
            let ledger = LineLedger()
            let threads = (0..<4).map { _ in
                Thread {
                    // Each thread its own reading function over the same bytes, as each worker
                    // calls pread on the one file.
                    let read = Self.reader(file)
                    let reader = JSONLRangeReader(maxLine: 13)
                    while let piece = queue.take() {
                        let lines = reader.read(ranges[piece], from: read, ledger: ledger, piece: piece)
                        results.set(piece, lines.map { Self.describe($0, maxLine: 13).lines } ?? [])
                    }
                    queue.done()
                }
            }
            threads.forEach { $0.start() }
            queue.waitForThreads(4)
            #expect(results.all.flatMap { $0 } == expected)
        }
    }
}

/// Pieces handed out in order, first come first served.
private final class PieceQueue: @unchecked Sendable {
    private let lock = NSCondition()
    private var next = 0
    private var finished = 0
    private let count: Int
    init(count: Int) { self.count = count }
    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
    func done() {
        lock.lock()
        finished += 1
        lock.broadcast()
        lock.unlock()
    }
    func waitForThreads(_ n: Int) {
        lock.lock()
        while finished < n { lock.wait() }
        lock.unlock()
    }
}

/// Each piece's lines, written by the thread that read it.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[JSONLRangeReaderTests.Line]]
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ i: Int, _ lines: [JSONLRangeReaderTests.Line]) { lock.withLock { slots[i] = lines } }
    var all: [[JSONLRangeReaderTests.Line]] { lock.withLock { slots } }
}
