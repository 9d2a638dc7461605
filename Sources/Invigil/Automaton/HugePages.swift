#if canImport(Glibc)
import Glibc
#endif

extension Automaton {
    /// Dense tables of 1 MiB and more are 2 MB aligned, rounded up to whole 2 MB pages and asked
    /// to live on huge pages (when the system allows it, `madvise` mode), which removes most TLB
    /// misses of large tables and most of the page faults of filling them: a 2 MB huge page is
    /// one fault where small pages are 512, at about 2 µs each on the machines measured (with
    /// the bundled packs a scan's start took 2,430 faults, and 1,430 once the tables from 1 MiB,
    /// the 2.06 MB `spaced` table among them, took huge pages). Freed with `free`.
    static func allocateTable(_ entries: Int) -> UnsafeMutablePointer<UInt32> {
        let bytes = max(4, entries * 4)
        let huge = 2 << 20
        var raw: UnsafeMutableRawPointer? = nil
        if bytes >= huge / 2 {
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
