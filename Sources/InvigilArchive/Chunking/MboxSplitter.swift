#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// Cuts an mbox into chunks of whole messages of about `chunkBytes`, each starting at a `From `
/// separator line, and counts the messages before each chunk the way `MboxSource` numbers them:
/// a separator is a line starting `From ` at the file's start or after an empty line; non-blank
/// text before the first separator is message 1.
///
/// A message is held until its end; one larger than `maxMessage` (twice the reader's limit, which
/// rejects it anyway) is dropped while it is read and becomes `.tooLarge`.
package final class MboxSplitter {
    let chunkBytes: Int
    let maxMessage: Int
    private var pending: [UInt8] = []
    /// Messages started before `pending`.
    private var messagesBefore = 0
    /// Where the line walk resumes in `pending`, and its state there.
    private var walked = 0
    private var previousBlank = true
    private var started = false
    private var messages = 0
    /// The last separator found in `pending` after its start, and the messages started before it.
    private var lastSeparator: (offset: Int, messagesBefore: Int)? = nil
    /// An oversized message being dropped: its number and the bytes dropped so far.
    private var dropping: (number: Int, length: Int)? = nil
    /// Once the first message has started, find separators by searching for `From ` (`memmem`)
    /// and looking at the line before each, rather than walking every line: the reading thread
    /// runs this over every byte. False: the line walk alone (the tests' reference).
    package var searchesSeparators = true

    package init(chunkBytes: Int, maxMessage: Int = 2 * ArchiveLimits.messageBytes) {
        self.chunkBytes = max(1, chunkBytes)
        self.maxMessage = maxMessage
    }

    /// Adds the next bytes of the input; returns the chunks now complete, in order.
    package func add(_ block: ArraySlice<UInt8>) -> [InputChunk] {
        var out: [InputChunk] = []
        pending.append(contentsOf: block)
        walkLines(&out)
        if let sep = lastSeparator, sep.offset > 0, pending.count >= chunkBytes {
            cut(at: sep.offset, messagesAtCut: sep.messagesBefore, into: &out)
        }
        if dropping == nil, lastSeparator == nil, pending.count > maxMessage {
            // One message larger than can be held: drop it as it is read, up to its end.
            dropping = (messages, pending.count)
            pending.removeAll(keepingCapacity: false)
            walked = 0
        }
        return out
    }

    /// The input's last chunk, or nil.
    package func finish() -> InputChunk? {
        var out: [InputChunk] = []
        // The last line may lack its terminator: walk it as a line.
        if walked < pending.count {
            pending.append(0x0A)
            walkLines(&out)
            if pending.isEmpty, let d = dropping {
                // An over-long message being dropped took the added line feed with it.
                dropping = (d.number, d.length - 1)
            } else {
                pending.removeLast()
            }
        }
        if let d = dropping {
            dropping = nil
            return .tooLarge(number: d.number, length: d.length + pending.count)
        }
        guard !pending.isEmpty else { return nil }
        defer { pending = [] }
        return .records(bytes: pending, before: messagesBefore)
    }

    /// Walks the complete lines not yet walked, noting separators.
    private func walkLines(_ out: inout [InputChunk]) {
        pending.withUnsafeBufferPointer { b in
            var i = walked
            while i < b.count {
                if started && searchesSeparators {
                    i = searchSeparators(b, from: i)
                    break
                }
                guard let nl = b[i...].firstIndex(of: 0x0A) else { break }
                var end = nl
                if end > i, b[end - 1] == 0x0D { end -= 1 }
                let length = end - i
                let isSeparator =
                    previousBlank && length >= 5 && b[i] == 0x46 && b[i + 1] == 0x72 && b[i + 2] == 0x6F && b[i + 3] == 0x6D && b[i + 4] == 0x20
                if isSeparator {
                    if i > 0 || dropping != nil { lastSeparator = (i, messages) }
                    started = true
                    messages += 1
                } else if !started {
                    if b[i..<end].contains(where: { !isSpace($0) }) {
                        started = true
                        messages += 1
                    }
                }
                previousBlank = length == 0
                i = nl + 1
            }
            walked = i
        }
        if let d = dropping {
            if let sep = lastSeparator {
                // The dropped message ends where the next begins.
                out.append(.tooLarge(number: d.number, length: d.length + sep.offset))
                dropping = nil
                messagesBefore = sep.messagesBefore
                pending.removeFirst(sep.offset)
                walked -= sep.offset
                lastSeparator = nil
            } else {
                dropping = (d.number, d.length + walked)
                pending.removeFirst(walked)
                walked = 0
            }
        }
    }

    /// The walk from the line start `from` to the last complete line, once the first message has
    /// started: the same separators, counts and `previousBlank` as the line walk. A separator is
    /// `From ` at a line start whose line before is empty (or only a carriage return), or at
    /// `from` when `previousBlank` says the line before it was. Returns where the walk stops.
    private func searchSeparators(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard let base = b.baseAddress, from < b.count else { return from }
        let lastFeed = Self.lastLineFeed(base, from, b.count)
        guard lastFeed < b.count else { return from }
        let limit = lastFeed + 1
        /// Whether the line that ends at the line feed `n` is empty (a carriage return aside).
        func blankLine(endingAt n: Int) -> Bool {
            if n == from || b[n - 1] == 0x0A { return true }
            return b[n - 1] == 0x0D && (n - 1 == from || b[n - 2] == 0x0A)
        }
        var p = from
        while true {
            let q = Self.nextFrom(base, p, limit)
            if q >= limit { break }
            let isSeparator = q == from ? previousBlank : b[q - 1] == 0x0A && blankLine(endingAt: q - 1)
            if isSeparator {
                if q > 0 || dropping != nil { lastSeparator = (q, messages) }
                messages += 1
            }
            p = q + 5
        }
        previousBlank = blankLine(endingAt: lastFeed)
        return limit
    }

    /// The start of the next `From ` in `x[from..<n]`, or `n`.
    private static func nextFrom(_ x: UnsafePointer<UInt8>, _ from: Int, _ n: Int) -> Int {
        #if canImport(InvigilSIMD)
        return Int(ivg_find_mbox_from(x, from, n))
        #else
        var i = from
        while i + 5 <= n {
            if x[i] == 0x46 && x[i + 1] == 0x72 && x[i + 2] == 0x6F && x[i + 3] == 0x6D && x[i + 4] == 0x20 { return i }
            i += 1
        }
        return n
        #endif
    }

    /// The index of the last line feed in `x[from..<n]`, or `n`.
    private static func lastLineFeed(_ x: UnsafePointer<UInt8>, _ from: Int, _ n: Int) -> Int {
        #if canImport(InvigilSIMD)
        return Int(ivg_last_line_feed(x, from, n))
        #else
        var i = n - 1
        while i >= from {
            if x[i] == 0x0A { return i }
            i -= 1
        }
        return n
        #endif
    }

    private func cut(at offset: Int, messagesAtCut: Int, into out: inout [InputChunk]) {
        let tail = Array(pending[offset...])
        pending.removeLast(pending.count - offset)
        out.append(.records(bytes: pending, before: messagesBefore))
        messagesBefore = messagesAtCut
        pending = tail
        // Room for the next chunk, so that appending blocks does not grow it step by step.
        pending.reserveCapacity(2 * chunkBytes)
        walked -= offset
        lastSeparator = nil
    }
}
