#if canImport(Glibc)
import Glibc
#endif

/// Standard input, which cannot be read twice: its first 64 KB are read once to tell its format
/// (`recognizedFormat(path: "-")`) and then handed, before the rest, to whichever reader opens it.
/// Only the main thread opens inputs, so the shared state needs no lock.
enum StandardInput {
    nonisolated(unsafe) private static var pending: [UInt8]? = nil

    /// The first bytes of standard input (up to 64 KB, fewer at its end), read on first use and
    /// kept for the reader.
    static func head() -> [UInt8] {
        if let pending { return pending }
        var head = [UInt8](repeating: 0, count: 1 << 16)
        var got = 0
        while got < head.count {
            let n = head.withUnsafeMutableBytes { read(0, $0.baseAddress! + got, $0.count - got) }
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            got += n
        }
        head.removeLast(head.count - got)
        pending = head
        return head
    }

    /// The bytes read ahead and not yet given to a reader; the next call returns none.
    static func takeHead() -> [UInt8] {
        let bytes = pending ?? []
        pending = []
        return bytes
    }
}

/// The first bytes of standard input (up to 64 KB), read once and kept for the reader that opens
/// "-" later; for telling its format and for error messages.
package func standardInputHead() -> [UInt8] { StandardInput.head() }
