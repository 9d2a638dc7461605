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
        if walked < pending.count { pending.append(0x0A); walkLines(&out); pending.removeLast() }
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
