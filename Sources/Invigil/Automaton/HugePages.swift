#if canImport(Glibc)
import Glibc
#endif

extension Automaton {
    /// Dense tables above 2 MB are 2 MB aligned and asked to live on huge pages (when the system
    /// allows it, `madvise` mode), which removes most TLB misses of large tables. Freed with `free`.
    static func allocateTable(_ entries: Int) -> UnsafeMutablePointer<UInt32> {
        let bytes = max(4, entries * 4)
        let huge = 2 << 20
        var raw: UnsafeMutableRawPointer? = nil
        if bytes >= huge {
            let rounded = (bytes + huge - 1) / huge * huge
            if posix_memalign(&raw, huge, rounded) == 0, let r = raw {
                _ = madvise(r, rounded, 14)  // MADV_HUGEPAGE
                return r.bindMemory(to: UInt32.self, capacity: entries)
            }
        }
        raw = malloc(bytes)
        return raw!.bindMemory(to: UInt32.self, capacity: max(1, entries))
    }
}
