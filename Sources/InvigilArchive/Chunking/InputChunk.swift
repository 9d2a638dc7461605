#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

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

/// How many `byte`s `bytes[range]` holds: the thread that reads a JSONL archive counts every
/// line this way, so it runs sixteen bytes per step in `InvigilSIMD` where that module is built.
func count(of byte: UInt8, in bytes: [UInt8], _ range: Range<Int>) -> Int {
    bytes.withUnsafeBufferPointer { all in
        guard let base = all.baseAddress, !range.isEmpty else { return 0 }
        return count(of: byte, in: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
    }
}

/// How many `byte`s `bytes` holds (the same, for bytes a reader holds in its own memory).
func count(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
    #if canImport(InvigilSIMD)
    return Int(ivg_count_byte(base, bytes.count, byte))
    #else
    var n = 0
    for b in bytes where b == byte { n &+= 1 }
    return n
    #endif
}
