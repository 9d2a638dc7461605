/// A piece of a large input, cut where a record ends, so that threads can read its records apart
/// from the rest and still name them as the whole input's reader would.
///
/// The splitters (`JSONLSplitter`, `MboxSplitter`) do the cutting; they read nothing themselves
/// and hold at most one unfinished record beside the bytes given to them, so that the thread that
/// reads the input does no more than block I/O and finding record ends.
package enum InputChunk: Sendable {
    /// Whole records: `bytes` holds complete lines (or messages), after `before` lines (or
    /// messages) of the input. The last chunk of an input may end without a line terminator.
    case records(bytes: [UInt8], before: Int)
    /// A record too large to hold: the line or message `number` (1-based), `length` bytes long.
    case tooLarge(number: Int, length: Int)
}

/// The index of the last `byte` in `bytes[from...]`, or nil.
@inline(__always)
func lastIndex(of byte: UInt8, in bytes: [UInt8], from: Int) -> Int? {
    var i = bytes.count - 1
    while i >= from {
        if bytes[i] == byte { return i }
        i -= 1
    }
    return nil
}

/// How many `byte`s `bytes[range]` holds, eight bytes at a time (the main thread of a scan counts
/// every line of a JSONL archive this way): a byte of `w ^ pattern` is zero where `w` holds `byte`,
/// and the classic zero-byte test marks each such byte with its top bit.
func count(of byte: UInt8, in bytes: [UInt8], _ range: Range<Int>) -> Int {
    bytes.withUnsafeBytes { raw in
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var n = 0
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
            let marks = ~(((x & low7) &+ low7) | x | low7)
            n &+= marks.nonzeroBitCount
            i += 8
        }
        while i < range.upperBound {
            if raw[i] == byte { n &+= 1 }
            i += 1
        }
        return n
    }
}
