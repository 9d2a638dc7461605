#if canImport(Glibc)
import Glibc
#endif

/// Several tables of byte strings (per field, its enum values; per host list, its hosts) in
/// memory a scanner owns, each string looked up in the table it is asked for.
///
/// The rule set keeps each table as a `ByteStringTable`, a struct of three arrays. Looking a
/// string up in an element of an array of them copies the element first, a retain and a release
/// of each array, which for the three enum fields a C interface call usually sets was about a
/// tenth of the call. These tables hold the same strings, hashed the same way
/// (`ByteStringTable.hash`), behind plain pointers: a look-up reads memory and counts nothing.
///
/// Not copyable: the memory is freed once, with the scanner.
struct StringTables: ~Copyable {
    let tableCount: Int
    /// Per slot of all tables end to end: the string there (a global index), or -1.
    private let slots: UnsafeMutablePointer<Int32>
    /// Per table, where its slots start, and its slot count minus one.
    private let firstSlot: UnsafeMutablePointer<Int>
    private let masks: UnsafeMutablePointer<Int>
    /// The strings end to end: string s is bytes[starts[s]..<starts[s + 1]].
    private let bytes: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int>
    /// Per string, its index among its table's distinct strings (what a look-up returns).
    private let indexInTable: UnsafeMutablePointer<Int32>

    /// The same tables as `tables`, their slots, strings and starts copied end to end (each
    /// table's string indices offset by the strings before it), not hashed again.
    init(_ tables: [ByteStringTable]) {
        tableCount = tables.count
        var slotArray: [Int32] = []
        var first: [Int] = []
        var maskArray: [Int] = []
        var byteArray: [UInt8] = []
        var startArray: [Int] = [0]
        var indices: [Int32] = []
        for table in tables {
            let (slots, bytes, starts) = table.storage
            let offset = Int32(indices.count)
            first.append(slotArray.count)
            maskArray.append(slots.count - 1)
            slotArray += slots.map { $0 < 0 ? -1 : $0 + offset }
            for i in 0..<(starts.count - 1) {
                indices.append(Int32(i))
                startArray.append(byteArray.count + Int(starts[i + 1]))
            }
            byteArray += bytes
        }
        slots = slotArray.allocatedCopy()
        firstSlot = first.allocatedCopy()
        masks = maskArray.allocatedCopy()
        bytes = byteArray.allocatedCopy()
        starts = startArray.allocatedCopy()
        indexInTable = indices.allocatedCopy()
    }

    deinit {
        slots.deallocate()
        firstSlot.deallocate()
        masks.deallocate()
        bytes.deallocate()
        starts.deallocate()
        indexInTable.deallocate()
    }

    /// The index of `key` among the distinct strings of table `table`, or nil.
    func find(_ key: UnsafeBufferPointer<UInt8>, in table: Int) -> Int? {
        let base = firstSlot[table], mask = masks[table]
        var h = Int(truncatingIfNeeded: ByteStringTable.hash(key)) & mask
        while true {
            let s = Int(slots[base + h])
            if s < 0 { return nil }
            let start = starts[s], length = starts[s + 1] - start
            if length == key.count && (length == 0 || memcmp(bytes + start, key.baseAddress!, length) == 0) {
                return Int(indexInTable[s])
            }
            h = (h + 1) & mask
        }
    }
}
