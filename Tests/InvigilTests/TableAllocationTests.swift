import Testing

@testable import Invigil

#if canImport(Glibc)
import Glibc
#endif

/// `Automaton.allocateTable`: tables from 1 MiB start on a 2 MB boundary (so that huge pages can
/// back them), smaller ones come from `malloc`; every entry of either can be written and read
/// back, and both are freed with `free`.
@Suite("Automaton: table allocation")
struct TableAllocationTests {
    @Test func largeTablesAreHugePageAlignedAndWholeTablesUsable() {
        let huge = 2 << 20
        for bytes in [4, 4096, (1 << 20) - 4, 1 << 20, (1 << 20) + 4, 2_059_512, huge, huge + 4096] {
            let entries = bytes / 4
            let table = Automaton.allocateTable(entries)
            defer { free(table) }
            if bytes >= 1 << 20 { #expect(Int(bitPattern: table) % huge == 0, "\(bytes) bytes") }
            for i in stride(from: 0, to: entries, by: 1021) { table[i] = UInt32(truncatingIfNeeded: i &* 2_654_435_761) }
            table[entries - 1] = 0xFFFF_FFFF
            var same = true
            for i in stride(from: 0, to: entries - 1, by: 1021) where table[i] != UInt32(truncatingIfNeeded: i &* 2_654_435_761) {
                same = false
            }
            #expect(same && table[entries - 1] == 0xFFFF_FFFF, "\(bytes) bytes")
        }
    }
}
