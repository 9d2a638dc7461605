/// The line numbers of an input's chunks, counted by the threads that read the chunks rather
/// than by the thread that cuts them.
///
/// A `JSONLSplitter` made with `countsLines: false` cuts chunks without looking at their lines,
/// so the reading thread does no per-byte work beyond `read(2)` and finding the last line end.
/// Each chunk is then a *piece* of the ledger, numbered from 0 in the order it was cut. The thread
/// that reads piece `i` counts its lines, records them, and learns how many lines the earlier
/// pieces hold — waiting, if need be, until every earlier piece is recorded:
///
/// ```swift
/// let before = ledger.linesBefore(piece: i, holding: LineLedger.lines(in: bytes))
/// ```
///
/// Waiting cannot deadlock as long as pieces are taken in order (a first-in, first-out queue) and
/// every piece is recorded before its thread waits: whoever holds an earlier piece records it
/// without waiting for anything. A piece must be recorded exactly once.
///
/// Thread safety: every method may be called from any thread.
package final class LineLedger: @unchecked Sendable {
    private let monitor = Monitor()
    /// Lines recorded for pieces not yet summed (they came before an earlier piece).
    private var early: [Int: Int] = [:]
    /// Lines before each summed piece: `starts[i]` for piece `i < starts.count`.
    private var starts: [Int] = []
    /// Lines of all summed pieces.
    private var total = 0
    /// The first piece recorded as failed (`linesBefore(piece:holding:failed:)`), if any.
    private var firstFailure: Int? = nil

    package init() {}

    /// Records that piece `piece` holds `lines` lines and returns how many lines the pieces before
    /// it hold, once they are all recorded.
    package func linesBefore(piece: Int, holding lines: Int) -> Int {
        precondition(piece >= 0 && lines >= 0)
        monitor.lock()
        defer { monitor.unlock() }
        early[piece] = lines
        var advanced = false
        while let next = early.removeValue(forKey: starts.count) {
            starts.append(total)
            total += next
            advanced = true
        }
        if advanced { monitor.broadcast() }
        while piece >= starts.count { monitor.wait() }
        return starts[piece]
    }

    /// As `linesBefore(piece:holding:)`, for pieces that can fail: records that piece `piece`
    /// holds `lines` lines (or, with `failed`, that its reading failed, so that the input's rest
    /// is lost), and returns how many lines the pieces before it hold, or nil when one of them
    /// failed. A reader that fails reports the failure itself; the pieces after it then read
    /// nothing, as a reader of the whole input would stop at its read error.
    package func linesBefore(piece: Int, holding lines: Int, failed: Bool) -> Int? {
        if failed {
            monitor.lock()
            firstFailure = min(firstFailure ?? piece, piece)
            monitor.unlock()
        }
        let before = linesBefore(piece: piece, holding: lines)
        monitor.lock()
        defer { monitor.unlock() }
        // Every earlier piece has recorded, so a failure among them is known by now.
        if let firstFailure, firstFailure < piece { return nil }
        return before
    }

    /// The lines of a chunk as the whole input's reader numbers them: its line feeds, and one
    /// more when it ends without one (the input's last line).
    package static func lines(in bytes: [UInt8]) -> Int {
        count(of: 0x0A, in: bytes, 0..<bytes.count) + (bytes.last.map { $0 == 0x0A ? 0 : 1 } ?? 0)
    }
}
