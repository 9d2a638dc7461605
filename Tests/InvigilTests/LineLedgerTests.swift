import Dispatch
import Foundation
import Testing
@testable import InvigilArchive

/// `LineLedger` and the splitter's deferred line counting, against counting on the cutting
/// thread as the reference.
@Suite struct LineLedgerTests {
    /// Pieces recorded in a random order by as many threads, each waiting for the pieces before
    /// its own: every thread gets the sum of the earlier pieces' lines.
    @Test func piecesRecordedInAnyOrderGetTheirPrefixSums() {
        var rng = SplitMix(seed: 41)
        for _ in 0..<40 {
            let count = Int.random(in: 1...24, using: &rng)
            let lines = (0..<count).map { _ in Int.random(in: 0...1000, using: &rng) }
            let order = (0..<count).shuffled(using: &rng)
            let ledger = LineLedger()
            let answers = Answers(count: count)
            // One thread per piece, all at once: any order of recording, and waits, can happen.
            onThreads(count) { k in
                let piece = order[k]
                answers.set(piece, ledger.linesBefore(piece: piece, holding: lines[piece]))
            }
            var expected: [Int] = []
            var sum = 0
            for n in lines {
                expected.append(sum)
                sum += n
            }
            #expect(answers.values == expected)
        }
    }

    @Test func linesOfAChunkCountTheLastLineWithoutAFeed() {
        #expect(LineLedger.lines(in: []) == 0)
        #expect(LineLedger.lines(in: Array("a\nb\n".utf8)) == 2)
        #expect(LineLedger.lines(in: Array("a\nb".utf8)) == 2)
        #expect(LineLedger.lines(in: Array("\n\n\n".utf8)) == 3)
    }

    /// JSONL cut without counting lines, the chunks read in a random order on other threads with
    /// the ledger resolving their lines, against the whole-input reader: the same sources, line
    /// numbers of over-long lines included.
    @Test func chunksCountedByTheirReadersReadAsTheWhole() {
        var rng = SplitMix(seed: 43)
        let pieces = ["{\"id\":1}", "", "  ", "{\"text\":\"a b\"}", "not json", "0123456789abcdefghij", "{\"text\":\"x\\ny\"}\r"]
        for round in 0..<200 {
            let bytes = ChunkingTests.randomJSONL(pieces, using: &rng)
            // Over-long lines need the splitter's limit to agree with the chunk reader's, so a
            // small limit is checked through the `.tooLarge` numbers alone.
            let maxLine = round % 2 == 0 ? ArchiveLimits.lineBytes : 12
            for (block, chunk) in [(1, 1), (3, 7), (7, 3), (64, 50), (4096, 1 << 20)] {
                let counted = ChunkingTests.cutJSONL(bytes, block: block, chunk: chunk, maxLine: maxLine, countsLines: true)
                let deferred = ChunkingTests.cutJSONL(bytes, block: block, chunk: chunk, maxLine: maxLine, countsLines: false)
                #expect(counted.count == deferred.count)
                let ledger = LineLedger()
                let resolved = Answers(count: deferred.count)
                let order = (0..<deferred.count).shuffled(using: &rng)
                onThreads(deferred.count) { k in
                    let i = order[k]
                    switch deferred[i] {
                    case .records(let b, let before):
                        resolved.set(i, before + ledger.linesBefore(piece: i, holding: LineLedger.lines(in: b)))
                    case .tooLarge(let number, _):
                        resolved.set(i, number + ledger.linesBefore(piece: i, holding: 0))
                    }
                }
                for (i, c) in counted.enumerated() {
                    switch (c, deferred[i]) {
                    case (.records(let a, let before), .records(let b, _)):
                        #expect(a == b && before == resolved.values[i], "block \(block) chunk \(chunk) piece \(i)")
                    case (.tooLarge(let number, let length), .tooLarge(_, let length2)):
                        #expect(length == length2 && number == resolved.values[i], "block \(block) chunk \(chunk) piece \(i)")
                    default:
                        Issue.record("pieces differ in kind at \(i)")
                    }
                }
                if maxLine == ArchiveLimits.lineBytes {
                    #expect(ChunkingTests.describeJSONL(Self.resolve(deferred)) == ChunkingTests.wholeJSONL(bytes))
                }
            }
        }
    }

    /// Deferred chunks with their line numbers resolved in order on one thread.
    static func resolve(_ chunks: [InputChunk]) -> [InputChunk] {
        let ledger = LineLedger()
        return chunks.enumerated().map { i, c in
            switch c {
            case .records(let b, let before):
                return .records(bytes: b, before: before + ledger.linesBefore(piece: i, holding: LineLedger.lines(in: b)))
            case .tooLarge(let number, let length):
                return .tooLarge(number: number + ledger.linesBefore(piece: i, holding: 0), length: length)
            }
        }
    }
}

/// Runs `body(0..<count)` on `count` threads of its own, started in that order, and waits for
/// them all. (Not a thread pool: a pool of fewer threads than pieces could have every thread
/// waiting for a piece no thread has taken.)
private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let done = DispatchGroup()
    for k in 0..<count {
        done.enter()
        let thread = Thread {
            body(k)
            done.leave()
        }
        thread.start()
    }
    done.wait()
}

/// Answers written by several threads, one slot each.
private final class Answers: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Int>
    init(count: Int) { slots = .allocate(capacity: count); slots.initialize(repeating: -1) }
    deinit { slots.deallocate() }
    func set(_ i: Int, _ value: Int) { slots[i] = value }
    var values: [Int] { Array(slots) }
}
