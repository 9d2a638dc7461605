#if canImport(Glibc)
import Glibc
#endif

/// Whether `bytes` hold a NUL byte: the readers refuse message texts and header lines with one.
/// Through `memchr`, which is vectorised; `contains(0)` compiled to a byte loop, a third of the
/// mail parser's own time.
func holdsNUL(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return false }
    return memchr(base, 0, bytes.count) != nil
}
